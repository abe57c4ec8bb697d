//! End-to-end over loopback: the real engine (`app::sync::run`), the real clients and the
//! in-process sandbox, wired the way demo mode wires them (Coro and a ConnectWise connector with
//! the demo credentials and the suggested mappings), with secrets in memory. Each test reads
//! the truth from the sandbox's own state, never from what the product reports.

mod coro_data;
mod line_choice;
mod off_the_runtime;
mod read_faults;

use std::sync::Arc;

use serde_json::Value;

use psa_bridge::context::AppContext;
use psa_bridge::model::{ConnectorId, PsaKind};
use psa_bridge::sandbox::{self, Sandbox, SandboxOptions};
use psa_bridge::secrets::MemoryStore;
use psa_bridge::store::{self, mappings::BillingUnit};
use psa_bridge::sync::{RunResult, Trigger};

pub struct Connected {
    pub sb: Sandbox,
    pub ctx: AppContext,
    pub cw: ConnectorId,
    _dir: tempfile::TempDir,
}

/// A fresh sandbox and data folder, connected and mapped like demo mode.
pub async fn connected() -> Connected {
    let sb = sandbox::start(SandboxOptions::default())
        .await
        .expect("sandbox");
    let dir = tempfile::tempdir().expect("temp dir");
    let ctx =
        AppContext::with_secrets(dir.path(), Arc::new(MemoryStore::volatile())).expect("context");
    psa_bridge::app::demo::seed(&ctx, &sb.info)
        .await
        .expect("demo seed");
    let rows = store::connectors::list(&ctx.store.conn().expect("conn")).expect("connectors");
    let cw = rows
        .iter()
        .find(|r| r.kind == PsaKind::Connectwise)
        .expect("a ConnectWise connector")
        .id;
    Connected {
        sb,
        ctx,
        cw,
        _dir: dir,
    }
}

/// One mapped (workspace, service) pair as both simulated vendors hold it now.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pair {
    pub workspace: String,
    pub service: String,
    pub company: i64,
    /// Coro's count in the mapping's unit (0 for a service the workspace does not use).
    pub coro: i64,
    /// Whether Coro bills the workspace at all (not archived or inactive).
    pub billed: bool,
    /// The one active addition billing the pair: (agreement id, addition id, quantity).
    pub line: Option<(i64, i64, i64)>,
}

impl Connected {
    /// Every mapped pair, from the sandbox state.
    pub fn pairs(&self) -> Vec<Pair> {
        let conn = self.ctx.store.conn().expect("conn");
        let workspaces = store::mappings::list_workspaces(&conn, self.cw).expect("workspaces");
        let services = store::mappings::list_services(&conn, self.cw).expect("services");
        let coro = self.sb.coro.state.lock().expect("coro state");
        let cw = self.sb.connectwise.state.lock().expect("cw state");
        let mut out = Vec::new();
        for w in &workspaces {
            let company = w.link.company_id.0;
            let agreements = cw.snapshot(Some(&company.to_string()));
            let ws = coro.workspace(&w.link.workspace_id.0);
            for s in &services {
                let counts = ws.and_then(|ws| ws.services.get(&s.link.service_key));
                let coro_count = match (counts, s.link.unit) {
                    (Some(c), _) if !c.enabled => 0,
                    (Some(c), Some(BillingUnit::Device)) => c.protected_devices,
                    (Some(c), Some(BillingUnit::User)) => c.protected_users,
                    (Some(c), Some(BillingUnit::Max)) => c.protected_users.max(c.protected_devices),
                    (Some(c), None) => c.quantity(),
                    (None, _) => 0,
                };
                let lines: Vec<(i64, i64, i64)> = agreements
                    .iter()
                    .flat_map(|a| a.additions.iter().map(move |x| (a.id, x)))
                    .filter(|(_, x)| x.active && x.product_id == s.link.product_id.0)
                    .map(|(a, x)| (a, x.id, x.quantity.round() as i64))
                    .collect();
                out.push(Pair {
                    workspace: w.link.workspace_id.0.clone(),
                    service: s.link.service_key.clone(),
                    company,
                    coro: i64::from(coro_count),
                    billed: ws.is_some_and(|ws| ws.status == "SUBSCRIPTION"),
                    line: match lines.as_slice() {
                        [only] => Some(*only),
                        _ => None,
                    },
                });
            }
        }
        out
    }

    /// A real sync of the ConnectWise connector (held changes approved, as `--approve-held`).
    pub async fn sync(&self) -> RunResult {
        let quiet = |_| {};
        match psa_bridge::app::sync::run(&self.ctx, self.cw, Trigger::Cli, false, true, &quiet)
            .await
        {
            Ok(r) => r,
            Err(e) => panic!("the run failed as a whole: {}", e.message),
        }
    }
}

/// `POST {base}/_sandbox/route-faults` with `body`.
pub async fn arm(base: &str, body: Value) {
    let resp = reqwest::Client::new()
        .post(format!("{base}/_sandbox/route-faults"))
        .json(&body)
        .send()
        .await
        .expect("control");
    assert!(resp.status().is_success(), "{body}: {}", resp.status());
}

/// Pairs a sync can and must bring to Coro's count: one line, a billed workspace.
pub fn syncable(pairs: &[Pair]) -> impl Iterator<Item = &Pair> {
    pairs.iter().filter(|p| p.billed && p.line.is_some())
}

/// The first syncable pair whose line must change.
pub fn needs_change(pairs: &[Pair]) -> Pair {
    syncable(pairs)
        .find(|p| p.line.is_some_and(|(_, _, q)| q != p.coro))
        .cloned()
        .expect("the demo data has lines to change")
}
