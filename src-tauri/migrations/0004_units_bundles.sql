-- Issue 13: a third billing unit, `max` (the larger of protected users and protected devices).
-- Bundles need no schema change: a bundle is mapped like a service, under the key
-- `bundle:<name>`. SQLite cannot alter a CHECK constraint, so service_mappings is rebuilt with
-- the same columns and rows.
CREATE TABLE service_mappings_new (
    connector_id INTEGER NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    service_key  TEXT NOT NULL,
    product_id   INTEGER NOT NULL,
    product_name TEXT NOT NULL,
    -- NULL: bill in the unit the service reports; otherwise an override.
    unit         TEXT CHECK (unit IS NULL OR unit IN ('device', 'user', 'max')),
    created_at   TEXT NOT NULL,
    PRIMARY KEY (connector_id, service_key),
    UNIQUE (connector_id, product_id)
);

INSERT INTO service_mappings_new
    (connector_id, service_key, product_id, product_name, unit, created_at)
SELECT connector_id, service_key, product_id, product_name, unit, created_at
FROM service_mappings;

DROP TABLE service_mappings;
ALTER TABLE service_mappings_new RENAME TO service_mappings;
