//! Connector lifecycle: add (checked live first; stored with its secret in the keychain only when
//! the check passes), test again, remove, and build the PSA client of a stored connector.
//!
//! Adding never holds a database transaction across keychain I/O (which can wait on an unlock
//! prompt): the row is reserved in one short transaction, the secret written with none open,
//! then the add is committed (checked status, and the ConnectWise clientId when one was given).
//! Any failure undoes what was done, so a failed add leaves database and keychain as they were.

use chrono::Utc;
use serde_json::{json, Value};

use super::connector_account::{ensure_free, DATABASE_ID_KEY};
use super::{blocking, PsaClient};
use crate::autotask::tz::{machine_zone, TenantZone};
use crate::autotask::{AutotaskClient, AutotaskConfig, TIME_ZONE_KEY};
use crate::connectwise::{ConnectWiseClient, ConnectWiseConfig};
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::model::{ConnectorId, ConnectorSummary, PsaKind};
use crate::psa::Psa;
use crate::secrets::{SecretKey, Sensitive};
use crate::store::{self, connectors::ConnectorRow, status::Outcome};
use crate::views::{AutotaskInput, ConnectwiseInput, MachineTimeZone};

fn invalid(msg: impl Into<String>) -> ApiError {
    ApiError::new(ErrorCode::InvalidInput, msg)
}

/// The ConnectWise clientId from Settings, or the message that says where to set it.
pub(super) fn connectwise_client_id(ctx: &AppContext) -> Result<String, ApiError> {
    super::settings::get(ctx)?
        .connectwise_client_id
        .ok_or_else(|| invalid(crate::connectwise::NO_CLIENT_ID))
}

fn connectwise_config(input: &ConnectwiseInput, client_id: String) -> ConnectWiseConfig {
    ConnectWiseConfig {
        site: input.site.trim().to_string(),
        company: input.company.trim().to_string(),
        public_key: input.public_key.trim().to_string(),
        client_id,
    }
}

/// A time zone typed by the operator, or this computer's when none was given.
pub(super) fn time_zone_or_machine(typed: Option<&str>) -> Result<TenantZone, ApiError> {
    match typed.map(str::trim).filter(|z| !z.is_empty()) {
        Some(z) => TenantZone::parse(z).map_err(|e| invalid(e.to_string())),
        None => {
            let m = machine_zone();
            if let Some(note) = &m.note {
                tracing::warn!("{note}");
            }
            Ok(m.zone)
        }
    }
}

/// This computer's time zone, the default the add dialog offers.
pub fn machine_time_zone() -> MachineTimeZone {
    let m = machine_zone();
    MachineTimeZone {
        zone: m.zone.name().to_string(),
        note: m.note,
    }
}

fn autotask_config(input: &AutotaskInput) -> Result<AutotaskConfig, ApiError> {
    let mut cfg = AutotaskConfig::new(&input.username, input.integration_code.expose());
    cfg.zone_url = input
        .zone_url
        .as_deref()
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    cfg.time_zone = Some(time_zone_or_machine(input.time_zone.as_deref())?);
    Ok(cfg)
}

/// The stored connector's time zone; one stored before zones existed gets this computer's.
fn stored_time_zone(row: &ConnectorRow) -> Result<TenantZone, ApiError> {
    let stored = row.config.get(TIME_ZONE_KEY).and_then(Value::as_str);
    time_zone_or_machine(stored).map_err(|e| {
        invalid(format!(
            "Connector '{}' (id {}) has an invalid time zone: {}. Edit the connector and enter its Autotask database's time zone.",
            row.name, row.id, e.message
        ))
    })
}

/// Non-secret settings stored in the `connectors.config` column.
fn stored_config(
    kind: PsaKind,
    cw: Option<&ConnectWiseConfig>,
    at: Option<&AutotaskConfig>,
) -> Value {
    match (kind, cw, at) {
        (PsaKind::Connectwise, Some(c), _) => json!({
            "site": c.site, "company": c.company, "public_key": c.public_key,
        }),
        (PsaKind::Autotask, _, Some(a)) => json!({
            "username": a.username, "integration_code": a.integration_code,
            "zone_url": a.zone_url, "discovery_url": a.discovery_url,
            TIME_ZONE_KEY: a.time_zone.map(TenantZone::name),
        }),
        _ => json!({}),
    }
}

/// What a successful add also saves, in the same transaction as the connector's status.
#[derive(Default)]
struct AlsoSave {
    connectwise_client_id: Option<String>,
}

/// Checks the credentials live, then stores connector, secret and `also` together (see the
/// module doc); on any failure nothing is left behind.
async fn add(
    ctx: &AppContext,
    kind: PsaKind,
    name: String,
    config: Value,
    secret: &Sensitive<String>,
    client: PsaClient,
    also: AlsoSave,
) -> Result<ConnectorSummary, ApiError> {
    // Refused before the live check when the typed settings already name a held account…
    let typed = config.clone();
    blocking(ctx, move |ctx| {
        Ok(ensure_free(&ctx.store.conn()?, kind, &typed, None)?)
    })
    .await?;
    let outcome = client.check().await.map_err(ApiError::from)?;
    let config = with_database_id(config, &client).await;
    let (id, sequence_before) = blocking(ctx, move |ctx| {
        let conn = ctx.store.conn()?;
        Ok(store::write(&conn, |c| {
            // …and again with what the check learnt (the Autotask database), in the transaction.
            ensure_free(c, kind, &config, None)?;
            let before = connector_sequence(c)?;
            let id = store::connectors::insert(c, kind, &name, &config, Utc::now())?;
            Ok((id, before))
        })?)
    })
    .await?;
    let key = SecretKey::ConnectorSecret(id);
    let value = secret.clone();
    if let Err(e) = blocking(ctx, move |ctx| Ok(ctx.secrets.set(&key, &value)?)).await {
        // The keychain holds nothing under the new id: the id may be handed out again.
        undo_reserve(ctx, id, sequence_before, true).await;
        return Err(e);
    }
    let committed = blocking(ctx, move |ctx| {
        let conn = ctx.store.conn()?;
        store::write(&conn, |c| {
            store::status::record_check(c, id, Outcome::Success, Utc::now())?;
            if let Some(client_id) = &also.connectwise_client_id {
                store::settings::set(c, super::settings::CONNECTWISE_CLIENT_ID, client_id)?;
            }
            Ok(())
        })?;
        Ok(())
    })
    .await;
    if let Err(e) = committed {
        let deleted = blocking(ctx, move |ctx| {
            Ok(ctx.secrets.delete(&SecretKey::ConnectorSecret(id))?)
        })
        .await;
        if let Err(d) = &deleted {
            tracing::error!(connector = %id, error = %d.message, "could not take back the secret of a connector that failed to save");
        }
        undo_reserve(ctx, id, sequence_before, deleted.is_ok()).await;
        return Err(e);
    }
    tracing::info!(connector = %id, kind = kind.as_str(), detail = %outcome.detail, "connector added");
    blocking(ctx, move |ctx| summary(ctx, id)).await
}

/// `config` with the Autotask database id the check's zone lookup answered, when there was one.
pub(super) async fn with_database_id(mut config: Value, client: &PsaClient) -> Value {
    if let PsaClient::Autotask(c) = client {
        if let (Some(db), Some(obj)) = (c.database_id().await, config.as_object_mut()) {
            obj.insert(DATABASE_ID_KEY.into(), json!(db));
        }
    }
    config
}

/// The connectors table's AUTOINCREMENT high-water mark.
fn connector_sequence(conn: &rusqlite::Connection) -> Result<Option<i64>, store::StoreError> {
    use rusqlite::OptionalExtension;
    Ok(conn
        .query_row(
            "SELECT seq FROM sqlite_sequence WHERE name = 'connectors'",
            [],
            |r| r.get(0),
        )
        .optional()?)
}

/// Removes a reserved row. With `reuse_id` (no secret was left under the id) the sequence goes
/// back too, unless another connector was added meanwhile, so the database is as it was.
async fn undo_reserve(ctx: &AppContext, id: ConnectorId, before: Option<i64>, reuse_id: bool) {
    let undone = blocking(ctx, move |ctx| {
        let conn = ctx.store.conn()?;
        Ok(store::write(&conn, |c| {
            store::connectors::delete(c, id)?;
            if reuse_id {
                match before {
                    Some(seq) => c.execute(
                        "UPDATE sqlite_sequence SET seq = ?1 WHERE name = 'connectors' AND seq = ?2",
                        [seq, id.0],
                    )?,
                    None => c.execute(
                        "DELETE FROM sqlite_sequence WHERE name = 'connectors' AND seq = ?1",
                        [id.0],
                    )?,
                };
            }
            Ok(())
        })?)
    })
    .await;
    if let Err(e) = undone {
        tracing::error!(connector = %id, error = %e.message, "could not remove a connector that failed to save");
    }
}

pub async fn add_connectwise(
    ctx: &AppContext,
    input: ConnectwiseInput,
) -> Result<ConnectorSummary, ApiError> {
    let client_id = input.client_id.clone();
    add_connectwise_with_client_id(ctx, input, client_id).await
}

/// Adds a ConnectWise connector, checked with `client_id` when given (else the one in
/// Settings); a given clientId is saved only if the add succeeds.
pub async fn add_connectwise_with_client_id(
    ctx: &AppContext,
    input: ConnectwiseInput,
    client_id: Option<String>,
) -> Result<ConnectorSummary, ApiError> {
    let given = client_id
        .map(|c| c.trim().to_string())
        .filter(|c| !c.is_empty());
    let client_id = match &given {
        Some(c) => c.clone(),
        None => blocking(ctx, connectwise_client_id).await?,
    };
    let cfg = connectwise_config(&input, client_id);
    let name = input
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("ConnectWise ({})", cfg.company));
    let client = ConnectWiseClient::new(&cfg, &input.private_key).map_err(ApiError::from)?;
    let config = stored_config(PsaKind::Connectwise, Some(&cfg), None);
    add(
        ctx,
        PsaKind::Connectwise,
        name,
        config,
        &input.private_key,
        PsaClient::Connectwise(client),
        AlsoSave {
            connectwise_client_id: given,
        },
    )
    .await
}

pub async fn add_autotask(
    ctx: &AppContext,
    input: AutotaskInput,
) -> Result<ConnectorSummary, ApiError> {
    let cfg = autotask_config(&input)?;
    let name = input
        .name
        .as_deref()
        .map(str::trim)
        .filter(|n| !n.is_empty())
        .map(str::to_string)
        .unwrap_or_else(|| format!("Autotask ({})", cfg.username));
    let client = AutotaskClient::new(cfg.clone(), input.secret.clone()).map_err(ApiError::from)?;
    let config = stored_config(PsaKind::Autotask, None, Some(&cfg));
    add(
        ctx,
        PsaKind::Autotask,
        name,
        config,
        &input.secret,
        PsaClient::Autotask(client),
        AlsoSave::default(),
    )
    .await
}

fn field(config: &Value, key: &str) -> String {
    config
        .get(key)
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string()
}

/// The client of a stored connector, with its secret from the keychain. Blocking (keychain):
/// async callers use [`blocking`].
pub fn client_for(ctx: &AppContext, row: &ConnectorRow) -> Result<PsaClient, ApiError> {
    let secret = ctx.secrets.get(&SecretKey::ConnectorSecret(row.id))?.ok_or_else(|| {
        ApiError::new(
            ErrorCode::Keychain,
            format!(
                "The secret of connector '{}' is missing from the OS keychain: edit the connector and enter it again",
                row.name
            ),
        )
    })?;
    let client_id = match row.kind {
        PsaKind::Connectwise => Some(connectwise_client_id(ctx)?),
        PsaKind::Autotask => None,
    };
    client_with(row, &secret, client_id)
}

/// The client for a connector's settings (`row.config`, which may be an edit not yet saved),
/// `secret` and, for ConnectWise, the clientId.
pub(super) fn client_with(
    row: &ConnectorRow,
    secret: &Sensitive<String>,
    client_id: Option<String>,
) -> Result<PsaClient, ApiError> {
    match row.kind {
        PsaKind::Connectwise => {
            let cfg = ConnectWiseConfig {
                site: field(&row.config, "site"),
                company: field(&row.config, "company"),
                public_key: field(&row.config, "public_key"),
                client_id: client_id.unwrap_or_default(),
            };
            Ok(PsaClient::Connectwise(
                ConnectWiseClient::new(&cfg, secret).map_err(ApiError::from)?,
            ))
        }
        PsaKind::Autotask => {
            let mut cfg = AutotaskConfig::new(
                &field(&row.config, "username"),
                &field(&row.config, "integration_code"),
            );
            cfg.zone_url = row
                .config
                .get("zone_url")
                .and_then(Value::as_str)
                .map(str::to_string);
            if let Some(d) = row.config.get("discovery_url").and_then(Value::as_str) {
                cfg.discovery_url = d.to_string();
            }
            cfg.time_zone = Some(stored_time_zone(row)?);
            Ok(PsaClient::Autotask(
                AutotaskClient::new(cfg, secret.clone()).map_err(ApiError::from)?,
            ))
        }
    }
}

/// [`client_for`] on a blocking thread (the keychain read may wait on D-Bus or a prompt).
pub async fn client_of(ctx: &AppContext, row: &ConnectorRow) -> Result<PsaClient, ApiError> {
    let row = row.clone();
    blocking(ctx, move |ctx| client_for(ctx, &row)).await
}

pub fn require(ctx: &AppContext, id: ConnectorId) -> Result<ConnectorRow, ApiError> {
    Ok(store::connectors::require(&ctx.store.conn()?, id)?)
}

/// Re-runs the live check and records the result on the connector's status.
pub async fn test(ctx: &AppContext, id: ConnectorId) -> Result<ConnectorSummary, ApiError> {
    let client = blocking(ctx, move |ctx| {
        let row = require(ctx, id)?;
        Ok(client_for(ctx, &row))
    })
    .await?;
    let result = match client {
        Ok(client) => client.check().await.map_err(ApiError::from),
        Err(e) => Err(e),
    };
    blocking(ctx, move |ctx| {
        let conn = ctx.store.conn()?;
        match &result {
            Ok(_) => store::status::record_check(&conn, id, Outcome::Success, Utc::now())?,
            Err(e) => {
                store::status::record_check(&conn, id, Outcome::Failure(&e.message), Utc::now())?
            }
        }
        summary(ctx, id)
    })
    .await
}

/// Sets an Autotask connector's time zone (the Autotask database's, which "today" and every
/// adjustment's effective date follow).
pub fn set_time_zone(
    ctx: &AppContext,
    id: ConnectorId,
    zone: &str,
) -> Result<ConnectorSummary, ApiError> {
    let row = require(ctx, id)?;
    if row.kind != PsaKind::Autotask {
        return Err(invalid(format!(
            "Connector '{}' is {}: only Autotask connectors have a time zone",
            row.name,
            row.kind.display_name()
        )));
    }
    let zone = TenantZone::parse(zone).map_err(|e| invalid(e.to_string()))?;
    let mut config = row.config.clone();
    if let Some(obj) = config.as_object_mut() {
        obj.insert(TIME_ZONE_KEY.into(), json!(zone.name()));
    }
    store::connectors::update(&ctx.store.conn()?, id, &row.name, &config, Utc::now())?;
    tracing::info!(connector = %id, zone = zone.name(), "time zone set");
    summary(ctx, id)
}

/// Deletes the connector (mappings, status and history go with it) and its keychain entry.
/// Blocking (SQLite, keychain): async callers use [`blocking`].
pub fn remove(ctx: &AppContext, id: ConnectorId) -> Result<(), ApiError> {
    let conn = ctx.store.conn()?;
    store::connectors::require(&conn, id)?;
    store::connectors::delete(&conn, id)?;
    if let Err(e) = ctx.secrets.delete(&SecretKey::ConnectorSecret(id)) {
        tracing::warn!(connector = %id, error = %e, "connector removed but its keychain entry could not be deleted");
    }
    Ok(())
}

pub fn summary(ctx: &AppContext, id: ConnectorId) -> Result<ConnectorSummary, ApiError> {
    super::status::connector_summaries(ctx)?
        .into_iter()
        .find(|s| s.id == id)
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!("Connector {id} does not exist"),
            )
        })
}

/// Finds a connector by id or by name (CLI arguments accept either).
pub fn resolve(ctx: &AppContext, id_or_name: &str) -> Result<ConnectorRow, ApiError> {
    let conn = ctx.store.conn()?;
    let rows = store::connectors::list(&conn)?;
    if let Ok(n) = id_or_name.trim().parse::<i64>() {
        if let Some(r) = rows.iter().find(|r| r.id.0 == n) {
            return Ok(r.clone());
        }
    }
    rows.into_iter()
        .find(|r| r.name.eq_ignore_ascii_case(id_or_name.trim()))
        .ok_or_else(|| {
            ApiError::new(
                ErrorCode::NotFound,
                format!(
                    "No connector {id_or_name:?}: `psa-bridge connector list` shows ids and names"
                ),
            )
        })
}
