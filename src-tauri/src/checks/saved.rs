//! The last checks of each connector, kept as JSON in the data folder
//! (`checks/connector-<id>.json`) so the Connectors page can count problems without reading
//! the PSA. Written to a temporary file and renamed; it holds only what the checks show.

use std::path::{Path, PathBuf};

use super::model::CheckReport;
use crate::model::ConnectorId;

fn path_of(data_dir: &Path, connector: ConnectorId) -> PathBuf {
    data_dir
        .join("checks")
        .join(format!("connector-{}.json", connector.0))
}

/// Keeps `report` as the connector's last checks.
pub fn save(data_dir: &Path, report: &CheckReport) -> std::io::Result<()> {
    let path = path_of(data_dir, report.connector_id);
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let json = serde_json::to_vec(report).map_err(std::io::Error::other)?;
    let tmp = path.with_extension("json.tmp");
    std::fs::write(&tmp, json)?;
    std::fs::rename(&tmp, path)
}

/// The connector's last checks (`None`: none yet, or a copy that cannot be read — the next
/// check replaces it).
pub fn load(data_dir: &Path, connector: ConnectorId) -> Option<CheckReport> {
    let bytes = std::fs::read(path_of(data_dir, connector)).ok()?;
    serde_json::from_slice(&bytes).ok()
}
