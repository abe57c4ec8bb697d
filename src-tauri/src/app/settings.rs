//! The Settings screen: the ConnectWise clientId, the daily sync time and pause, notification and
//! safety preferences. Stored in the `settings` table; nothing here is secret.

use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::store::settings as kv;
use crate::views::SettingsView;

pub const CONNECTWISE_CLIENT_ID: &str = "connectwise_client_id";
pub const DAILY_SYNC_TIME: &str = "daily_sync_time";
pub const DAILY_SYNC_PAUSED: &str = crate::context::keys::DAILY_SYNC_PAUSED;
pub const NOTIFY_SUCCESS: &str = "notify_success";
pub const MAX_DECREASE_SHARE: &str = "max_decrease_share";
pub const MAX_INCREASE_FACTOR: &str = "max_increase_factor";
pub const MIN_INCREASE_UNITS: &str = "min_increase_units";

pub const DEFAULT_SYNC_TIME: &str = "06:00";
pub const DEFAULT_MAX_DECREASE_SHARE: f64 = 0.5;

pub fn get(ctx: &AppContext) -> Result<SettingsView, ApiError> {
    let conn = ctx.store.conn()?;
    Ok(SettingsView {
        connectwise_client_id: kv::get(&conn, CONNECTWISE_CLIENT_ID)?
            .filter(|s| !s.trim().is_empty()),
        daily_sync_time: kv::get(&conn, DAILY_SYNC_TIME)?
            .unwrap_or_else(|| DEFAULT_SYNC_TIME.to_string()),
        daily_sync_paused: kv::get_bool(&conn, DAILY_SYNC_PAUSED)?.unwrap_or(false),
        notify_success: kv::get_bool(&conn, NOTIFY_SUCCESS)?.unwrap_or(false),
        max_decrease_share: kv::get(&conn, MAX_DECREASE_SHARE)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_MAX_DECREASE_SHARE),
        max_increase_factor: kv::get(&conn, MAX_INCREASE_FACTOR)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(crate::sync::plan::DEFAULT_MAX_INCREASE_FACTOR),
        min_increase_units: kv::get(&conn, MIN_INCREASE_UNITS)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(crate::sync::plan::DEFAULT_MIN_INCREASE_UNITS),
    })
}

/// `HH:MM` (24 h) or an error that says how to write it.
pub fn parse_time(value: &str) -> Result<chrono::NaiveTime, ApiError> {
    chrono::NaiveTime::parse_from_str(value.trim(), "%H:%M").map_err(|_| {
        ApiError::new(
            ErrorCode::InvalidInput,
            format!("The daily sync time {value:?} is not a time: write it as HH:MM, e.g. 06:00"),
        )
    })
}

/// Validates everything first, then writes all of it in one transaction.
pub fn save(ctx: &AppContext, view: &SettingsView) -> Result<SettingsView, ApiError> {
    let time = parse_time(&view.daily_sync_time)?;
    if !(0.0..=1.0).contains(&view.max_decrease_share) || view.max_decrease_share.is_nan() {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "The largest automatic decrease must be between 0 % and 100 %",
        ));
    }
    if !(1.0..=1000.0).contains(&view.max_increase_factor) {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "The increase factor must be between 1 and 1000 (2 holds increases to more than double)",
        ));
    }
    if !(0..=1_000_000).contains(&view.min_increase_units) {
        return Err(ApiError::new(
            ErrorCode::InvalidInput,
            "The minimum held increase must be a whole number of units from 0 to 1,000,000",
        ));
    }
    let client_id = view
        .connectwise_client_id
        .as_deref()
        .map(str::trim)
        .unwrap_or("");
    let conn = ctx.store.conn()?;
    crate::store::write(&conn, |c| {
        kv::set(c, CONNECTWISE_CLIENT_ID, client_id)?;
        kv::set(c, DAILY_SYNC_TIME, &time.format("%H:%M").to_string())?;
        kv::set_bool(c, DAILY_SYNC_PAUSED, view.daily_sync_paused)?;
        kv::set_bool(c, NOTIFY_SUCCESS, view.notify_success)?;
        kv::set(c, MAX_DECREASE_SHARE, &view.max_decrease_share.to_string())?;
        kv::set(
            c,
            MAX_INCREASE_FACTOR,
            &view.max_increase_factor.to_string(),
        )?;
        kv::set(c, MIN_INCREASE_UNITS, &view.min_increase_units.to_string())?;
        Ok(())
    })?;
    get(ctx)
}

/// Sets only the ConnectWise clientId (CLI `--client-id`).
pub fn set_client_id(ctx: &AppContext, client_id: &str) -> Result<(), ApiError> {
    let conn = ctx.store.conn()?;
    kv::set(&conn, CONNECTWISE_CLIENT_ID, client_id.trim())?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ctx() -> (tempfile::TempDir, AppContext) {
        let dir = tempfile::tempdir().expect("tmp");
        let ctx = AppContext::with_secrets(
            dir.path(),
            std::sync::Arc::new(crate::secrets::MemoryStore::volatile()),
        )
        .expect("ctx");
        (dir, ctx)
    }

    #[test]
    fn defaults_then_round_trip() {
        let (_d, ctx) = ctx();
        let v = get(&ctx).expect("get");
        assert_eq!(v.daily_sync_time, "06:00");
        assert_eq!(v.max_decrease_share, 0.5);
        assert!(!v.daily_sync_paused && !v.notify_success && v.connectwise_client_id.is_none());
        let want = SettingsView {
            connectwise_client_id: Some("abc".into()),
            daily_sync_time: "7:05".into(),
            daily_sync_paused: true,
            notify_success: true,
            max_decrease_share: 0.25,
            max_increase_factor: 3.0,
            min_increase_units: 25,
        };
        assert_eq!((v.max_increase_factor, v.min_increase_units), (2.0, 10));
        let got = save(&ctx, &want).expect("save");
        assert_eq!((got.max_increase_factor, got.min_increase_units), (3.0, 25));
        assert_eq!(got.daily_sync_time, "07:05");
        assert_eq!(got.connectwise_client_id.as_deref(), Some("abc"));
        assert!(got.daily_sync_paused && got.notify_success);
        assert_eq!(got.max_decrease_share, 0.25);
    }

    #[test]
    fn bad_values_are_refused_and_nothing_is_written() {
        let (_d, ctx) = ctx();
        for (time, share, factor, units) in [
            ("25:00", 0.5, 2.0, 10),
            ("six", 0.5, 2.0, 10),
            ("06:00", 1.5, 2.0, 10),
            ("06:00", -0.1, 2.0, 10),
            ("06:00", 0.5, 0.5, 10),
            ("06:00", 0.5, f64::NAN, 10),
            ("06:00", 0.5, 2.0, -1),
        ] {
            let v = SettingsView {
                connectwise_client_id: Some("x".into()),
                daily_sync_time: time.into(),
                daily_sync_paused: true,
                notify_success: false,
                max_decrease_share: share,
                max_increase_factor: factor,
                min_increase_units: units,
            };
            let e = save(&ctx, &v).expect_err(time);
            assert_eq!(e.code, ErrorCode::InvalidInput);
        }
        assert_eq!(
            get(&ctx).expect("get").connectwise_client_id,
            None,
            "nothing half-written"
        );
    }
}
