//! `psa-bridge diagnostics` and Settings → *Save diagnostics…*: one `.tar.gz` an operator can
//! send to support — the app version and build, OS, connector kinds and PSA versions, recent
//! run summaries and logs, and one raw sample of each Coro read (a search page, one workspace's
//! subscriptions and usage) and each PSA read the sync uses, fetched live through the real
//! clients ([`crate::http::capture`]). Everything goes through [`Redactor`] first: no secret,
//! token or authorization value, and customer names hashed unless the operator asks for names.
//!
//! tar.gz rather than zip: `flate2` is already in the tree and `tar` (rust-lang) adds one small
//! dependency, where the `zip` crate pulls in several compression codecs we do not need.

use std::collections::{BTreeMap, HashMap};
use std::io::Write;
use std::path::{Path, PathBuf};

use chrono::Utc;
use serde::{Deserialize, Serialize};
use serde_json::{json, Value};
use ts_rs::TS;

use super::blocking;
use super::diagnostics_redact::Redactor;
use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::http::capture::Capture;
use crate::model::{CompanyRef, ProductRef};
use crate::psa::Psa;
use crate::secrets::SecretKey;
use crate::store;

/// The command a parse failure points the operator to.
pub const COMMAND: &str = "psa-bridge diagnostics";

/// The top folder inside the archive.
const ROOT: &str = "psa-bridge-diagnostics";
/// Log bytes kept per file (the end of it).
const LOG_TAIL: usize = 512 * 1024;

/// What was saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[ts(export, export_to = "../../ui/src/bindings/")]
pub struct DiagnosticsSaved {
    /// The archive's full path.
    pub path: String,
    /// The files inside it.
    pub files: Vec<String>,
    /// Reads that failed while collecting (the archive says why too).
    pub problems: Vec<String>,
}

/// The default archive path: `<data dir>/diagnostics/psa-bridge-diagnostics-<UTC time>.tar.gz`.
pub fn default_path(data_dir: &Path) -> PathBuf {
    data_dir.join("diagnostics").join(format!(
        "psa-bridge-diagnostics-{}.tar.gz",
        Utc::now().format("%Y%m%d-%H%M%S")
    ))
}

/// Collects and writes the archive to `out` (default: [`default_path`]).
pub async fn save(
    ctx: &AppContext,
    out: Option<PathBuf>,
    names: bool,
) -> Result<DiagnosticsSaved, ApiError> {
    let capture = Capture::default();
    let mut problems: Vec<String> = Vec::new();
    let mut customer_names: Vec<String> = Vec::new();

    // Coro: a search page (the discovery), one workspace's subscriptions and usage.
    match super::coro::client_of(ctx).await {
        Ok(client) => {
            client.capture_into(capture.clone());
            match client.workspaces().await {
                Ok(list) => {
                    customer_names.extend(list.iter().map(|w| w.name.clone()));
                    if let Some(w) = list.iter().find(|w| !w.archived) {
                        if let Err(e) = client.workspace_usage(&w.id, &HashMap::new()).await {
                            problems.push(format!("Coro usage of one workspace: {e}"));
                        }
                    }
                }
                Err(e) => problems.push(format!("Coro workspaces: {e}")),
            }
        }
        Err(e) => problems.push(format!("Coro: {}", e.message)),
    }

    // Each connector: its version (the live check) and the reads a sync makes.
    let rows = blocking(ctx, |ctx| Ok(store::connectors::list(&ctx.store.conn()?)?)).await?;
    let mut connectors = Vec::new();
    for row in &rows {
        let id = row.id;
        let (workspaces, services) = blocking(ctx, move |ctx| {
            let conn = ctx.store.conn()?;
            Ok((
                store::mappings::list_workspaces(&conn, id)?,
                store::mappings::list_services(&conn, id)?,
            ))
        })
        .await?;
        customer_names.extend(workspaces.iter().map(|w| w.link.company_name.clone()));
        customer_names.extend(workspaces.iter().map(|w| w.link.workspace_name.clone()));
        let mut version = Value::Null;
        match super::connectors::client_of(ctx, row).await {
            Ok(psa) => {
                psa.capture_into(capture.clone());
                match psa.check().await {
                    Ok(c) => version = Value::String(c.detail),
                    Err(e) => problems.push(format!("{} check: {e}", row.name)),
                }
                if let Err(e) = psa.list_products(None).await {
                    problems.push(format!("{} products: {e}", row.name));
                }
                let company: Vec<CompanyRef> = workspaces
                    .iter()
                    .take(1)
                    .map(|w| w.link.company_id)
                    .collect();
                let product: Vec<ProductRef> =
                    services.iter().take(1).map(|s| s.link.product_id).collect();
                if !company.is_empty() && !product.is_empty() {
                    if let Err(e) = psa.read_billing(&company, &product).await {
                        problems.push(format!("{} billing read: {e}", row.name));
                    }
                }
                // Every company name the PSA lists, only to hash them (never written as is).
                match psa.list_companies(None).await {
                    Ok(list) => customer_names.extend(list.into_iter().map(|c| c.name)),
                    Err(e) => problems.push(format!("{} companies: {e}", row.name)),
                }
            }
            Err(e) => problems.push(format!("{}: {}", row.name, e.message)),
        }
        connectors.push(json!({
            "id": row.id.0,
            "kind": row.kind,
            "name": row.name,
            "version": version,
            "config": row.config,
            "workspaces_mapped": workspaces.len(),
            "services_mapped": services.len(),
        }));
    }

    let ids: Vec<_> = rows.iter().map(|r| r.id).collect();
    let samples = capture.samples();
    blocking(ctx, move |ctx| {
        let secrets = known_secrets(ctx, &ids);
        let r = Redactor::new(secrets, customer_names, names);
        let mut files: BTreeMap<String, Vec<u8>> = BTreeMap::new();
        let mut put = |name: String, v: &Value| {
            let text = serde_json::to_string_pretty(&r.json(v)).unwrap_or_default();
            files.insert(name, r.text(&text).into_bytes());
        };
        put("about.json".into(), &about(ctx, names));
        put("connectors.json".into(), &Value::Array(connectors));
        let runs = super::sync::list_runs(ctx, None, 20)
            .map(|r| serde_json::to_value(r).unwrap_or_default())
            .unwrap_or_else(|e| json!({"error": e.message}));
        put("runs.json".into(), &runs);
        put("problems.json".into(), &json!(problems));
        for (key, body) in &samples {
            files.insert(sample_name(key), r.body(body).into_bytes());
        }
        for (name, text) in recent_logs(&ctx.data_dir) {
            files.insert(format!("logs/{name}"), r.text(&text).into_bytes());
        }
        let path = out.unwrap_or_else(|| default_path(&ctx.data_dir));
        write_archive(&path, &files)?;
        Ok(DiagnosticsSaved {
            path: path.to_string_lossy().into_owned(),
            files: files.keys().cloned().collect(),
            problems,
        })
    })
    .await
}

fn about(ctx: &AppContext, names: bool) -> Value {
    let coro = ctx
        .store
        .conn()
        .ok()
        .and_then(|c| store::coro::get(&c).ok().flatten());
    json!({
        "app": "psa-bridge",
        "version": crate::build_info::VERSION,
        "commit": crate::build_info::COMMIT,
        "os": std::env::consts::OS,
        "arch": std::env::consts::ARCH,
        "family": std::env::consts::FAMILY,
        "generated_at": Utc::now().to_rfc3339(),
        "customer_names": if names { "included (--names)" } else { "replaced by customer-<sha256 prefix>" },
        "coro": coro.map(|c| json!({"region": c.settings.region, "base_url": c.settings.base_url})),
    })
}

/// Every secret this computer holds for the app, only to remove it wherever it might appear.
fn known_secrets(ctx: &AppContext, connectors: &[crate::model::ConnectorId]) -> Vec<String> {
    let mut keys = vec![SecretKey::CoroClientSecret];
    keys.extend(connectors.iter().map(|id| SecretKey::ConnectorSecret(*id)));
    keys.iter()
        .filter_map(|k| ctx.secrets.get(k).ok().flatten())
        .map(|s| s.expose().to_string())
        .collect()
}

/// `coro GET /v1/workspaces/search` → `samples/coro/GET_v1_workspaces_search.json`.
fn sample_name(key: &str) -> String {
    let mut parts = key.splitn(2, ' ');
    let vendor = parts.next().unwrap_or("other");
    let rest: String = parts
        .next()
        .unwrap_or_default()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect();
    let rest = rest
        .split('_')
        .filter(|p| !p.is_empty())
        .collect::<Vec<_>>()
        .join("_");
    format!("samples/{vendor}/{rest}.json")
}

/// The newest two log files (their last [`LOG_TAIL`] bytes), when the app keeps any.
fn recent_logs(data_dir: &Path) -> Vec<(String, String)> {
    let dir = data_dir.join("logs");
    let Ok(entries) = std::fs::read_dir(&dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.is_file())
        .collect();
    files.sort();
    files
        .iter()
        .rev()
        .take(2)
        .filter_map(|p| {
            let bytes = std::fs::read(p).ok()?;
            let start = bytes.len().saturating_sub(LOG_TAIL);
            let name = p.file_name()?.to_string_lossy().into_owned();
            Some((name, String::from_utf8_lossy(&bytes[start..]).into_owned()))
        })
        .collect()
}

fn io_error(path: &Path, e: std::io::Error) -> ApiError {
    ApiError::new(
        ErrorCode::InvalidInput,
        format!(
            "Could not write the diagnostics archive {}: {e}. Choose another place (--out FILE)",
            path.display()
        ),
    )
}

/// Writes `files` under [`ROOT`] as a tar.gz: to a temporary file beside `path`, renamed into
/// place only when complete, so a failure leaves nothing half-written.
fn write_archive(path: &Path, files: &BTreeMap<String, Vec<u8>>) -> Result<(), ApiError> {
    if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
        std::fs::create_dir_all(parent).map_err(|e| io_error(path, e))?;
    }
    let tmp = path.with_extension("partial");
    let written = (|| -> std::io::Result<()> {
        let file = std::fs::File::create(&tmp)?;
        let gz = flate2::write::GzEncoder::new(file, flate2::Compression::default());
        let mut tar = tar::Builder::new(gz);
        let now = Utc::now().timestamp().max(0) as u64;
        for (name, bytes) in files {
            let mut header = tar::Header::new_gnu();
            header.set_size(bytes.len() as u64);
            header.set_mode(0o644);
            header.set_mtime(now);
            header.set_cksum();
            tar.append_data(&mut header, format!("{ROOT}/{name}"), bytes.as_slice())?;
        }
        let mut gz = tar.into_inner()?;
        gz.flush()?;
        gz.finish()?.sync_all()
    })();
    if let Err(e) = written {
        let _ = std::fs::remove_file(&tmp);
        return Err(io_error(path, e));
    }
    std::fs::rename(&tmp, path).map_err(|e| {
        let _ = std::fs::remove_file(&tmp);
        io_error(path, e)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_failures_name_this_command() {
        use crate::coro::client::CoroError;
        let errors = [
            CoroError::Decode {
                what: "reading the usage of workspace a_1".into(),
                detail: "expected an object".into(),
            },
            CoroError::UsageShape {
                workspace: "a_1".into(),
                detail: "no moduleStatistics".into(),
            },
        ];
        for e in errors {
            assert!(e.to_string().contains(COMMAND), "{e}");
        }
        assert!(crate::error::DIAGNOSTICS_HINT.contains(COMMAND));
    }

    #[test]
    fn sample_names_and_archive() {
        assert_eq!(
            sample_name("coro GET /v1/workspaces/search"),
            "samples/coro/GET_v1_workspaces_search.json"
        );
        assert_eq!(
            sample_name("connectwise GET /v4_6_release/apis/3.0/finance/agreements/{id}/additions"),
            "samples/connectwise/GET_v4_6_release_apis_3_0_finance_agreements_id_additions.json"
        );
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("sub/out.tar.gz");
        let files = BTreeMap::from([("a.json".to_string(), b"{}".to_vec())]);
        write_archive(&path, &files).unwrap();
        let gz = flate2::read::GzDecoder::new(std::fs::File::open(&path).unwrap());
        let mut ar = tar::Archive::new(gz);
        let names: Vec<String> = ar
            .entries()
            .unwrap()
            .map(|e| e.unwrap().path().unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec![format!("{ROOT}/a.json")]);
        assert!(!path.with_extension("partial").exists());
        // A folder where the file should go: a clear error, nothing left behind.
        let blocked = dir.path().join("sub");
        let err = write_archive(&blocked, &files).unwrap_err();
        assert!(err.message.contains("--out FILE"), "{}", err.message);
    }
}
