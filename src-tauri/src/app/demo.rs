//! Demo mode (`psa-bridge --sandbox`): a fresh data folder wired to the in-process sandbox with
//! the demo credentials — Coro connected, a ConnectWise and an Autotask connector, and the
//! suggested workspace and service mappings accepted — so a newcomer sees every screen with data
//! and can preview and apply a sync straight away.

use crate::context::AppContext;
use crate::error::ApiError;
use crate::model::{CompanyRef, ProductRef};
use crate::sandbox::SandboxInfo;
use crate::secrets::Sensitive;
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
