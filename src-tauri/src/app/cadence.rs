//! A connector's billing cadence and noise threshold (see [`crate::sync::cadence`]), for the CLI
//! (`psa-bridge connector billing`) and the UI.

use crate::context::AppContext;
use crate::error::ApiError;
use crate::model::ConnectorId;
use crate::store;
use crate::sync::cadence::{self, Billing};

pub fn get(ctx: &AppContext, connector: ConnectorId) -> Result<Billing, ApiError> {
    let conn = ctx.store.conn()?;
    store::connectors::require(&conn, connector)?;
    Ok(cadence::load(&conn, connector)?)
}

/// Stores `billing` after checking it (a bad day or threshold is refused, nothing stored).
pub fn set(
    ctx: &AppContext,
    connector: ConnectorId,
    billing: &Billing,
) -> Result<Billing, ApiError> {
    let conn = ctx.store.conn()?;
    cadence::save(&conn, connector, billing)?;
    Ok(cadence::load(&conn, connector)?)
}
