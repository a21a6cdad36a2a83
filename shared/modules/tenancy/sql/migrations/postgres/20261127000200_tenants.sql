-- The tenancy module's tables. Its versions are 2026112700020x.
CREATE TABLE tenants (
    id uuid PRIMARY KEY,
    name text NOT NULL CHECK (char_length(name) BETWEEN 1 AND 100),
    created_at timestamptz NOT NULL
);

-- user_id refers to an account of the identity module by id only: modules share ids, not
-- foreign keys, so tenant data can later live on another database than the directory.
CREATE TABLE memberships (
    tenant_id uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    user_id uuid NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    created_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
CREATE INDEX memberships_user_id_idx ON memberships (user_id);

-- Who belongs to which tenant, with which role: what other modules may read to authorise a
-- tenant-scoped request. The module's published read contract; its columns only ever grow.
CREATE VIEW tenant_members AS SELECT tenant_id, user_id, role FROM memberships;
