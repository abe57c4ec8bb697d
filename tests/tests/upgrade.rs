//! Upgrades keep everything: a data folder at the previous schema level — connectors, mappings,
//! runs, and a run cut short with an item still `pending` (journaled before a PSA write whose
//! answer never came) — opened by this build's binary. The data is all there, the schema is
//! current, the pending item is settled the way recovery settles it (by re-reading the PSA:
//! the line still holds the old quantity, so the write never landed → `failed`, not re-sent),
//! and the keychain entries the older version stored are found (the connector test and a sync
//! need them).
//!
//! The older database is made the way an older version left it: the real CLI fills it against
//! the sandbox (so the keychain entries are real too), then it is taken back to schema 1 — the
//! tables later migrations add are dropped and their rows in `schema_migrations` removed. The
//! migrations are forward-only and never edited once landed, so schema 1 is exactly what the
//! first release wrote.

use std::path::Path;

use psa_bridge::sandbox::{self, SandboxOptions};
use psa_bridge_e2e::sandbox_cli::{
    add_connector, connect_coro, json_ok, map_services, map_workspaces, runtime, stderr, Psa,
};
use psa_bridge_e2e::{cli, require_desktop_session};
use rusqlite::{params, Connection};

/// Tables added after schema 1 (migrations 0002, 0005 and 0007), dropped to rebuild the older database.
/// A migration that adds a table adds it here, or this test fails re-creating it.
const LATER_TABLES: [&str; 4] = [
    "psa_companies",
    "psa_products",
    "billing_exclusions",
    "psa_tickets",
];
const OLD_LEVEL: i64 = 1;

fn db(data: &Path) -> Connection {
    match Connection::open(data.join("psa-bridge.sqlite3")) {
        Ok(c) => c,
        Err(e) => panic!("open the database: {e}"),
    }
}

fn count(conn: &Connection, table: &str) -> i64 {
    conn.query_row(&format!("SELECT count(*) FROM {table}"), [], |r| r.get(0))
        .unwrap_or_else(|e| panic!("count {table}: {e}"))
}

fn level(conn: &Connection) -> i64 {
    conn.query_row("SELECT max(version) FROM schema_migrations", [], |r| {
        r.get(0)
    })
    .unwrap_or_else(|e| panic!("schema level: {e}"))
}

const TABLES: [&str; 7] = [
    "settings",
    "coro_connection",
    "connectors",
    "workspace_mappings",
    "service_mappings",
    "sync_runs",
    "sync_run_items",
];

#[test]
#[ignore = "needs a desktop session: scripts/test.sh"]
fn an_older_database_upgrades_with_data_pending_items_and_keychain_intact() {
    require_desktop_session("upgrade");
    let psa = Psa::Connectwise;
    let rt = runtime();
    let sb = rt
        .block_on(sandbox::start(SandboxOptions::default()))
        .expect("sandbox");
    let data = tempfile::tempdir().expect("temp dir");
    let d = data.path();

    // What the older version left: connected, mapped, synced once.
    connect_coro(d, &sb);
    let id = add_connector(d, &sb, psa);
    map_services(d, &id, &sb, psa);
    map_workspaces(d, &id, &sb, psa);
    let first = cli(d, &["sync", &id, "--approve-held", "--json"], None);
    assert_eq!(first.status.code(), Some(0), "{}", stderr(&first));
    let before = json_ok(d, &["connector", "list", "--json"], None);

    // ... and then a sync killed after journaling a write as pending, before the PSA answered:
    // the line still holds the old quantity (the applied item's `after`).
    let (pending_run, pending_item, line_qty) = {
        let conn = db(d);
        conn.execute(
            "INSERT INTO sync_runs (connector_id, trigger, dry_run, status, started_at, planned)
             VALUES (?1, 'cli', 0, 'running', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), 1)",
            params![id.parse::<i64>().expect("connector id")],
        )
        .expect("running run");
        let run = conn.last_insert_rowid();
        let (qty,): (i64,) = conn
            .query_row(
                "SELECT after_qty FROM sync_run_items
                 WHERE outcome = 'applied' AND after_qty IS NOT NULL ORDER BY id LIMIT 1",
                [],
                |r| Ok((r.get(0)?,)),
            )
            .expect("an applied item from the first sync");
        conn.execute(
            "INSERT INTO sync_run_items (run_id, workspace_id, workspace_name, service_key,
                 company_id, product_id, line_ref, action, before_qty, after_qty, outcome,
                 updated_at)
             SELECT ?1, workspace_id, workspace_name, service_key, company_id, product_id,
                 line_ref, 'increase', after_qty, after_qty + 3, 'pending',
                 strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
             FROM sync_run_items
             WHERE outcome = 'applied' AND after_qty IS NOT NULL ORDER BY id LIMIT 1",
            params![run],
        )
        .expect("pending item");
        (run, conn.last_insert_rowid(), qty)
    };

    // Back to schema 1, as the older version's database is.
    let counts_before: Vec<i64> = {
        let conn = db(d);
        for t in LATER_TABLES {
            conn.execute_batch(&format!("DROP TABLE {t}"))
                .expect("drop a later table");
        }
        conn.execute(
            "DELETE FROM schema_migrations WHERE version > ?1",
            params![OLD_LEVEL],
        )
        .expect("schema level");
        assert_eq!(level(&conn), OLD_LEVEL);
        TABLES.iter().map(|t| count(&conn, t)).collect()
    };

    // This build opens it: the schema is brought up to date and the data is all there.
    let after = json_ok(d, &["connector", "list", "--json"], None);
    {
        let conn = db(d);
        assert_eq!(level(&conn), psa_bridge::store::migrate::latest_version());
        for t in LATER_TABLES {
            assert_eq!(count(&conn, t), 0, "{t} created empty");
        }
        let counts_after: Vec<i64> = TABLES.iter().map(|t| count(&conn, t)).collect();
        assert_eq!(counts_after, counts_before, "rows per table {TABLES:?}");
    }
    for key in ["id", "name", "kind", "workspace_mapping", "service_mapping"] {
        assert_eq!(after[0][key], before[0][key], "{key}: {after}");
    }

    // The keychain entries are found: the connector's check signs in with its stored key.
    let test = json_ok(d, &["connector", "test", &id, "--json"], None);
    assert_eq!(test["status"]["state"], "connected", "{test}");

    // The next sync (it needs the Coro secret too) settles the pending item by reading the PSA:
    // the line still holds the old quantity, so the write never landed — failed, never re-sent.
    let sync = cli(d, &["sync", &id, "--json"], None);
    assert_eq!(sync.status.code(), Some(0), "{}", stderr(&sync));
    let conn = db(d);
    let status: String = conn
        .query_row(
            "SELECT status FROM sync_runs WHERE id = ?1",
            params![pending_run],
            |r| r.get(0),
        )
        .expect("the cut-short run");
    assert_eq!(status, "interrupted");
    let (outcome, reason): (String, String) = conn
        .query_row(
            "SELECT outcome, reason FROM sync_run_items WHERE id = ?1",
            params![pending_item],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .expect("the pending item");
    assert_eq!(outcome, "failed", "{reason}");
    assert!(
        reason.contains("Not applied") && reason.contains(&line_qty.to_string()),
        "{reason}"
    );
}
