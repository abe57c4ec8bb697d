-- 0002: browse caches of PSA companies and products, so the mapping pages open instantly and work
-- offline; refreshed on demand. Replaced wholesale per connector (see src/store/cache.rs).

CREATE TABLE psa_companies (
    connector_id INTEGER NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    id           INTEGER NOT NULL,
    name         TEXT NOT NULL,
    identifier   TEXT,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (connector_id, id)
);

CREATE TABLE psa_products (
    connector_id INTEGER NOT NULL REFERENCES connectors (id) ON DELETE CASCADE,
    id           INTEGER NOT NULL,
    name         TEXT NOT NULL,
    identifier   TEXT,
    description  TEXT,
    fetched_at   TEXT NOT NULL,
    PRIMARY KEY (connector_id, id)
);
