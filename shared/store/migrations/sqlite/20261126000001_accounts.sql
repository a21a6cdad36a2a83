-- Accounts for the embedded default. Mirrors the PostgreSQL schema; ids are 16-byte blobs.
CREATE TABLE tenants (
    id blob PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at text NOT NULL
);

CREATE TABLE users (
    id blob PRIMARY KEY,
    email text NOT NULL,
    password_hash text NOT NULL,
    created_at text NOT NULL
);
CREATE UNIQUE INDEX users_email_key ON users (email);

CREATE TABLE memberships (
    tenant_id blob NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id blob NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at text NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

CREATE TABLE sessions (
    token_hash blob PRIMARY KEY CHECK (length(token_hash) = 32),
    user_id blob NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at text NOT NULL DEFAULT CURRENT_TIMESTAMP,
    expires_at text NOT NULL
);
CREATE INDEX sessions_user_id_idx ON sessions (user_id);
CREATE INDEX sessions_expires_at_idx ON sessions (expires_at);

CREATE TABLE outbox (
    id blob PRIMARY KEY,
    tenant_id blob NOT NULL,
    event_type text NOT NULL,
    payload text NOT NULL,
    created_at text NOT NULL,
    published_at text
);
CREATE INDEX outbox_tenant_id_idx ON outbox (tenant_id);
CREATE INDEX outbox_unpublished_idx ON outbox (created_at) WHERE published_at IS NULL;
