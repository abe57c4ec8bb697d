//! Test-only proof that secrets stay out of the database: store a connector through both layers
//! the way the app does, then scan the raw bytes of the SQLite file and its WAL.

use crate::model::PsaKind;
use crate::secrets::{MemoryStore, SecretKey, SecretStore, Sensitive};
use crate::store::testing::{at, temp_store};
use crate::store::{connectors, DB_FILE_NAME};

/// Bytes of the database file and its WAL, for "the secret is not in here" checks.
fn database_bytes(dir: &std::path::Path) -> Vec<u8> {
    let mut bytes = Vec::new();
    for suffix in ["", "-wal", "-shm", "-journal"] {
        if let Ok(b) = std::fs::read(dir.join(format!("{DB_FILE_NAME}{suffix}"))) {
            bytes.extend(b);
        }
    }
    bytes
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}

/// Stores a connector through both layers, the way the app does, and checks that the
/// database files never hold the secret while they do hold the identifiers.
pub(crate) fn secret_stays_out_of_the_database(secrets: &dyn SecretStore, secret: &str) {
    let t = temp_store();
    let conn = t.store.conn().unwrap();
    let config =
        serde_json::json!({"site": "na.myconnectwise.net", "public_key": "PUBKEY-visible"});
    let id = connectors::insert(&conn, PsaKind::Connectwise, "Main", &config, at(0)).unwrap();
    let key = SecretKey::ConnectorSecret(id);
    secrets
        .set(&key, &Sensitive::new(secret.to_string()))
        .unwrap();
    assert_eq!(secrets.get(&key).unwrap().unwrap().expose(), secret);

    let bytes = database_bytes(t.dir.path());
    assert!(
        contains(&bytes, b"PUBKEY-visible"),
        "the scan reads the real files"
    );
    assert!(
        !contains(&bytes, secret.as_bytes()),
        "secret found in the database files"
    );
    // Also after a checkpoint moves the WAL into the main file.
    conn.execute_batch("PRAGMA wal_checkpoint(TRUNCATE)")
        .unwrap();
    assert!(!contains(&database_bytes(t.dir.path()), secret.as_bytes()));
    secrets.delete(&key).unwrap();
}

#[test]
fn secret_never_reaches_sqlite_with_memory_store() {
    secret_stays_out_of_the_database(&MemoryStore::volatile(), "pr1v4te-K3y-never-in-sqlite");
}
