//! The last fresh report of each connector, kept as JSON in the data folder
//! (`reports/connector-<id>.json`) so `psa-bridge report --last` and the Reconcile page can show
//! it again without reading Coro or the PSA. Written to a temporary file and renamed, so a crash
//! never leaves half a report; it holds only what the report shows (no secret exists in it).

use std::path::{Path, PathBuf};

use chrono::{DateTime, Utc};

use super::model::Report;
use crate::model::ConnectorId;

/// Why the saved report could not be kept or read.
#[derive(Debug, thiserror::Error)]
pub enum SavedError {
    #[error("Could not save the report in {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
    #[error("Could not read the saved report {path}: {why}. Run `psa-bridge report` without --last for a fresh one")]
    Read { path: PathBuf, why: String },
}

fn path_of(data_dir: &Path, connector: ConnectorId) -> PathBuf {
    data_dir
        .join("reports")
        .join(format!("connector-{}.json", connector.0))
}

/// Keeps `report` as the connector's last one.
pub fn save(data_dir: &Path, report: &Report) -> Result<(), SavedError> {
    let path = path_of(data_dir, report.connector_id);
    let write = |path: &Path| -> std::io::Result<()> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let json = serde_json::to_vec(report).map_err(std::io::Error::other)?;
        let tmp = path.with_extension("json.tmp");
        std::fs::write(&tmp, json)?;
        std::fs::rename(&tmp, path)
    };
    write(&path).map_err(|source| SavedError::Write {
        path: path.clone(),
        source,
    })
}

/// The connector's last report with its age at `now` (`None`: there is none yet).
pub fn load(
    data_dir: &Path,
    connector: ConnectorId,
    now: DateTime<Utc>,
) -> Result<Option<Report>, SavedError> {
    let path = path_of(data_dir, connector);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(SavedError::Read {
                path,
                why: e.to_string(),
            })
        }
    };
    let mut report: Report = serde_json::from_slice(&bytes).map_err(|e| SavedError::Read {
        path: path.clone(),
        why: e.to_string(),
    })?;
    report.age_seconds = Some((now - report.read_at).num_seconds().max(0));
    Ok(Some(report))
}

/// "3 minutes", "2 hours", "5 days": how old a report is, in words.
pub fn age_text(seconds: i64) -> String {
    let (n, unit) = match seconds {
        s if s < 90 => (s, "second"),
        s if s < 90 * 60 => (s / 60, "minute"),
        s if s < 36 * 3600 => (s / 3600, "hour"),
        s => (s / 86_400, "day"),
    };
    format!("{n} {unit}{}", if n == 1 { "" } else { "s" })
}
