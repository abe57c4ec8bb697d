//! A ready sync setup for the end-to-end tests: the in-process sandbox, a data folder with Coro
//! connected and one connector whose every workspace and service is mapped, and what the PSA
//! holds.

use std::collections::HashMap;
use std::path::Path;

use psa_bridge::sandbox::seed::SERVICES;
use psa_bridge::sandbox::{self, Sandbox, SandboxOptions};

use crate::sandbox_cli::{
    add_connector, connect_coro, json_ok, map_services, map_workspaces, runtime, Psa,
};

pub struct Setup {
    pub rt: tokio::runtime::Runtime,
    pub sb: Sandbox,
    pub data: tempfile::TempDir,
    /// The connector's id.
    pub id: String,
}

impl Setup {
    /// A sandbox, Coro connected, one connector of `psa` with every workspace and service mapped.
    pub fn new(psa: Psa) -> anyhow::Result<Setup> {
        let rt = runtime();
        let sb = rt.block_on(sandbox::start(SandboxOptions::default()))?;
        let data = tempfile::tempdir()?;
        connect_coro(data.path(), &sb);
        let id = add_connector(data.path(), &sb, psa);
        map_services(data.path(), &id, &sb, psa);
        map_workspaces(data.path(), &id, &sb, psa);
        let connectors = json_ok(data.path(), &["connector", "list", "--json"], None);
        assert_eq!(
            connectors[0]["workspace_mapping"]["mapped"],
            sb.world.customers.len(),
            "{connectors}"
        );
        assert_eq!(
            connectors[0]["service_mapping"]["mapped"],
            SERVICES.len(),
            "{connectors}"
        );
        Ok(Setup { rt, sb, data, id })
    }

    pub fn d(&self) -> &Path {
        self.data.path()
    }
}

/// Every quantity the PSA holds (not only the mapped pairs): ConnectWise additions by id,
/// Autotask contract services' units today by id.
pub fn all_quantities(sb: &Sandbox, psa: Psa) -> HashMap<i64, i64> {
    match psa {
        Psa::Connectwise => {
            let st = sb.connectwise.state.lock().expect("state");
            st.additions
                .iter()
                .filter_map(|a| Some((a["id"].as_i64()?, a["quantity"].as_f64()?.round() as i64)))
                .collect()
        }
        Psa::Autotask => {
            let st = sb.autotask.state.lock().expect("state");
            let today = st.time_zone.today();
            st.current_units(today).into_iter().collect()
        }
    }
}
