//! Demo mode (`psa-bridge --sandbox`): a fresh data folder wired to the in-process sandbox with
//! the demo credentials — Coro connected, a ConnectWise and an Autotask connector, and the
//! suggested workspace and service mappings accepted — so a newcomer sees every screen with data
//! and can preview and apply a sync straight away.

use std::path::PathBuf;
use std::sync::Arc;

use crate::context::AppContext;
use crate::error::{ApiError, ErrorCode};
use crate::model::{CompanyRef, ProductRef};
use crate::sandbox::SandboxInfo;
use crate::secrets::{MemoryStore, Sensitive};
use crate::store;
use crate::views::{AutotaskInput, ConnectwiseInput, CoroInput, MapService, MapWorkspace};

/// Connects everything with the demo credentials and accepts the suggested mappings.
pub async fn seed(ctx: &AppContext, info: &SandboxInfo) -> Result<(), ApiError> {
    super::settings::set_client_id(ctx, &info.connectwise.client_id)?;
    super::coro::connect(
        ctx,
        CoroInput {
            region: info.coro.region.clone(),
            client_id: info.coro.client_id.clone(),
            client_secret: Sensitive::new(info.coro.client_secret.clone()),
            channel: info.coro.channel.clone(),
        },
    )
    .await?;
    let cw = super::connectors::add_connectwise(
        ctx,
        ConnectwiseInput {
            name: Some("ConnectWise (demo)".into()),
            company: info.connectwise.company.clone(),
            site: info.connectwise.site.clone(),
            public_key: info.connectwise.public_key.clone(),
            private_key: Sensitive::new(info.connectwise.private_key.clone()),
            client_id: None,
        },
    )
    .await?;
    super::connectors::add_autotask(
        ctx,
        AutotaskInput {
            name: Some("Autotask (demo)".into()),
            username: info.autotask.username.clone(),
            secret: Sensitive::new(info.autotask.secret.clone()),
            integration_code: Sensitive::new(info.autotask.integration_code.clone()),
            zone_url: Some(info.autotask.zone_url.clone()),
            time_zone: Some(info.autotask.time_zone.clone()),
        },
    )
    .await?;
    // Accept the suggestions for the ConnectWise connector, leaving a couple of workspaces and
    // the Autotask connector for the newcomer to map by hand.
    let rows = super::mappings::workspace_rows(ctx, cw.id).await?;
    for row in rows.iter().filter(|r| r.company.is_none()).skip(2) {
        if let Some(s) = &row.suggestion {
            let req = MapWorkspace {
                connector_id: cw.id,
                workspace_id: row.workspace_id.clone(),
                company_id: CompanyRef(s.id),
            };
            super::mappings::map_workspace(ctx, &req).await?;
        }
    }
    let services = super::mappings::service_rows(ctx, cw.id).await?;
    for row in services.iter().filter(|r| r.product.is_none()) {
        if let Some(s) = &row.suggestion {
            let req = MapService {
                connector_id: cw.id,
                service_key: row.service_key.clone(),
                product_id: ProductRef(s.id),
                unit: None,
            };
            super::mappings::map_service(ctx, &req).await?;
        }
    }
    Ok(())
}

/// Demo mode: a sandbox running on its own runtime plus a context on its own data folder
/// (`sandbox/` inside the normal one).
pub struct Demo {
    pub sandbox: crate::sandbox::Sandbox,
    /// Keeps the sandbox's servers running; dropped last.
    _runtime: tokio::runtime::Runtime,
}

/// Opens demo mode: starts the sandbox (ports from 47800 when free, so the URLs the README
/// names work; any free ports otherwise) and a fresh demo data folder seeded by
/// [`seed`].
pub fn open(data_dir_flag: Option<PathBuf>) -> Result<(AppContext, Demo), ApiError> {
    let base = crate::paths::data_dir(data_dir_flag)?;
    let dir = base.join("sandbox");
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::new(
            ErrorCode::Storage,
            format!("could not create {}: {e}", dir.display()),
        )
    })?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(1)
        .thread_name("sandbox")
        .enable_all()
        .build()
        .map_err(|e| {
            ApiError::new(
                ErrorCode::Internal,
                format!("could not start the sandbox runtime: {e}"),
            )
        })?;
    let fixed = crate::sandbox::SandboxOptions {
        port_base: 47800,
        ..Default::default()
    };
    let sandbox = match runtime.block_on(crate::sandbox::start(fixed)) {
        Ok(sb) => sb,
        Err(e) => {
            tracing::warn!(error = %e, "fixed sandbox ports busy; using free ports");
            runtime
                .block_on(crate::sandbox::start(
                    crate::sandbox::SandboxOptions::default(),
                ))
                .map_err(|e| ApiError::new(ErrorCode::Internal, e.to_string()))?
        }
    };
    // A fresh demo every launch: the sandbox's data is fresh too, and its ports may differ.
    if dir.join(store::DB_FILE_NAME).exists() {
        let _ = std::fs::remove_dir_all(&dir);
    }
    std::fs::create_dir_all(&dir).map_err(|e| {
        ApiError::new(
            ErrorCode::Storage,
            format!("could not create {}: {e}", dir.display()),
        )
    })?;
    // The demo's throwaway secrets live in memory only: the real keychain is never touched.
    let ctx = AppContext::with_secrets(&dir, Arc::new(MemoryStore::volatile()))?;
    runtime.block_on(seed(&ctx, &sandbox.info))?;
    Ok((
        ctx,
        Demo {
            sandbox,
            _runtime: runtime,
        },
    ))
}

impl Demo {
    /// The sandbox's demo credentials, to pre-fill the forms.
    pub fn defaults(&self) -> crate::views::SandboxDefaults {
        let i = &self.sandbox.info;
        crate::views::SandboxDefaults {
            connectwise_company: i.connectwise.company.clone(),
            connectwise_site: i.connectwise.site.clone(),
            connectwise_public_key: i.connectwise.public_key.clone(),
            connectwise_private_key: i.connectwise.private_key.clone(),
            autotask_username: i.autotask.username.clone(),
            autotask_secret: i.autotask.secret.clone(),
            autotask_integration_code: i.autotask.integration_code.clone(),
            autotask_zone_url: i.autotask.zone_url.clone(),
            autotask_time_zone: i.autotask.time_zone.clone(),
            coro_region: i.coro.region.clone(),
            coro_client_id: i.coro.client_id.clone(),
            coro_client_secret: i.coro.client_secret.clone(),
            coro_channel: i.coro.channel.clone(),
        }
    }
}
