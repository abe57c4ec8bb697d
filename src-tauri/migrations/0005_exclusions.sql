-- 0004: "Exclude from billing" per workspace × service of a connector (peers call it a per-line
-- exclusion). An excluded pair is never written: the plan skips it, saying who excluded it and
-- when, until it is included again. Goes with its connector.
CREATE TABLE billing_exclusions (
    connector_id INTEGER NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    workspace_id TEXT NOT NULL,
    service_key  TEXT NOT NULL,
    excluded_by  TEXT NOT NULL,
    excluded_at  TEXT NOT NULL,
    PRIMARY KEY (connector_id, workspace_id, service_key)
);
