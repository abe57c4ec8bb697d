//! Tests of the add/connect paths end to end against the in-process sandbox (real HTTP over
//! loopback, a real SQLite file): nothing half-written, no secret at rest in the database or logs.

mod atomic;
mod secrets_at_rest;

use std::path::Path;
use std::sync::Arc;

use psa_bridge::context::AppContext;
use psa_bridge::sandbox::{self, Sandbox, SandboxOptions};
use psa_bridge::secrets::{SecretKey, SecretStore, Sensitive};
use psa_bridge::views::{AutotaskInput, ConnectwiseInput, CoroInput};

pub async fn sandbox() -> Sandbox {
    sandbox::start(SandboxOptions::default())
        .await
        .expect("sandbox starts")
}

pub fn context(dir: &Path, secrets: Arc<dyn SecretStore>) -> AppContext {
    AppContext::with_secrets(dir, secrets).expect("context opens")
}

pub fn coro_input(sb: &Sandbox, secret: &str) -> CoroInput {
    let i = &sb.info.coro;
    CoroInput {
        region: i.region.clone(),
        client_id: i.client_id.clone(),
        client_secret: Sensitive::new(secret.to_string()),
        channel: i.channel.clone(),
    }
}

pub fn connectwise_input(sb: &Sandbox, name: &str, private_key: &str) -> ConnectwiseInput {
    let i = &sb.info.connectwise;
    ConnectwiseInput {
        name: Some(name.to_string()),
        company: i.company.clone(),
        site: i.site.clone(),
        public_key: i.public_key.clone(),
        private_key: Sensitive::new(private_key.to_string()),
        client_id: None,
    }
}

pub fn autotask_input(sb: &Sandbox, name: &str, secret: &str) -> AutotaskInput {
    let i = &sb.info.autotask;
    AutotaskInput {
        name: Some(name.to_string()),
        username: i.username.clone(),
        secret: Sensitive::new(secret.to_string()),
        integration_code: Sensitive::new(i.integration_code.clone()),
        zone_url: Some(i.zone_url.clone()),
        time_zone: Some(i.time_zone.clone()),
    }
}

/// Every row of every table (schema included), as text: the database's whole logical state.
pub fn dump(ctx: &AppContext) -> Vec<String> {
    let conn = ctx.store.conn().expect("conn");
    let mut tables: Vec<String> = {
        let mut st = conn
            .prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")
            .expect("prepare");
        let rows = st.query_map([], |r| r.get(0)).expect("query");
        rows.map(|r| r.expect("row")).collect()
    };
    tables.push("sqlite_master".into());
    let mut out = Vec::new();
    for t in tables {
        let mut st = conn
            .prepare(&format!("SELECT * FROM \"{t}\" ORDER BY 1"))
            .expect("prepare");
        let n = st.column_count();
        let mut rows = st.query([]).expect("query");
        while let Some(row) = rows.next().expect("next") {
            let cells: Vec<String> = (0..n)
                .map(|i| format!("{:?}", row.get_ref(i).expect("cell")))
                .collect();
            out.push(format!("{t}: {}", cells.join(" | ")));
        }
    }
    out
}

/// What the store holds under the keys an add or connect can touch.
pub fn keychain(secrets: &dyn SecretStore) -> Vec<Option<String>> {
    let mut keys = vec![SecretKey::CoroClientSecret];
    keys.extend((1..=6).map(|i| SecretKey::ConnectorSecret(psa_bridge::model::ConnectorId(i))));
    keys.iter()
        .map(|k| {
            secrets
                .get(k)
                .expect("keychain readable")
                .map(|v| v.expose().clone())
        })
        .collect()
}
