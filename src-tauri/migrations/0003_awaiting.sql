-- An accepted write that the PSA does not show yet (an Autotask adjustment answered with an
-- itemId while the units still read the old value): `awaiting`. Later runs re-read the line and
-- mark it applied when the change shows; it is never posted again. SQLite cannot alter a CHECK
-- constraint, so the table is rebuilt with the same columns and rows.
CREATE TABLE sync_run_items_new (
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
                   CHECK (outcome IN ('planned', 'pending', 'awaiting', 'applied', 'failed', 'skipped', 'held')),
    reason         TEXT,
    request_id     TEXT,
    updated_at     TEXT NOT NULL
);

INSERT INTO sync_run_items_new
    (id, run_id, workspace_id, workspace_name, service_key, company_id, product_id, line_ref,
     action, before_qty, after_qty, outcome, reason, request_id, updated_at)
SELECT id, run_id, workspace_id, workspace_name, service_key, company_id, product_id, line_ref,
       action, before_qty, after_qty, outcome, reason, request_id, updated_at
FROM sync_run_items;

DROP TABLE sync_run_items;
ALTER TABLE sync_run_items_new RENAME TO sync_run_items;
CREATE INDEX sync_run_items_run ON sync_run_items (run_id);
CREATE INDEX sync_run_items_outcome ON sync_run_items (outcome) WHERE outcome IN ('pending', 'awaiting');
