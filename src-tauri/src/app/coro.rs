//! The Coro channel connection (checked live before it is stored; the client secret goes to the
//! keychain) and the Coro side of a sync ([`UsageSource`] for the Coro client).

use std::collections::HashMap;

use chrono::Utc;

use super::blocking;
use crate::context::AppContext;
use crate::coro::client::CoroClient;
use crate::coro::usage::CountSource;
use crate::coro::workspaces::CoroWorkspace;
use crate::coro::{bundles, catalog};
use crate::error::{ApiError, ErrorCode};
use crate::model::Unit;
use crate::model::WorkspaceId;
use crate::secrets::SecretKey;
use crate::store::{self, coro::CoroSettings};
use crate::sync::gather::{ServiceQuery, SourceWorkspace, UsageReport, UsageSource};
use crate::views::{CoroInput, CoroStatus};

pub fn status(ctx: &AppContext) -> Result<CoroStatus, ApiError> {
    let row = store::coro::get(&ctx.store.conn()?)?;
    Ok(match row {
        Some(c) => CoroStatus {
            connected: true,
            region: Some(c.settings.region),
            base_url: Some(c.settings.base_url),
            client_id: Some(c.settings.client_id),
            channel: Some(c.settings.channel_workspace_id),
            channel_name: c.settings.channel_name,
        },
        None => CoroStatus {
            connected: false,
            region: None,
            base_url: None,
            client_id: None,
            channel: None,
            channel_name: None,
        },
    })
}

/// Checks the credential and channel live, then stores the connection and its secret together.
/// No transaction is held across the keychain write, and a failure at any step leaves the stored
/// connection and the keychain as they were: the old secret is put back if the save fails.
pub async fn connect(ctx: &AppContext, input: CoroInput) -> Result<CoroStatus, ApiError> {
    let region = input.region.trim().to_string();
    let client = CoroClient::new(
        &region,
        input.client_id.trim().to_string(),
        input.client_secret.clone(),
        input.channel.trim().to_string(),
    )?;
    let channel_name = client.check().await?;
    let settings = CoroSettings {
        region: region.clone(),
        base_url: client.base_url().to_string(),
        client_id: input.client_id.trim().to_string(),
        channel_workspace_id: input.channel.trim().to_string(),
        channel_name: Some(channel_name),
    };
    let key = SecretKey::CoroClientSecret;
    let old = blocking(ctx, move |ctx| Ok(ctx.secrets.get(&key)?)).await?;
    let new = input.client_secret.clone();
    blocking(ctx, move |ctx| Ok(ctx.secrets.set(&key, &new)?)).await?;
    let saved = blocking(ctx, move |ctx| {
        Ok(store::coro::save(
            &ctx.store.conn()?,
            &settings,
            Utc::now(),
        )?)
    })
    .await;
    if let Err(e) = saved {
        let restored = blocking(ctx, move |ctx| {
            match &old {
                Some(old) => ctx.secrets.set(&key, old)?,
                None => ctx.secrets.delete(&key)?,
            }
            Ok(())
        })
        .await;
        if let Err(r) = restored {
            tracing::error!(error = %r.message, "could not put the previous Coro client secret back");
        }
        return Err(e);
    }
    blocking(ctx, status).await
}

/// [`client`] on a blocking thread (SQLite and the keychain).
pub async fn client_of(ctx: &AppContext) -> Result<CoroClient, ApiError> {
    blocking(ctx, client).await
}

/// The stored connection's client, with the secret from the keychain. Blocking: async callers
/// use [`client_of`].
pub fn client(ctx: &AppContext) -> Result<CoroClient, ApiError> {
    let row = store::coro::get(&ctx.store.conn()?)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::InvalidInput,
            "Coro is not connected: connect the channel in Settings (or `psa-bridge coro connect`)",
        )
    })?;
    let secret = ctx.secrets.get(&SecretKey::CoroClientSecret)?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Keychain,
            "The Coro client secret is missing from the OS keychain: connect Coro again in Settings",
        )
    })?;
    Ok(CoroClient::new(
        &row.settings.base_url,
        row.settings.client_id,
        secret,
        row.settings.channel_workspace_id,
    )?)
}

pub const WORKSPACE_COUNT: &str = "coro_workspace_count";

/// Every child workspace under the channel. Remembers how many are billable (not archived), the
/// "M" of the connector list's "N of M mapped".
pub async fn workspaces(ctx: &AppContext) -> Result<Vec<CoroWorkspace>, ApiError> {
    let list = client_of(ctx).await?.workspaces().await?;
    let billable = list.iter().filter(|w| !w.archived).count();
    let count = billable.to_string();
    blocking(ctx, move |ctx| {
        Ok(store::settings::set(
            &ctx.store.conn()?,
            WORKSPACE_COUNT,
            &count,
        )?)
    })
    .await?;
    Ok(list)
}

const SEEN_SERVICES: &str = "coro_seen_services";

/// Service keys seen in Coro so far (kept so the service screen lists new services without
/// re-reading every workspace).
pub fn seen_services(ctx: &AppContext) -> Result<Vec<String>, ApiError> {
    Ok(
        store::settings::get_json::<Vec<String>>(&ctx.store.conn()?, SEEN_SERVICES)?
            .unwrap_or_default(),
    )
}

fn remember_services(
    ctx: &AppContext,
    keys: impl IntoIterator<Item = String>,
) -> Result<(), ApiError> {
    let mut all = seen_services(ctx)?;
    let before = all.len();
    for k in keys {
        if !all.contains(&k) {
            all.push(k);
        }
    }
    if all.len() != before {
        all.sort();
        store::settings::set_json(&ctx.store.conn()?, SEEN_SERVICES, &all)?;
    }
    Ok(())
}

/// Reads usage of `workspace_ids` once to learn which services are in use (for the service
/// mapping screen), and remembers them.
pub async fn discover_services(
    ctx: &AppContext,
    workspace_ids: &[String],
) -> Result<Vec<String>, ApiError> {
    let report = client_of(ctx)
        .await?
        .usage(workspace_ids, &HashMap::new())
        .await;
    super::seen::remember(ctx, seen_usage(&report)).await?;
    let keys: Vec<String> = report
        .workspaces
        .iter()
        .filter_map(|w| w.counts.as_ref().ok())
        .flat_map(|c| c.services.iter().map(|s| s.key.clone()))
        .collect();
    blocking(ctx, move |ctx| {
        remember_services(ctx, keys)?;
        seen_services(ctx)
    })
    .await
}

/// Each readable workspace's counts by key, for [`super::seen`].
fn seen_usage(report: &crate::coro::usage::UsageReport) -> super::seen::SeenUsage {
    report
        .workspaces
        .iter()
        .filter_map(|w| {
            let counts = w.counts.as_ref().ok()?;
            let keys = counts
                .services
                .iter()
                .filter_map(|s| Some((s.key.clone(), s.quantity?)))
                .collect();
            Some((w.workspace_id.clone(), keys))
        })
        .collect()
}

/// The service keys seen in Coro; on first use, learned by reading the usage of every
/// billable workspace once.
pub async fn service_keys(ctx: &AppContext) -> Result<Vec<String>, ApiError> {
    let seen = blocking(ctx, seen_services).await?;
    if !seen.is_empty() {
        return Ok(seen);
    }
    let ids: Vec<String> = workspaces(ctx)
        .await?
        .into_iter()
        .filter(|w| !w.archived)
        .map(|w| w.id)
        .collect();
    discover_services(ctx, &ids).await
}

/// The Coro side of a sync.
pub struct CoroSource<'a> {
    pub ctx: &'a AppContext,
    pub client: CoroClient,
}

impl UsageSource for CoroSource<'_> {
    async fn workspaces(&self) -> Result<Vec<SourceWorkspace>, ApiError> {
        Ok(self
            .client
            .workspaces()
            .await?
            .into_iter()
            .map(|w| SourceWorkspace {
                id: WorkspaceId(w.id),
                name: w.name,
                archived: w.archived || !w.billable,
                status: w.status,
            })
            .collect())
    }

    async fn usage(
        &self,
        workspaces: &[WorkspaceId],
        services: &[ServiceQuery],
    ) -> Result<UsageReport, ApiError> {
        let ids: Vec<String> = workspaces.iter().map(|w| w.0.clone()).collect();
        let units: HashMap<String, Unit> = services
            .iter()
            .map(|s| {
                (
                    s.service_key.clone(),
                    s.unit
                        .unwrap_or_else(|| catalog::default_unit(&s.service_key)),
                )
            })
            .collect();
        let report = self.client.usage(&ids, &units).await;
        if let Err(e) = super::seen::remember(self.ctx, seen_usage(&report)).await {
            tracing::warn!(error = %e.message, "could not remember the usage seen in Coro");
        }
        let mut out = UsageReport::default();
        let mut seen = Vec::new();
        let mut in_use: super::bundle_overlap::InUse = Vec::new();
        for read in report.workspaces {
            let ws = WorkspaceId(read.workspace_id.clone());
            match read.counts {
                Ok(counts) => {
                    let mapped = counts
                        .services
                        .iter()
                        .filter(|s| units.contains_key(&s.key))
                        .map(|s| s.key.clone())
                        .collect();
                    in_use.push((ws.clone(), mapped));
                    for s in &counts.services {
                        seen.push(s.key.clone());
                        let value = s.quantity.map(|q| q as i64).ok_or_else(|| {
                            format!("Coro gave no {} count for this service", s.unit.as_str())
                        });
                        if units.contains_key(&s.key) {
                            let why = s
                                .quantity
                                .and_then(|q| fallback_reason(&s.key, s.unit, q, s.source));
                            if let Some(why) = why {
                                out.fallback.insert((ws.clone(), s.key.clone()), why);
                            }
                            if let Some((u, d)) = s.basis {
                                out.basis
                                    .insert((ws.clone(), s.key.clone()), basis_text(u, d));
                            }
                            out.counts.insert((ws.clone(), s.key.clone()), value);
                        } else if let Ok(q) = value {
                            out.unasked.insert((ws.clone(), s.key.clone()), q);
                        }
                    }
                    // A mapped service the workspace does not use bills zero.
                    for key in units.keys() {
                        out.counts.entry((ws.clone(), key.clone())).or_insert(Ok(0));
                    }
                }
                Err(e) => {
                    // After the client's retries: this workspace is skipped for this run, the
                    // others are synced.
                    out.failed.insert(ws.clone(), e.to_string());
                    for key in units.keys() {
                        out.counts.insert(
                            (ws.clone(), key.clone()),
                            Err(format!("Coro usage unavailable: {e}")),
                        );
                    }
                }
            }
        }
        out.double_billing = super::bundle_overlap::check(&self.client, &in_use).await;
        if let Err(e) = blocking(self.ctx, move |ctx| remember_services(ctx, seen)).await {
            tracing::warn!(error = %e.message, "could not remember the services seen in Coro");
        }
        Ok(out)
    }

    fn service_name(&self, key: &str) -> Option<String> {
        Some(catalog::service_info(key).name)
    }
}

/// Which count a `max` unit billed, in the operator's words.
fn basis_text(users: u64, devices: u64) -> String {
    let used = if devices >= users { "devices" } else { "users" };
    format!(
        "Billed on {used}: the larger of {users} protected users and {devices} protected devices"
    )
}

/// Why a count is not the service's own figure, in the operator's words (`None` when it is):
/// Coro gave no per-service count, so the workspace-wide total (or a count of its user or
/// device list) was used instead. The planner holds changes built on one.
fn fallback_reason(
    key: &str,
    unit: Unit,
    quantity: u64,
    source: Option<CountSource>,
) -> Option<String> {
    let name = catalog::service_info(key).name;
    if unit == Unit::Max {
        // At least one side of the larger-of count is a workspace total or a list count.
        return match source? {
            CountSource::Module => None,
            CountSource::Workspace if bundles::is_bundle(key) => None,
            _ => Some(format!(
                "Coro gave no per-service user or device count for {name}; the workspace's \
                 totals were used (the larger is {quantity})"
            )),
        };
    }
    let unit = unit.as_str();
    match source? {
        CountSource::Module => None,
        // A bundle covers the whole workspace: its totals are the bundle's own figure.
        CountSource::Workspace if bundles::is_bundle(key) => None,
        CountSource::Workspace => Some(format!(
            "Coro gave no per-service count for {name}; the workspace's {quantity} protected \
             {unit}s were used"
        )),
        CountSource::List => Some(format!(
            "Coro gave no per-service count for {name} and no workspace total; the workspace's \
             {unit} list was counted instead ({quantity} {unit}s)"
        )),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fallback_counts_say_what_was_used() {
        let cases = [
            (Some(CountSource::Module), None),
            (None, None),
            (
                Some(CountSource::Workspace),
                Some("Coro gave no per-service count for EDR; the workspace's 37 protected devices were used"),
            ),
            (
                Some(CountSource::List),
                Some("Coro gave no per-service count for EDR and no workspace total; the workspace's device list was counted instead (37 devices)"),
            ),
        ];
        assert_eq!(
            basis_text(12, 30),
            "Billed on devices: the larger of 12 protected users and 30 protected devices"
        );
        assert_eq!(
            basis_text(40, 30),
            "Billed on users: the larger of 40 protected users and 30 protected devices"
        );
        assert_eq!(
            fallback_reason("edr", Unit::Max, 37, Some(CountSource::Workspace)).as_deref(),
            Some("Coro gave no per-service user or device count for EDR; the workspace's totals were used (the larger is 37)")
        );
        assert_eq!(
            fallback_reason("edr", Unit::Max, 37, Some(CountSource::Module)),
            None
        );
        for unit in [Unit::User, Unit::Max] {
            assert_eq!(
                fallback_reason(
                    "bundle:coroComplete",
                    unit,
                    37,
                    Some(CountSource::Workspace)
                ),
                None,
                "a bundle's own figure is the workspace's"
            );
        }
        assert!(fallback_reason(
            "bundle:coroComplete",
            Unit::User,
            37,
            Some(CountSource::List)
        )
        .is_some());
        for (source, want) in cases {
            assert_eq!(
                fallback_reason("edr", Unit::Device, 37, source).as_deref(),
                want,
                "{source:?}"
            );
        }
    }
}
