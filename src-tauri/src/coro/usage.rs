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
mod tests {
    use super::*;
    use crate::coro::client::ClientOptions;
    use crate::secrets::Sensitive;
    use mockito::{Matcher, Server};
    use serde_json::json;

    fn stats(users: Option<u64>, devices: Option<u64>, licensed: Option<u64>) -> ModuleStatistics {
        ModuleStatistics {
            protected_users: users,
            protected_devices: devices,
            licensed_devices: licensed,
        }
    }

    #[test]
    fn counts_per_unit_table() {
        let ws = |n| Some((n, CountSource::Workspace));
        type Case<'a> = (
            &'a str,
            &'a str,
            Option<ModuleStatistics>,
            Totals,
            Option<(u64, CountSource)>,
        );
        let cases: Vec<Case> = vec![
            (
                "device from module",
                "edr",
                Some(stats(Some(9), Some(20), None)),
                Totals::default(),
                Some((20, CountSource::Module)),
            ),
            (
                "licensed preferred",
                "edr",
                Some(stats(Some(9), Some(20), Some(18))),
                Totals::default(),
                Some((18, CountSource::Module)),
            ),
            (
                "user from module",
                "emailSecurity",
                Some(stats(Some(9), Some(20), None)),
                Totals::default(),
                Some((9, CountSource::Module)),
            ),
            (
                "unknown key counts users",
                "aiAssistantPlus",
                Some(stats(Some(4), Some(7), None)),
                Totals::default(),
                Some((4, CountSource::Module)),
            ),
            (
                "no entry: workspace total",
                "edr",
                None,
                Totals {
                    users: ws(3),
                    devices: ws(30),
                },
                ws(30),
            ),
            (
                "entry lacks the unit: total",
                "emailSecurity",
                Some(stats(None, Some(5), None)),
                Totals {
                    users: ws(11),
                    devices: None,
                },
                ws(11),
            ),
            (
                "nothing anywhere",
                "edr",
                None,
                Totals {
                    users: ws(3),
                    devices: None,
                },
                None,
            ),
        ];
        let units: HashMap<String, Unit> = HashMap::new();
        let unit_of = |k: &str| {
            units
                .get(k)
                .copied()
                .unwrap_or_else(|| catalog::default_unit(k))
        };
        for (case, key, entry, totals, want) in cases {
            let enabled = BTreeSet::from([key.to_string()]);
            let stats: BTreeMap<String, ModuleStatistics> =
                entry.into_iter().map(|s| (key.to_string(), s)).collect();
            let got = service_counts(&enabled, &stats, &totals, &unit_of);
            assert_eq!(got[0].quantity.zip(got[0].source), want, "{case}");
            let needs = missing_totals(&enabled, &stats, &totals, &unit_of);
            assert_eq!(
                needs.0 || needs.1,
                want.is_none(),
                "{case}: list count needed"
            );
        }
        // The larger of users and devices: both from the service's own entry, a fallback when
        // either side is the workspace total, unknown when either side is unknown.
        let max = |_: &str| Unit::Max;
        let enabled = BTreeSet::from(["edr".to_string()]);
        let cases: Vec<(&str, ModuleStatistics, Totals, Option<Counted>)> = vec![
            (
                "devices larger",
                stats(Some(9), Some(20), None),
                Totals::default(),
                Some((20, CountSource::Module)),
            ),
            (
                "users larger",
                stats(Some(31), Some(20), Some(18)),
                Totals::default(),
                Some((31, CountSource::Module)),
            ),
            (
                "users from the total",
                stats(None, Some(20), None),
                Totals {
                    users: ws(25),
                    devices: None,
                },
                Some((25, CountSource::Workspace)),
            ),
            (
                "users unknown",
                stats(None, Some(20), None),
                Totals::default(),
                None,
            ),
        ];
        for (case, entry, totals, want) in cases {
            let s = BTreeMap::from([("edr".to_string(), entry)]);
            let got = &service_counts(&enabled, &s, &totals, &max)[0];
            assert_eq!(got.quantity.zip(got.source), want, "max: {case}");
            assert_eq!(got.basis.is_some(), want.is_some(), "max: {case}");
            let needs = missing_totals(&enabled, &s, &totals, &max);
            assert_eq!(
                needs.0,
                totals.users.is_none() && s["edr"].protected_users.is_none(),
                "max: {case}"
            );
        }
        assert_eq!(
            service_counts(
                &enabled,
                &BTreeMap::from([("edr".to_string(), stats(Some(9), Some(20), Some(18)))]),
                &Totals::default(),
                &max
            )[0]
            .basis,
            Some((9, 18)),
            "licensed devices are the device side"
        );
        // A mapping's unit overrides the catalogue default.
        let over = |_: &str| Unit::User;
        let enabled = BTreeSet::from(["edr".to_string()]);
        let s = BTreeMap::from([("edr".to_string(), stats(Some(9), Some(20), None))]);
        assert_eq!(
            service_counts(&enabled, &s, &Totals::default(), &over)[0].quantity,
            Some(9)
        );
    }

    fn client(url: &str) -> CoroClient {
        let opts = ClientOptions {
            workspace_concurrency: 2,
            ..ClientOptions::default()
        };
        CoroClient::with_options(
            url,
            "cid".into(),
            Sensitive::new("secret-value".into()),
            "root_AAAA_c".into(),
            opts,
        )
        .unwrap()
    }

    #[tokio::test]
    async fn reads_subscriptions_and_usage_per_workspace() {
        let mut server = Server::new_async().await;
        let _token = server
            .mock("POST", wire::TOKEN_PATH)
            .with_body(json!({"access_token": "tok", "expires_in": 86400}).to_string())
            .expect(1)
            .create_async()
            .await;
        fn on(server: &mut Server, ws: &str, path: &str) -> mockito::Mock {
            server
                .mock("GET", path)
                .match_header(wire::WORKSPACE_HEADER, ws)
                .match_header(wire::AUTH_HEADER, "Bearer tok")
        }
        let subs = on(&mut server, "a_1", wire::SUBSCRIPTIONS_PATH)
            .with_body(
                json!({"modules": {"EDR": {"enabled": true}, "emailSecurity": {"enabled": true},
                                          "mdm": {"enabled": false}}, "bundles": ["CORO_COMPLETE"]})
                .to_string(),
            )
            .create_async()
            .await;
        let usage = on(&mut server, "a_1", wire::USAGE_PATH)
            .with_body(
                json!({"items": [{"workspaceId": "a_1", "protectedDevices": 40,
                                         "moduleStatistics": {"edr": {"protectedDevices": 12}}}],
                              "totalElements": 1})
                .to_string(),
            )
            .create_async()
            .await;
        // No user count anywhere: counted from the user list's totalElements.
        let users = on(&mut server, "a_1", wire::USERS_PATH)
            .match_query(Matcher::AllOf(vec![
                Matcher::UrlEncoded(wire::PAGE_PARAM.into(), "0".into()),
                Matcher::UrlEncoded(wire::PAGE_SIZE_PARAM.into(), "1".into()),
            ]))
            .with_body(json!({"items": [{"id": "u"}], "totalElements": 17}).to_string())
            .create_async()
            .await;
        let broken = on(&mut server, "b_2", wire::SUBSCRIPTIONS_PATH)
            .with_status(403)
            .create_async()
            .await;
        let c = client(&server.url());
        let ids = vec!["a_1".to_string(), "b_2".to_string()];
        let report = c.usage(&ids, &HashMap::new()).await;
        let a = report.workspaces[0].counts.as_ref().unwrap();
        let got: Vec<(&str, Unit, Option<u64>, Option<CountSource>)> = a
            .services
            .iter()
            .map(|s| (s.key.as_str(), s.unit, s.quantity, s.source))
            .collect();
        assert_eq!(
            got,
            vec![
                // The bundle is a billable source of its own, on the workspace's counts.
                (
                    "bundle:coroComplete",
                    Unit::User,
                    Some(17),
                    Some(CountSource::List)
                ),
                ("edr", Unit::Device, Some(12), Some(CountSource::Module)),
                (
                    "emailSecurity",
                    Unit::User,
                    Some(17),
                    Some(CountSource::List)
                ),
            ]
        );
        assert_eq!(a.bundles, vec!["coroComplete"]);
        let b = &report.workspaces[1];
        assert_eq!(b.workspace_id, "b_2");
        assert!(
            matches!(b.counts, Err(CoroError::Forbidden { .. })),
            "{:?}",
            b.counts
        );
        assert_eq!(report.requests, 1 + 3 + 1);
        for m in [subs, usage, users, broken] {
            m.assert_async().await;
        }
    }
}
