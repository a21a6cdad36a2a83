-- Platform tables for the embedded default. Mirrors the PostgreSQL schema; ids are 16-byte blobs.
CREATE TABLE outbox (
    id blob PRIMARY KEY,
    event_type text NOT NULL,
    event_version integer NOT NULL,
    tenant_id blob,
    payload text NOT NULL,
    created_at text NOT NULL,
    published_at text
);
CREATE INDEX outbox_tenant_id_idx ON outbox (tenant_id);
CREATE INDEX outbox_unpublished_idx ON outbox (created_at) WHERE published_at IS NULL;

CREATE TABLE sessions (
    token_hash blob PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id blob NOT NULL,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at text NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
