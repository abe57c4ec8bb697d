//! `psa-bridge map workspace|service …` and `psa-bridge unmap workspace|service …`.

use clap::{Args, Subcommand, ValueEnum};

use super::output::print_json;
use crate::app;
use crate::context::AppContext;
use crate::error::ApiError;
use crate::model::Unit;
use crate::model::{CompanyRef, ProductRef};
use crate::views::{MapService, MapWorkspace};

#[derive(Debug, Subcommand)]
pub enum MapCmd {
    /// Bill a Coro workspace to a PSA company (one company per workspace).
    Workspace(MapWorkspaceArgs),
    /// Bill a Coro service as a PSA product (one product per service).
    Service(MapServiceArgs),
}

#[derive(Debug, Subcommand)]
pub enum UnmapCmd {
    Workspace(UnmapArgs),
    Service(UnmapArgs),
}

#[derive(Debug, Args)]
pub struct MapWorkspaceArgs {
    pub connector: String,
    pub workspace_id: String,
    pub company_id: i64,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum UnitArg {
    Device,
    User,
    /// The larger of protected users and protected devices.
    Max,
}

#[derive(Debug, Args)]
pub struct MapServiceArgs {
    pub connector: String,
    pub service_key: String,
    pub product_id: i64,
    /// Bill in this unit instead of the service's default (`max`: the larger of protected users
    /// and devices).
    #[arg(long, value_enum)]
    pub unit: Option<UnitArg>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Args)]
pub struct UnmapArgs {
    pub connector: String,
    /// Workspace id or service key.
    pub key: String,
    #[arg(long)]
    pub json: bool,
}

pub fn map(ctx: &AppContext, cmd: &MapCmd) -> Result<(), ApiError> {
    let rt = super::runtime()?;
    match cmd {
        MapCmd::Workspace(a) => {
            let row = app::connectors::resolve(ctx, &a.connector)?;
            let req = MapWorkspace {
                connector_id: row.id,
                workspace_id: a.workspace_id.clone(),
                company_id: CompanyRef(a.company_id),
            };
            let rows = rt.block_on(app::mappings::map_workspace(ctx, &req))?;
            let done = rows.iter().find(|r| r.workspace_id == a.workspace_id);
            if a.json {
                return print_json(&done);
            }
            if let Some(r) = done {
                println!(
                    "Mapped workspace {} to {}.",
                    r.name,
                    r.company.as_ref().map(|c| c.name.as_str()).unwrap_or("?")
                );
            }
            Ok(())
        }
        MapCmd::Service(a) => {
            let row = app::connectors::resolve(ctx, &a.connector)?;
            let req = MapService {
                connector_id: row.id,
                service_key: a.service_key.clone(),
                product_id: ProductRef(a.product_id),
                unit: a.unit.map(|u| match u {
                    UnitArg::Device => Unit::Device,
                    UnitArg::User => Unit::User,
                    UnitArg::Max => Unit::Max,
                }),
            };
            let rows = rt.block_on(app::mappings::map_service(ctx, &req))?;
            let key = crate::coro::bundles::canonical_key(&a.service_key);
            let done = rows.iter().find(|r| r.service_key == key);
            if a.json {
                return print_json(&done);
            }
            if let Some(r) = done {
                println!(
                    "Mapped service {} to {}.",
                    r.name,
                    r.product.as_ref().map(|p| p.name.as_str()).unwrap_or("?")
                );
            }
            Ok(())
        }
    }
}

pub fn unmap(ctx: &AppContext, cmd: &UnmapCmd) -> Result<(), ApiError> {
    let rt = super::runtime()?;
    let (a, what) = match cmd {
        UnmapCmd::Workspace(a) => (a, "workspace"),
        UnmapCmd::Service(a) => (a, "service"),
    };
    let row = app::connectors::resolve(ctx, &a.connector)?;
    match cmd {
        UnmapCmd::Workspace(_) => {
            rt.block_on(app::mappings::unmap_workspace(ctx, row.id, &a.key))?;
        }
        UnmapCmd::Service(_) => {
            rt.block_on(app::mappings::unmap_service(ctx, row.id, &a.key))?;
        }
    }
    if a.json {
        print_json(&serde_json::json!({ "unmapped": what, "key": a.key }))
    } else {
        println!("Unmapped {what} {}.", a.key);
        Ok(())
    }
}

impl MapCmd {
    pub fn wants_json(&self) -> bool {
        match self {
            MapCmd::Workspace(a) => a.json,
            MapCmd::Service(a) => a.json,
        }
    }
}

impl UnmapCmd {
    pub fn wants_json(&self) -> bool {
        match self {
            UnmapCmd::Workspace(a) | UnmapCmd::Service(a) => a.json,
        }
    }
}
