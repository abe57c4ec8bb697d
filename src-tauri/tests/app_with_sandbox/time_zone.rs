//! An Autotask connector's time zone through the app layer (what the CLI and the dialog call),
//! against the sandbox over loopback with an in-memory keychain: refused names, the zone stored
//! and used by the client, changed later, and the default for connectors stored before it.

use std::sync::Arc;

use serde_json::json;

use psa_bridge::app::connectors::{add_autotask, client_for, require, set_time_zone};
use psa_bridge::app::PsaClient;
use psa_bridge::autotask::tz::machine_zone;
use psa_bridge::context::AppContext;
use psa_bridge::error::ErrorCode;
use psa_bridge::model::PsaKind;
use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge::secrets::{MemoryStore, Sensitive};
use psa_bridge::store;
use psa_bridge::views::AutotaskInput;

fn input(sb: &sandbox::Sandbox, name: &str, zone: Option<&str>) -> AutotaskInput {
    let at = &sb.info.autotask;
    AutotaskInput {
        name: Some(name.into()),
        username: at.username.clone(),
        secret: Sensitive::new(at.secret.clone()),
        integration_code: psa_bridge::secrets::Sensitive::new(at.integration_code.clone()),
        zone_url: Some(at.zone_url.clone()),
        time_zone: zone.map(str::to_string),
    }
}

fn client_zone(ctx: &AppContext, id: psa_bridge::model::ConnectorId) -> Option<String> {
    match client_for(ctx, &require(ctx, id).unwrap()).unwrap() {
        PsaClient::Autotask(c) => c.time_zone().map(|z| z.name().to_string()),
        PsaClient::Connectwise(_) => None,
    }
}

#[tokio::test]
async fn the_zone_is_checked_stored_used_and_changed() {
    let sb = sandbox::start(SandboxOptions::default()).await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::volatile());
    let ctx = AppContext::with_secrets(dir.path(), secrets.clone()).unwrap();

    // A typo is refused before anything is checked or stored, with the fix in the message.
    let err = add_autotask(&ctx, input(&sb, "typo", Some("Europe/Berln")))
        .await
        .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert_eq!(
        err.message,
        "Europe/Berln is not a time zone; did you mean Europe/Berlin? Use an IANA name like America/New_York"
    );
    assert!(psa_bridge::app::status::connector_summaries(&ctx)
        .unwrap()
        .is_empty());

    // Stored (normalised) with the connector, shown in the summary, used by the client.
    let added = add_autotask(&ctx, input(&sb, "Tonga", Some("pacific/tongatapu")))
        .await
        .unwrap();
    assert_eq!(added.time_zone.as_deref(), Some("Pacific/Tongatapu"));
    assert_eq!(
        require(&ctx, added.id).unwrap().config["time_zone"],
        "Pacific/Tongatapu"
    );
    assert_eq!(
        client_zone(&ctx, added.id).as_deref(),
        Some("Pacific/Tongatapu")
    );

    // Changed later; a wrong name changes nothing.
    let changed = set_time_zone(&ctx, added.id, "America/New_York").unwrap();
    assert_eq!(changed.time_zone.as_deref(), Some("America/New_York"));
    assert_eq!(
        client_zone(&ctx, added.id).as_deref(),
        Some("America/New_York")
    );
    let err = set_time_zone(&ctx, added.id, "+13").unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.starts_with("+13 is not a time zone"),
        "{}",
        err.message
    );
    assert_eq!(
        client_zone(&ctx, added.id).as_deref(),
        Some("America/New_York")
    );

    // No zone given: this computer's. (One connector per Autotask account: the first goes.)
    psa_bridge::app::connectors::remove(&ctx, added.id).unwrap();
    let plain = add_autotask(&ctx, input(&sb, "Plain", None)).await.unwrap();
    let machine = machine_zone().zone.name().to_string();
    assert_eq!(plain.time_zone.as_deref(), Some(machine.as_str()));

    // Only Autotask connectors have one.
    let conn = ctx.store.conn().unwrap();
    let cw = store::connectors::insert(
        &conn,
        PsaKind::Connectwise,
        "CW",
        &json!({}),
        chrono::Utc::now(),
    )
    .unwrap();
    let err = set_time_zone(&ctx, cw, "UTC").unwrap_err();
    assert!(
        err.message.contains("only Autotask connectors"),
        "{}",
        err.message
    );
    assert_eq!(
        psa_bridge::app::status::connector_summaries(&ctx)
            .unwrap()
            .iter()
            .find(|s| s.id == cw)
            .unwrap()
            .time_zone,
        None
    );

    // A connector stored before zones existed gets this computer's zone when the data is opened.
    let mut old = require(&ctx, plain.id).unwrap().config;
    old.as_object_mut().unwrap().remove("time_zone");
    store::connectors::update(&conn, plain.id, "Plain", &old, chrono::Utc::now()).unwrap();
    drop(conn);
    assert_eq!(
        require(&ctx, plain.id).unwrap().config.get("time_zone"),
        None
    );
    let reopened = AppContext::with_secrets(dir.path(), secrets).unwrap();
    assert_eq!(
        require(&reopened, plain.id).unwrap().config["time_zone"],
        json!(machine)
    );
}
