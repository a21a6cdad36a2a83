-- The tenancy module's tables for the embedded default; ids are 16-byte blobs.
CREATE TABLE tenants (
    id blob PRIMARY KEY,
    name text NOT NULL CHECK (length(name) BETWEEN 1 AND 100),
    created_at text NOT NULL
);

CREATE TABLE memberships (
    tenant_id blob NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id blob NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at text NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

CREATE VIEW tenant_members AS SELECT tenant_id, user_id, role FROM memberships;
