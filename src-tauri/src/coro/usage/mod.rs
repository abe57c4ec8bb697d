//! Usage: per customer workspace, the enabled services (`GET /subscriptions`) and each one's
//! count in its billing unit (`GET /usage` `moduleStatistics`), as of now (coro.md §2.3, §2.6,
//! §6 steps 3–4). Coro has no billing period: a read is a point-in-time snapshot.
//!
//! Cost: two requests per workspace (subscriptions + usage) plus one token request per client;
//! `GET /users` / `GET /devices` are read (one item, for `totalElements`) only when a count is
//! missing from the usage record altogether. Workspaces are read a few at a time
//! ([`ClientOptions::workspace_concurrency`](super::client::ClientOptions)); one failing workspace
//! does not fail the others.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::Arc;

use chrono::{DateTime, Utc};
use serde::Serialize;
use tokio::sync::Semaphore;
use tokio::task::JoinSet;

use super::bundles;
use super::catalog;
use super::client::{CoroClient, CoroError};
use super::shape;
use super::wire::{self, ModuleStatistics, Page, Subscription, WorkspaceUsage};
use crate::model::Unit;

/// Where a count came from, for the operator's "why this number".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CountSource {
    /// The service's own entry in `moduleStatistics`.
    Module,
    /// The workspace-wide protected users / devices (no per-service entry).
    Workspace,
    /// `totalElements` of `GET /users` or `GET /devices`.
    List,
}

/// One enabled service of one workspace.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ServiceCount {
    pub key: String,
    /// The unit `quantity` counts (the caller's choice, else the catalogue default).
    pub unit: Unit,
    /// `None`: Coro gave no count in this unit ("source count unavailable").
    pub quantity: Option<u64>,
    pub source: Option<CountSource>,
    /// With [`Unit::Max`]: the (users, devices) counts the larger one was taken from.
    pub basis: Option<(u64, u64)>,
}

/// What one workspace reported.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct WorkspaceCounts {
    pub workspace_id: String,
    /// Every enabled service, sorted by key.
    pub services: Vec<ServiceCount>,
    /// Bundle names, normalised ([`wire::normalize_key`]); informational.
    pub bundles: Vec<String>,
    pub demo_mode: bool,
}

/// One workspace's read: its counts, or why they are unavailable.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WorkspaceRead {
    pub workspace_id: String,
    pub counts: Result<WorkspaceCounts, CoroError>,
}

/// The result of [`CoroClient::usage`], in the order the ids were given.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UsageReport {
    pub as_of: DateTime<Utc>,
    pub workspaces: Vec<WorkspaceRead>,
    /// HTTP requests this read sent (token and retries included).
    pub requests: u64,
}

/// Workspace-wide totals, the fallback for services without their own entry.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
struct Totals {
    users: Option<(u64, CountSource)>,
    devices: Option<(u64, CountSource)>,
}

impl CoroClient {
    /// Reads every listed workspace. `units` overrides the catalogue's default unit per service
    /// key (a mapping's unit); keys not in it use [`catalog::default_unit`].
    pub async fn usage(
        &self,
        workspace_ids: &[String],
        units: &HashMap<String, Unit>,
    ) -> UsageReport {
        let before = self.request_count();
        let as_of = self.now();
        let units = Arc::new(units.clone());
        let slots = Arc::new(Semaphore::new(self.inner.opts.workspace_concurrency.max(1)));
        let mut tasks = JoinSet::new();
        for (index, id) in workspace_ids.iter().enumerate() {
            let (client, id, units, slots) =
                (self.clone(), id.clone(), units.clone(), slots.clone());
            tasks.spawn(async move {
                let counts = match slots.acquire_owned().await {
                    Ok(_slot) => client.workspace_usage(&id, &units).await,
                    Err(_) => Err(CoroError::Internal("usage read cancelled".into())),
                };
                (
                    index,
                    WorkspaceRead {
                        workspace_id: id,
                        counts,
                    },
                )
            });
        }
        let mut reads: Vec<Option<WorkspaceRead>> = vec![None; workspace_ids.len()];
        while let Some(joined) = tasks.join_next().await {
            match joined {
                Ok((index, read)) => reads[index] = Some(read),
                Err(e) => tracing::error!(error = %e, "a Coro usage task failed"),
            }
        }
        let workspaces = reads
            .into_iter()
            .zip(workspace_ids)
            .map(|(read, id)| {
                read.unwrap_or_else(|| WorkspaceRead {
                    workspace_id: id.clone(),
                    counts: Err(CoroError::Internal(
                        "the usage read of this workspace stopped".into(),
                    )),
                })
            })
            .collect();
        UsageReport {
            as_of,
            workspaces,
            requests: self.request_count() - before,
        }
    }

    /// One workspace: enabled services and their counts.
    pub async fn workspace_usage(
        &self,
        workspace_id: &str,
        units: &HashMap<String, Unit>,
    ) -> Result<WorkspaceCounts, CoroError> {
        let what = format!("reading the subscriptions of workspace {workspace_id}");
        let sub: Subscription = self
            .get_decoded(wire::SUBSCRIPTIONS_PATH, workspace_id, &[], &what, |v| {
                serde_json::from_value(v).map_err(|e| e.to_string())
            })
            .await?;
        let what = format!("reading the usage of workspace {workspace_id}");
        // A body that is not JSON (cut off) is read again; JSON in a shape we do not rely on is
        // not a glitch, so it fails this workspace at once (see `shape::usage_record`).
        let record = self
            .get_decoded(wire::USAGE_PATH, workspace_id, &[], &what, |v| {
                Ok(shape::usage_record(&v, workspace_id))
            })
            .await?
            .map_err(|detail| CoroError::UsageShape {
                workspace: workspace_id.to_string(),
                detail,
            })?;
        let record = Some(record);
        let stats = record
            .as_ref()
            .map(WorkspaceUsage::module_counts)
            .unwrap_or_default();
        // `modules` missing altogether means our guess at its shape is wrong (UNCONFIRMED);
        // `moduleStatistics` holds only active services, so it is the next best source.
        let mut enabled = match &sub.modules {
            Some(_) => sub.enabled_services(),
            None => stats.keys().cloned().collect(),
        };
        // Each bundle is a billable source of its own, counted on the workspace's totals.
        enabled.extend(sub.bundles.iter().flatten().map(|b| bundles::bundle_key(b)));
        let unit_of = |key: &str| {
            units
                .get(key)
                .copied()
                .unwrap_or_else(|| catalog::default_unit(key))
        };
        let mut totals = Totals {
            users: record
                .as_ref()
                .and_then(|r| r.protected_users)
                .map(|n| (n, CountSource::Workspace)),
            devices: record
                .as_ref()
                .and_then(|r| r.protected_devices)
                .map(|n| (n, CountSource::Workspace)),
        };
        let (need_users, need_devices) = missing_totals(&enabled, &stats, &totals, &unit_of);
        if need_users {
            totals.users = self.list_total(wire::USERS_PATH, workspace_id).await?;
        }
        if need_devices {
            totals.devices = self.list_total(wire::DEVICES_PATH, workspace_id).await?;
        }
        Ok(WorkspaceCounts {
            workspace_id: workspace_id.to_string(),
            services: service_counts(&enabled, &stats, &totals, &unit_of),
            bundles: sub
                .bundles
                .iter()
                .flatten()
                .map(|b| wire::normalize_key(b))
                .collect(),
            demo_mode: record.and_then(|r| r.demo_mode_enabled).unwrap_or(false),
        })
    }

    /// `totalElements` of a one-item page (coro.md §6 step 3: the smallest page gives the count).
    async fn list_total(
        &self,
        path: &str,
        workspace_id: &str,
    ) -> Result<Option<(u64, CountSource)>, CoroError> {
        let what = format!("counting {path} of workspace {workspace_id}");
        let page: Page<serde_json::Value> = self
            .get_decoded(path, workspace_id, &wire::page_query(0, 1), &what, |v| {
                serde_json::from_value(v).map_err(|e| e.to_string())
            })
            .await?;
        Ok(page.total_elements.map(|n| (n, CountSource::List)))
    }
}

fn module_quantity(
    stats: &BTreeMap<String, ModuleStatistics>,
    key: &str,
    unit: Unit,
) -> Option<u64> {
    stats
        .get(key)
        .and_then(|s| s.quantity(unit == Unit::Device))
}

/// Which workspace totals are needed but absent (so a list must be counted).
fn missing_totals(
    enabled: &BTreeSet<String>,
    stats: &BTreeMap<String, ModuleStatistics>,
    totals: &Totals,
    unit_of: &impl Fn(&str) -> Unit,
) -> (bool, bool) {
    let uncounted = |unit: Unit| {
        enabled.iter().any(|k| {
            let u = unit_of(k);
            (u == unit || u == Unit::Max) && module_quantity(stats, k, unit).is_none()
        })
    };
    (
        totals.users.is_none() && uncounted(Unit::User),
        totals.devices.is_none() && uncounted(Unit::Device),
    )
}

/// Pure: each enabled service's count in its unit, per-service entry first, then the total.
fn service_counts(
    enabled: &BTreeSet<String>,
    stats: &BTreeMap<String, ModuleStatistics>,
    totals: &Totals,
    unit_of: &impl Fn(&str) -> Unit,
) -> Vec<ServiceCount> {
    enabled
        .iter()
        .map(|key| {
            let unit = unit_of(key);
            let count = |unit: Unit, total: Option<(u64, CountSource)>| {
                module_quantity(stats, key, unit)
                    .map(|n| (n, CountSource::Module))
                    .or(total)
            };
            let (found, basis) = match unit {
                Unit::User => (count(Unit::User, totals.users), None),
                Unit::Device => (count(Unit::Device, totals.devices), None),
                Unit::Max => larger(
                    count(Unit::User, totals.users),
                    count(Unit::Device, totals.devices),
                ),
            };
            ServiceCount {
                key: key.clone(),
                unit,
                quantity: found.map(|(n, _)| n),
                source: found.map(|(_, s)| s),
                basis,
            }
        })
        .collect()
}

/// A count and where it came from.
type Counted = (u64, CountSource);

/// The larger of the user and device counts, and both as its basis. Unknown when either is (the
/// larger of a known and an unknown count is not known). Its source is the weaker of the two, so
/// a fallback on either side marks the result as one.
fn larger(
    users: Option<Counted>,
    devices: Option<Counted>,
) -> (Option<Counted>, Option<(u64, u64)>) {
    let (Some((u, us)), Some((d, ds))) = (users, devices) else {
        return (None, None);
    };
    let source = if us == CountSource::Module { ds } else { us };
    (Some((u.max(d), source)), Some((u, d)))
}

#[cfg(test)]
mod tests;
