//! Editing a connector in place: rename, rotate the ConnectWise private key or Autotask secret,
//! change the site, company, public key, API user, tracking identifier, zone URL, time zone or
//! the ConnectWise clientId — keeping its id, mappings and history (removing and adding again
//! would forget every mapping).
//!
//! Any change to how the connector reaches the PSA is checked live before anything is saved; a
//! rename or a new time zone needs no call. The edit may not move the connector onto an account
//! another connector holds ([`super::connector_account`]). Saving writes a rotated secret first
//! (no transaction is open across keychain I/O), then the row, its status and the clientId in
//! one transaction; if that fails the previous secret is put back, so a failed edit leaves
//! database and keychain as they were.

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use super::connector_account::{ensure_free, DATABASE_ID_KEY};
use super::connectors::{
    client_with, connectwise_client_id, require, summary, time_zone_or_machine, with_database_id,
};
use super::{blocking, settings::CONNECTWISE_CLIENT_ID};
use crate::autotask::TIME_ZONE_KEY;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::model::{ConnectorId, ConnectorSummary, PsaKind};
use crate::psa::Psa;
use crate::secrets::{SecretKey, Sensitive};
use crate::store::{self, connectors::ConnectorRow, status::Outcome};

/// What to change; a missing (or, for a secret, empty) field stays as it is.
#[derive(Debug, Default, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ConnectorEdit {
    #[serde(default)]
    pub name: Option<String>,
    /// ConnectWise: the company id used at login.
    #[serde(default)]
    pub company: Option<String>,
    /// ConnectWise: the site (host or URL).
    #[serde(default)]
    pub site: Option<String>,
    #[serde(default)]
    pub public_key: Option<String>,
    /// ConnectWise: a new private key (rotation).
    #[serde(default)]
    #[ts(type = "string | null")]
    pub private_key: Option<Sensitive<String>>,
    /// ConnectWise: the integration's clientId (shared by every ConnectWise connector; saved in
    /// Settings when the check passes).
    #[serde(default)]
    pub client_id: Option<String>,
    /// Autotask: the API user name.
    #[serde(default)]
    pub username: Option<String>,
    /// Autotask: a new secret (rotation).
    #[serde(default)]
    #[ts(type = "string | null")]
    pub secret: Option<Sensitive<String>>,
    /// Autotask: the API tracking identifier.
    #[serde(default)]
    #[ts(type = "string | null")]
    pub integration_code: Option<Sensitive<String>>,
    /// Autotask: zone URL override; empty clears it (the zone is then looked up).
    #[serde(default)]
    pub zone_url: Option<String>,
    /// Autotask: the database's time zone (IANA name).
    #[serde(default)]
    pub time_zone: Option<String>,
}

/// A connector's current non-secret settings, to fill the edit form (secrets and the tracking
/// identifier are never sent back: empty fields keep them).
#[derive(Debug, Clone, Serialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct ConnectorSettings {
    pub id: ConnectorId,
    pub kind: PsaKind,
    pub name: String,
    pub company: Option<String>,
    pub site: Option<String>,
    pub public_key: Option<String>,
    /// The ConnectWise clientId in Settings (shared by every ConnectWise connector).
    pub client_id: Option<String>,
    pub username: Option<String>,
    pub zone_url: Option<String>,
    pub time_zone: Option<String>,
}

/// The settings of connector `id` for the edit form. Blocking (SQLite).
pub fn settings_of(ctx: &AppContext, id: ConnectorId) -> Result<ConnectorSettings, ApiError> {
    let row = require(ctx, id)?;
    let c = &row.config;
    let cw = row.kind == PsaKind::Connectwise;
    Ok(ConnectorSettings {
        id,
        kind: row.kind,
        name: row.name.clone(),
        company: text(c, "company"),
        site: text(c, "site"),
        public_key: text(c, "public_key"),
        client_id: if cw {
            super::settings::get(ctx)?.connectwise_client_id
        } else {
            None
        },
        username: text(c, "username"),
        zone_url: text(c, "zone_url"),
        time_zone: text(c, TIME_ZONE_KEY),
    })
}

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, msg)
}

/// The edit worked out against the stored row: nothing is called or written yet.
struct Planned {
    row: ConnectorRow,
    secret: Option<Sensitive<String>>,
    client_id: Option<String>,
    /// A setting the live check depends on changed.
    needs_check: bool,
    changed: bool,
}

fn text(config: &Value, key: &str) -> Option<String> {
    config.get(key).and_then(Value::as_str).map(str::to_string)
}

/// Applies `edit` to `old` (pure); refuses fields of the other PSA and emptied required ones.
fn plan(
    old: &ConnectorRow,
    edit: &ConnectorEdit,
    current_client_id: Option<&str>,
) -> Result<Planned, ApiError> {
    let kind_name = old.kind.display_name();
    let foreign: &[(&str, bool)] = match old.kind {
        PsaKind::Connectwise => &[
            ("user name", edit.username.is_some()),
            ("secret", edit.secret.is_some()),
            ("tracking identifier", edit.integration_code.is_some()),
            ("zone URL", edit.zone_url.is_some()),
            ("time zone", edit.time_zone.is_some()),
        ],
        PsaKind::Autotask => &[
            ("company", edit.company.is_some()),
            ("site", edit.site.is_some()),
            ("public key", edit.public_key.is_some()),
            ("private key", edit.private_key.is_some()),
            ("clientId", edit.client_id.is_some()),
        ],
    };
    if let Some((what, _)) = foreign.iter().find(|(_, given)| *given) {
        return Err(invalid(format!(
            "Connector '{}' is {kind_name}, which has no {what} to change",
            old.name
        )));
    }
    let mut row = old.clone();
    let mut needs_check = false;
    let mut changed = false;
    if let Some(name) = edit.name.as_deref().map(str::trim) {
        if name.is_empty() {
            return Err(invalid("The connector name is empty; give it a name"));
        }
        changed |= name != old.name;
        row.name = name.to_string();
    }
    let obj = row
        .config
        .as_object_mut()
        .ok_or_else(|| invalid("The stored connector settings are not an object"))?;
    // Required connection settings: trimmed, never emptied; a change needs the live check.
    for (key, label, value) in [
        ("company", "company", &edit.company),
        ("site", "site", &edit.site),
        ("public_key", "public key", &edit.public_key),
        ("username", "user name", &edit.username),
    ] {
        let Some(v) = value.as_deref().map(str::trim) else {
            continue;
        };
        if v.is_empty() {
            return Err(invalid(format!("The {label} is empty; enter it")));
        }
        if text(&old.config, key).as_deref() != Some(v) {
            obj.insert(key.into(), json!(v));
            needs_check = true;
        }
    }
    if let Some(code) = &edit.integration_code {
        let code = code.expose().trim();
        if code.is_empty() {
            return Err(invalid("The tracking identifier is empty; enter it"));
        }
        if text(&old.config, "integration_code").as_deref() != Some(code) {
            obj.insert("integration_code".into(), json!(code));
            needs_check = true;
        }
    }
    if let Some(url) = edit.zone_url.as_deref().map(str::trim) {
        let url = (!url.is_empty()).then(|| url.to_string());
        if text(&old.config, "zone_url") != url {
            obj.insert("zone_url".into(), json!(url));
            needs_check = true;
        }
    }
    if let Some(zone) = &edit.time_zone {
        if zone.trim().is_empty() {
            return Err(invalid(
                "The time zone is empty; enter an IANA name like America/New_York",
            ));
        }
        let zone = time_zone_or_machine(Some(zone))?;
        changed |= text(&old.config, TIME_ZONE_KEY).as_deref() != Some(zone.name());
        obj.insert(TIME_ZONE_KEY.into(), json!(zone.name()));
    }
    if needs_check {
        // The account may have moved: what the old zone lookup answered no longer holds.
        obj.remove(DATABASE_ID_KEY);
    }
    let secret = edit
        .private_key
        .as_ref()
        .or(edit.secret.as_ref())
        .map(|s| Sensitive::new(s.expose().trim().to_string()))
        .filter(|s| !s.expose().is_empty());
    let client_id = edit
        .client_id
        .as_deref()
        .map(str::trim)
        .filter(|c| !c.is_empty() && Some(*c) != current_client_id)
        .map(str::to_string);
    needs_check |= secret.is_some() || client_id.is_some();
    changed |= needs_check;
    Ok(Planned {
        row,
        secret,
        client_id,
        needs_check,
        changed,
    })
}

/// Edits connector `id` (see the module doc); returns its summary as saved.
pub async fn edit(
    ctx: &AppContext,
    id: ConnectorId,
    edit: ConnectorEdit,
) -> Result<ConnectorSummary, ApiError> {
    let (old, current_client_id) = blocking(ctx, move |ctx| {
        let row = require(ctx, id)?;
        let client_id = super::settings::get(ctx)?.connectwise_client_id;
        Ok((row, client_id))
    })
    .await?;
    let mut planned = plan(&old, &edit, current_client_id.as_deref())?;
    if !planned.changed {
        return blocking(ctx, move |ctx| summary(ctx, id)).await;
    }
    let (kind, config) = (old.kind, planned.row.config.clone());
    blocking(ctx, move |ctx| {
        Ok(ensure_free(&ctx.store.conn()?, kind, &config, Some(id))?)
    })
    .await?;
    if planned.needs_check {
        let secret = match &planned.secret {
            Some(s) => s.clone(),
            None => stored_secret(ctx, &old).await?,
        };
        let client_id = match (old.kind, &planned.client_id) {
            (PsaKind::Connectwise, Some(c)) => Some(c.clone()),
            (PsaKind::Connectwise, None) => Some(blocking(ctx, connectwise_client_id).await?),
            (PsaKind::Autotask, _) => None,
        };
        let client = client_with(&planned.row, &secret, client_id)?;
        client.check().await.map_err(ApiError::from)?;
        planned.row.config = with_database_id(planned.row.config, &client).await;
    }
    save(ctx, &old, planned).await?;
    blocking(ctx, move |ctx| summary(ctx, id)).await
}

async fn stored_secret(
    ctx: &AppContext,
    row: &ConnectorRow,
) -> Result<Sensitive<String>, ApiError> {
    let (id, name) = (row.id, row.name.clone());
    blocking(ctx, move |ctx| {
        ctx.secrets
            .get(&SecretKey::ConnectorSecret(id))?
            .ok_or_else(|| {
                ApiError::new(
                    ErrorCode::Keychain,
                    format!(
                        "The secret of connector '{name}' is missing from the OS keychain: enter it in this edit"
                    ),
                )
            })
    })
    .await
}

/// Writes the checked edit: the rotated secret, then the row, status and clientId together;
/// the previous secret is put back if the row cannot be saved.
async fn save(ctx: &AppContext, old: &ConnectorRow, planned: Planned) -> Result<(), ApiError> {
    let id = old.id;
    let key = SecretKey::ConnectorSecret(id);
    let previous = match &planned.secret {
        Some(new) => {
            let (k, new) = (key, new.clone());
            Some(
                blocking(ctx, move |ctx| {
                    let previous = ctx.secrets.get(&k)?;
                    ctx.secrets.set(&k, &new)?;
                    Ok(previous)
                })
                .await?,
            )
        }
        None => None,
    };
    let account_moved = planned.needs_check
        && super::connector_account::Account::of(old.kind, &old.config)
            != super::connector_account::Account::of(old.kind, &planned.row.config);
    let (row, checked, client_id) = (planned.row, planned.needs_check, planned.client_id);
    let committed = blocking(ctx, move |ctx| {
        let conn = ctx.store.conn()?;
        store::write(&conn, |c| {
            ensure_free(c, row.kind, &row.config, Some(id))?;
            store::connectors::update(c, id, &row.name, &row.config, Utc::now())?;
            if checked {
                store::status::record_check(c, id, Outcome::Success, Utc::now())?;
            }
            if account_moved {
                // Another tenant's companies and products would be offered for mapping.
                store::cache::forget(c, id)?;
            }
            if let Some(client_id) = &client_id {
                store::settings::set(c, CONNECTWISE_CLIENT_ID, client_id)?;
            }
            Ok(())
        })?;
        Ok(())
    })
    .await;
    if let Err(e) = committed {
        if let Some(previous) = previous {
            let restored = blocking(ctx, move |ctx| {
                match previous {
                    Some(p) => ctx.secrets.set(&key, &p)?,
                    None => ctx.secrets.delete(&key)?,
                }
                Ok(())
            })
            .await;
            if let Err(r) = restored {
                tracing::error!(connector = %id, error = %r.message, "could not put back the previous secret of a connector whose edit failed to save");
            }
        }
        return Err(e);
    }
    tracing::info!(connector = %id, checked, "connector edited");
    Ok(())
}
