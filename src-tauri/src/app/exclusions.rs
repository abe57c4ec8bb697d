//! *Exclude from billing* / *Include again* for one workspace × service of a connector, recorded
//! with the operator's name (the OS user) and the time; the planner skips excluded pairs.

use chrono::Utc;

use crate::context::AppContext;
use crate::error::ApiError;
use crate::model::ConnectorId;
use crate::store;

/// Who is excluding: the OS user running the app (or the CLI).
fn operator() -> String {
    ["USER", "USERNAME", "LOGNAME"]
        .iter()
        .find_map(|k| std::env::var(k).ok().filter(|v| !v.trim().is_empty()))
        .unwrap_or_else(|| "this computer's user".to_string())
}

/// Excludes (or includes again) a pair. Blocking (SQLite).
pub fn set_excluded(
    ctx: &AppContext,
    connector: ConnectorId,
    workspace_id: &str,
    service_key: &str,
    excluded: bool,
) -> Result<(), ApiError> {
    let conn = ctx.store.conn()?;
    if excluded {
        store::exclusions::exclude(
            &conn,
            connector,
            workspace_id,
            service_key,
            &operator(),
            Utc::now(),
        )?;
    } else {
        store::exclusions::include(&conn, connector, workspace_id, service_key)?;
    }
    tracing::info!(connector = %connector, workspace = workspace_id, service = service_key, excluded, "billing exclusion changed");
    Ok(())
}
