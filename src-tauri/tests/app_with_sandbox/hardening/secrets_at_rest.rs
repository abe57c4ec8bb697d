//! The secrets entered through the real add and connect paths never reach the SQLite file, its
//! WAL or the log output; the non-secret identifiers do (so the scan reads the real files).

use std::io::Write;
use std::sync::{Arc, Mutex, OnceLock};

use super::{autotask_input, connectwise_input, context, coro_input, sandbox};
use psa_bridge::app;
use psa_bridge::secrets::{KeyringStore, MemoryStore, SecretKey, SecretStore};
use psa_bridge::store::DB_FILE_NAME;

/// Everything logged by this test binary from the first call on (debug level, every crate).
fn log_output() -> Arc<Mutex<Vec<u8>>> {
    static LOG: OnceLock<Arc<Mutex<Vec<u8>>>> = OnceLock::new();
    LOG.get_or_init(|| {
        let buf = Arc::new(Mutex::new(Vec::new()));
        let writer = Captured(buf.clone());
        let _ = tracing_subscriber::fmt()
            .with_max_level(tracing::Level::DEBUG)
            .with_writer(move || writer.clone())
            .with_ansi(false)
            .try_init();
        buf
    })
    .clone()
}

#[derive(Clone)]
struct Captured(Arc<Mutex<Vec<u8>>>);

impl Write for Captured {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        if let Ok(mut v) = self.0.lock() {
            v.extend_from_slice(b);
        }
        Ok(b.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

fn database_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-journal"] {
        if let Ok(b) = std::fs::read(dir.join(format!("{DB_FILE_NAME}{suffix}"))) {
            bytes.extend(b);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

async fn secrets_stay_out(make: impl FnOnce(&str) -> Arc<dyn SecretStore>) {
    let log = log_output();
    tracing::info!("secrets-at-rest scan starts");
    let sb = sandbox().await;
    let dir = tempfile::tempdir().unwrap();
    let install = {
        let store = psa_bridge::store::Store::open_in(dir.path()).unwrap();
        psa_bridge::store::settings::install_id(&store.conn().unwrap()).unwrap()
    };
    let secrets = make(&install);
    let ctx = context(dir.path(), secrets.clone());
    let (coro, cw, at) = (&sb.info.coro, &sb.info.connectwise, &sb.info.autotask);

    app::settings::set_client_id(&ctx, &cw.client_id).unwrap();
    app::coro::connect(&ctx, coro_input(&sb, &coro.client_secret))
        .await
        .unwrap();
    let c1 = app::connectors::add_connectwise(&ctx, connectwise_input(&sb, "CW", &cw.private_key))
        .await
        .unwrap();
    let c2 = app::connectors::add_autotask(&ctx, autotask_input(&sb, "AT", &at.secret))
        .await
        .unwrap();
    app::connectors::test(&ctx, c1.id).await.unwrap();
    app::connectors::test(&ctx, c2.id).await.unwrap();
    // A failed add's secret is not kept anywhere either.
    let wrong = "Wr0ng-but-still-s3cret-key";
    app::connectors::add_connectwise(&ctx, connectwise_input(&sb, "CW2", wrong))
        .await
        .unwrap_err();
    tracing::info!("secrets-at-rest scan ends");

    let bytes = database_bytes(dir.path());
    assert!(
        contains(&bytes, cw.public_key.as_bytes()) && contains(&bytes, at.username.as_bytes()),
        "the scan reads the real files"
    );
    let log = log.lock().map(|l| l.clone()).unwrap_or_default();
    assert!(
        contains(&log, b"secrets-at-rest scan ends"),
        "the scan reads the real log output"
    );
    let secret_values = [
        coro.client_secret.as_str(),
        cw.private_key.as_str(),
        at.secret.as_str(),
        wrong,
    ];
    for secret in secret_values {
        assert!(
            !contains(&bytes, secret.as_bytes()),
            "a secret is in the database files"
        );
        assert!(
            !contains(&log, secret.as_bytes()),
            "a secret is in the log output"
        );
    }
    // Sent as a header on every call: never logged either.
    assert!(!contains(&log, at.integration_code.as_bytes()));
    // Also after a checkpoint moves the WAL into the main file.
    ctx.store
        .conn()
        .unwrap()
        .execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    let bytes = database_bytes(dir.path());
    for secret in secret_values {
        assert!(!contains(&bytes, secret.as_bytes()));
    }
    // The secrets are where they belong.
    assert_eq!(
        secrets
            .get(&SecretKey::ConnectorSecret(c1.id))
            .unwrap()
            .unwrap()
            .expose(),
        &cw.private_key
    );
    for key in [
        SecretKey::CoroClientSecret,
        SecretKey::ConnectorSecret(c1.id),
        SecretKey::ConnectorSecret(c2.id),
    ] {
        secrets.delete(&key).unwrap();
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn secrets_stay_out_of_sqlite_and_logs_with_memory_store() {
    secrets_stay_out(|_| Arc::new(MemoryStore::volatile())).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs a desktop session: scripts/test.sh"]
async fn secrets_stay_out_of_sqlite_and_logs_with_the_os_keychain() {
    secrets_stay_out(|install| Arc::new(KeyringStore::new(install))).await;
}
