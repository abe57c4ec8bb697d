-- 0001: the initial schema. Secrets never live here: every key, secret and token is in the OS
-- keychain (see src/secrets.rs). Timestamps are RFC 3339 UTC text ("2025-01-31T09:00:00.000Z"),
-- so they sort as text.

CREATE TABLE settings (
    key   TEXT PRIMARY KEY,
    value TEXT NOT NULL
);

-- The one Coro channel connection (single row). The client secret is in the keychain.
CREATE TABLE coro_connection (
    id                   INTEGER PRIMARY KEY CHECK (id = 1),
    region               TEXT NOT NULL,
    base_url             TEXT NOT NULL,
    client_id            TEXT NOT NULL,
    channel_workspace_id TEXT NOT NULL,
    channel_name         TEXT,
    created_at           TEXT NOT NULL,
    updated_at           TEXT NOT NULL
);

-- AUTOINCREMENT: ids are never reused, because keychain entries are keyed by connector id and a
-- new connector must never inherit a deleted one's secret.
CREATE TABLE connectors (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    kind       TEXT NOT NULL CHECK (kind IN ('connectwise', 'autotask')),
    name       TEXT NOT NULL UNIQUE COLLATE NOCASE,
    config     TEXT NOT NULL CHECK (json_valid(config) AND json_type(config) = 'object'),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);

-- One row per connector: the last credential check (state, message, checked_at) and the last
-- sync attempt (last_attempt_at, last_success_at, last_error).
CREATE TABLE connector_status (
    connector_id    INTEGER PRIMARY KEY REFERENCES connectors (id) ON DELETE CASCADE,
    state           TEXT NOT NULL DEFAULT 'untested'
                    CHECK (state IN ('connected', 'error', 'untested')),
    message         TEXT,
    last_attempt_at TEXT,
    last_success_at TEXT,
    last_error      TEXT,
    checked_at      TEXT
);

CREATE TABLE workspace_mappings (
    connector_id   INTEGER NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    workspace_id   TEXT NOT NULL,
    workspace_name TEXT NOT NULL,
    company_id     INTEGER NOT NULL,
    company_name   TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    PRIMARY KEY (connector_id, workspace_id),
    UNIQUE (connector_id, company_id)
);

CREATE TABLE service_mappings (
    connector_id INTEGER NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    service_key  TEXT NOT NULL,
    product_id   INTEGER NOT NULL,
    product_name TEXT NOT NULL,
    -- NULL: bill in the unit the service reports; otherwise an override.
    unit         TEXT CHECK (unit IS NULL OR unit IN ('device', 'user')),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (connector_id, service_key),
    UNIQUE (connector_id, product_id)
);

CREATE TABLE sync_runs (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    connector_id INTEGER NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    trigger      TEXT NOT NULL CHECK (trigger IN ('schedule', 'tray', 'ui', 'cli')),
    dry_run      INTEGER NOT NULL CHECK (dry_run IN (0, 1)),
    status       TEXT NOT NULL DEFAULT 'running'
                 CHECK (status IN ('running', 'succeeded', 'partial', 'failed', 'held', 'interrupted')),
    started_at   TEXT NOT NULL,
    finished_at  TEXT,
    planned      INTEGER NOT NULL DEFAULT 0,
    applied      INTEGER NOT NULL DEFAULT 0,
    failed       INTEGER NOT NULL DEFAULT 0,
    skipped      INTEGER NOT NULL DEFAULT 0,
    held         INTEGER NOT NULL DEFAULT 0,
    error        TEXT
);

CREATE INDEX sync_runs_connector_started ON sync_runs (connector_id, started_at);

-- One row per (workspace, service) the plan looked at, and what became of it.
CREATE TABLE sync_run_items (
    id             INTEGER PRIMARY KEY,
    run_id         INTEGER NOT NULL REFERENCES sync_runs (id) ON DELETE CASCADE,
    workspace_id   TEXT NOT NULL,
    workspace_name TEXT,
    service_key    TEXT NOT NULL,
    company_id     INTEGER,
    product_id     INTEGER,
    line_ref       TEXT,
    action         TEXT NOT NULL
                   CHECK (action IN ('unchanged', 'increase', 'decrease', 'skip', 'hold')),
    before_qty     INTEGER,
    after_qty      INTEGER,
    outcome        TEXT NOT NULL
                   CHECK (outcome IN ('planned', 'pending', 'applied', 'failed', 'skipped', 'held')),
    reason         TEXT,
    request_id     TEXT,
    updated_at     TEXT NOT NULL
);

CREATE INDEX sync_run_items_run ON sync_run_items (run_id);
