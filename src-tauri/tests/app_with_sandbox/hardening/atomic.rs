//! A failed add or connect leaves the database and the keychain exactly as they were.

use std::sync::Arc;

use super::{autotask_input, connectwise_input, context, coro_input, dump, keychain, sandbox};
use psa_bridge::app;
use psa_bridge::secrets::{
    MemoryStore, SecretError, SecretKey, SecretStore, SecretsLocation, Sensitive,
};

/// A keychain that refuses writes (a locked keyring, a denied prompt) but reads normally.
struct RefusingStore(MemoryStore);

impl SecretStore for RefusingStore {
    fn location(&self) -> SecretsLocation {
        SecretsLocation::Memory
    }
    fn get(&self, key: &SecretKey) -> Result<Option<Sensitive<String>>, SecretError> {
        self.0.get(key)
    }
    fn set(&self, _: &SecretKey, _: &Sensitive<String>) -> Result<(), SecretError> {
        Err(SecretError::Locked {
            what: "test".into(),
            hint: "unlock it",
        })
    }
    fn delete(&self, key: &SecretKey) -> Result<(), SecretError> {
        self.0.delete(key)
    }
}

fn db_files(dir: &std::path::Path) -> Vec<Vec<u8>> {
    ["", "-wal"]
        .iter()
        .map(|s| {
            std::fs::read(dir.join(format!("{}{s}", psa_bridge::store::DB_FILE_NAME)))
                .unwrap_or_default()
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn failed_adds_and_connects_change_nothing() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::volatile());
    let ctx = context(dir.path(), secrets.clone());
    let cw = &sb.info.connectwise;
    let coro_secret = sb.info.coro.client_secret.clone();

    // A working set-up to keep intact: Coro connected, one connector, a clientId in Settings.
    app::settings::set_client_id(&ctx, &cw.client_id).unwrap();
    app::coro::connect(&ctx, coro_input(&sb, &coro_secret))
        .await
        .unwrap();
    app::connectors::add_connectwise(&ctx, connectwise_input(&sb, "First", &cw.private_key))
        .await
        .unwrap();
    let db_before = dump(&ctx);
    let keys_before = keychain(secrets.as_ref());
    let files_before = db_files(dir.path());

    // 1. A ConnectWise add with a new --client-id and a wrong private key: refused by the check,
    //    and the mistyped clientId is not saved (it would break every ConnectWise connector).
    let err = app::connectors::add_connectwise_with_client_id(
        &ctx,
        connectwise_input(&sb, "Second", "wrong-private-key"),
        Some("typo-client-id".into()),
    )
    .await
    .unwrap_err();
    assert_ne!(err.code, psa_bridge::error::ErrorCode::Internal, "{err:?}");
    // 2. A wrong new Coro secret: the working one stays.
    app::coro::connect(&ctx, coro_input(&sb, "wrong-coro-secret"))
        .await
        .unwrap_err();
    // 3. An Autotask add with a wrong secret.
    app::connectors::add_autotask(&ctx, autotask_input(&sb, "AT", "wrong-at-secret"))
        .await
        .unwrap_err();
    // 4. A name already taken (the check passes; the save is refused).
    app::connectors::add_connectwise(&ctx, connectwise_input(&sb, "first", &cw.private_key))
        .await
        .unwrap_err();
    assert_eq!(dump(&ctx), db_before);
    assert_eq!(keychain(secrets.as_ref()), keys_before);
    assert_eq!(
        db_files(dir.path()),
        files_before,
        "not one byte of the database files changed"
    );
    assert_eq!(
        app::settings::get(&ctx)
            .unwrap()
            .connectwise_client_id
            .as_deref(),
        Some(cw.client_id.as_str())
    );
}

/// The keychain refusing the secret after the check passed: the reserved row is taken back and
/// the id sequence restored, so the database is as it was; the Coro secret in use is kept.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_keychain_refusal_after_the_check_changes_nothing() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let inner = MemoryStore::volatile();
    inner
        .set(
            &SecretKey::CoroClientSecret,
            &Sensitive::new("previous".into()),
        )
        .unwrap();
    let secrets = Arc::new(RefusingStore(inner));
    let ctx = context(dir.path(), secrets.clone());
    let cw = &sb.info.connectwise;
    let db_before = dump(&ctx);
    let keys_before = keychain(secrets.as_ref());

    app::connectors::add_connectwise_with_client_id(
        &ctx,
        connectwise_input(&sb, "CW", &cw.private_key),
        Some(cw.client_id.clone()),
    )
    .await
    .unwrap_err();
    app::connectors::add_autotask(&ctx, autotask_input(&sb, "AT", &sb.info.autotask.secret))
        .await
        .unwrap_err();
    app::coro::connect(&ctx, coro_input(&sb, &sb.info.coro.client_secret))
        .await
        .unwrap_err();
    assert_eq!(dump(&ctx), db_before);
    assert_eq!(keychain(secrets.as_ref()), keys_before);
}

/// The Coro connection failing to save after its new secret was written puts the old secret
/// back.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_failed_coro_save_restores_the_previous_secret() {
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let secrets = Arc::new(MemoryStore::volatile());
    let ctx = context(dir.path(), secrets.clone());
    secrets
        .set(
            &SecretKey::CoroClientSecret,
            &Sensitive::new("previous".into()),
        )
        .unwrap();
    // Any write to the Coro connection now fails, as a full disk or a locked database would.
    ctx.store
        .conn()
        .unwrap()
        .execute_batch(
            "CREATE TRIGGER refuse BEFORE INSERT ON coro_connection
             BEGIN SELECT RAISE(ABORT, 'disk full'); END;",
        )
        .unwrap();
    let db_before = dump(&ctx);
    app::coro::connect(&ctx, coro_input(&sb, &sb.info.coro.client_secret))
        .await
        .unwrap_err();
    assert_eq!(dump(&ctx), db_before);
    assert_eq!(
        secrets
            .get(&SecretKey::CoroClientSecret)
            .unwrap()
            .map(|s| s.expose().clone())
            .as_deref(),
        Some("previous")
    );
}
