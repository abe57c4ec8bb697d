-- Issue 14, item 4: the PSA ticket open for a connector's problem (`failed`: the run failed or
-- some writes failed; `held`: changes held for approval). One row per (connector, problem): a
-- later run with the same problem adds a note to this ticket; the run without it closes the
-- ticket and deletes the row. The ticket id is the PSA's (ConnectWise service ticket / Autotask
-- ticket); no secret is kept here.
CREATE TABLE psa_tickets (
    connector_id   INTEGER NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    problem        TEXT    NOT NULL,
    ticket_id      INTEGER NOT NULL,
    opened_at      TEXT    NOT NULL,
    last_run_id    INTEGER NOT NULL,
    last_noted_at  TEXT    NOT NULL,
    PRIMARY KEY (connector_id, problem)
);
