-- Platform tables that every module shares: the transactional outbox and sessions.
-- Versions 2026112700000x belong to the platform; each module keeps its own range.
CREATE TABLE outbox (
    id uuid PRIMARY KEY,
    event_type text NOT NULL,
    event_version smallint NOT NULL,
    tenant_id uuid,
    payload jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    published_at timestamptz
);
CREATE INDEX outbox_tenant_id_idx ON outbox (tenant_id);
CREATE INDEX outbox_unpublished_idx ON outbox (created_at) WHERE published_at IS NULL;

-- Sessions refer to users by id only: users belong to the identity module, and sessions may
-- move to another store (Redis, DynamoDB) where no foreign key exists.
CREATE TABLE sessions (
    token_hash bytea PRIMARY KEY CHECK (octet_length(token_hash) = 32),
    user_id uuid NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    expires_at timestamptz NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);
