//! Editing a connector against the in-process sandbox (real HTTP over loopback, a real SQLite
//! file, an in-memory keychain): a rotated key is checked live and kept with the mappings; a
//! wrong one, a name taken or an account held elsewhere changes nothing (database and keychain).

use std::sync::Arc;

use serde_json::json;

use crate::hardening::{autotask_input, connectwise_input, context, dump, keychain, sandbox};
use psa_bridge::app::connector_edit::{edit, ConnectorEdit};
use psa_bridge::app::{self, connectors};
use psa_bridge::error::ErrorCode;
use psa_bridge::model::{CompanyRef, ConnectionState, ConnectorId, PsaKind, WorkspaceId};
use psa_bridge::secrets::{MemoryStore, SecretKey, SecretStore, Sensitive};
use psa_bridge::store;

fn key(v: &str) -> Option<Sensitive<String>> {
    Some(Sensitive::new(v.to_string()))
}

fn map_one(ctx: &psa_bridge::context::AppContext, id: ConnectorId) {
    let conn = ctx.store.conn().unwrap();
    let link = store::mappings::WorkspaceLink {
        workspace_id: WorkspaceId("ws-1".into()),
        workspace_name: "Acme".into(),
        company_id: CompanyRef(42),
        company_name: "Acme Inc".into(),
    };
    store::mappings::map_workspace(&conn, id, &link, chrono::Utc::now()).unwrap();
}

fn mapped(ctx: &psa_bridge::context::AppContext, id: ConnectorId) -> usize {
    store::mappings::list_workspaces(&ctx.store.conn().unwrap(), id)
        .unwrap()
        .len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_rotated_key_is_checked_and_kept_with_the_mappings() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::volatile());
    let ctx = context(dir.path(), secrets.clone());
    let cw = &sb.info.connectwise;
    app::settings::set_client_id(&ctx, &cw.client_id).unwrap();
    let added = connectors::add_connectwise(&ctx, connectwise_input(&sb, "CW", &cw.private_key))
        .await
        .unwrap();
    let id = added.id;
    map_one(&ctx, id);
    // The key was rotated in ConnectWise: the stored one no longer works.
    let slot = SecretKey::ConnectorSecret(id);
    secrets
        .set(&slot, &Sensitive::new("old-rotated-out".into()))
        .unwrap();
    let tested = connectors::test(&ctx, id).await.unwrap();
    assert_eq!(tested.status.state, ConnectionState::Error);

    // A wrong new key: refused by the live check; nothing changes.
    let (db, keys) = (dump(&ctx), keychain(secrets.as_ref()));
    let err = edit(
        &ctx,
        id,
        ConnectorEdit {
            name: Some("Renamed".into()),
            private_key: key("still-wrong"),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::Unauthorized, "{err:?}");
    assert_eq!(dump(&ctx), db, "nothing saved");
    assert_eq!(keychain(secrets.as_ref()), keys, "the keychain unchanged");

    // The right new key (with a rename): checked, saved, Connected, same id, mapping kept.
    let s = edit(
        &ctx,
        id,
        ConnectorEdit {
            name: Some("Renamed".into()),
            private_key: key(&format!(" {} ", cw.private_key)),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!((s.id, s.name.as_str()), (id, "Renamed"));
    assert_eq!(s.status.state, ConnectionState::Connected);
    assert_eq!(mapped(&ctx, id), 1, "the mapping survived the edit");
    assert_eq!(
        secrets.get(&slot).unwrap().map(|v| v.expose().clone()),
        Some(cw.private_key.clone())
    );

    // A name another connector holds: the check passes and the new key is written, then the
    // save is refused — and the key is put back.
    let conn = ctx.store.conn().unwrap();
    store::connectors::insert(
        &conn,
        PsaKind::Connectwise,
        "Taken",
        &json!({}),
        chrono::Utc::now(),
    )
    .unwrap();
    drop(conn);
    secrets
        .set(&slot, &Sensitive::new(cw.private_key.clone()))
        .unwrap();
    let (db, keys) = (dump(&ctx), keychain(secrets.as_ref()));
    let err = edit(
        &ctx,
        id,
        ConnectorEdit {
            name: Some("taken".into()),
            private_key: key(&cw.private_key),
            client_id: Some(format!("{}-new", cw.client_id)),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    // (The sandbox refuses an unknown clientId, so the check fails before the save here.)
    assert_ne!(err.code, ErrorCode::Internal, "{err:?}");
    assert_eq!(dump(&ctx), db);
    assert_eq!(keychain(secrets.as_ref()), keys);
    let err = edit(
        &ctx,
        id,
        ConnectorEdit {
            name: Some("taken".into()),
            private_key: key(&cw.private_key),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert!(err.message.contains("already exists"), "{err:?}");
    assert_eq!(dump(&ctx), db, "the row is as it was");
    assert_eq!(keychain(secrets.as_ref()), keys, "the previous key is back");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn editing_into_a_held_account_and_foreign_fields_are_refused() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::volatile());
    let ctx = context(dir.path(), secrets.clone());
    let (cw, at) = (&sb.info.connectwise, &sb.info.autotask);
    app::settings::set_client_id(&ctx, &cw.client_id).unwrap();
    connectors::add_connectwise(&ctx, connectwise_input(&sb, "Main", &cw.private_key))
        .await
        .unwrap();
    let att = connectors::add_autotask(&ctx, autotask_input(&sb, "AT", &at.secret))
        .await
        .unwrap();
    // A second Autotask add for the same API user is refused before any call, naming "AT".
    let err = connectors::add_autotask(&ctx, autotask_input(&sb, "AT 2", &at.secret))
        .await
        .unwrap_err();
    assert!(
        err.message.contains("Connector 'AT' (id"),
        "{}",
        err.message
    );

    // Another ConnectWise connector (another company) edited onto Main's company: refused.
    let conn = ctx.store.conn().unwrap();
    let other = store::connectors::insert(
        &conn,
        PsaKind::Connectwise,
        "Other",
        &json!({"site": cw.site, "company": "someone-else", "public_key": "p"}),
        chrono::Utc::now(),
    )
    .unwrap();
    drop(conn);
    let db = dump(&ctx);
    let err = edit(
        &ctx,
        other,
        ConnectorEdit {
            company: Some(cw.company.to_uppercase()),
            ..Default::default()
        },
    )
    .await
    .unwrap_err();
    assert_eq!(err.code, ErrorCode::InvalidInput);
    assert!(
        err.message.contains("Connector 'Main' (id"),
        "{}",
        err.message
    );
    assert_eq!(dump(&ctx), db);

    // ConnectWise fields on an Autotask connector, or an emptied field: refused by name.
    for (e, needle) in [
        (
            ConnectorEdit {
                site: Some("x".into()),
                ..Default::default()
            },
            "has no site",
        ),
        (
            ConnectorEdit {
                username: Some(" ".into()),
                ..Default::default()
            },
            "user name is empty",
        ),
        (
            ConnectorEdit {
                time_zone: Some("Europe/Berln".into()),
                ..Default::default()
            },
            "did you mean Europe/Berlin",
        ),
    ] {
        let err = edit(&ctx, att.id, e).await.unwrap_err();
        assert!(err.message.contains(needle), "{}", err.message);
    }
    assert_eq!(dump(&ctx), db);

    // A new time zone and name need no live call: saved even with the sandbox unreachable.
    drop(sb);
    let s = edit(
        &ctx,
        att.id,
        ConnectorEdit {
            name: Some("Autotask NZ".into()),
            time_zone: Some("Pacific/Auckland".into()),
            ..Default::default()
        },
    )
    .await
    .unwrap();
    assert_eq!(s.name, "Autotask NZ");
    assert_eq!(s.time_zone.as_deref(), Some("Pacific/Auckland"));
}
