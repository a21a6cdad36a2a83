-- Invitations to join a tenant. The token the mail carries is kept only as its SHA-256 hash.
-- An invitation is pending until it is accepted, revoked (by hand, or by a newer invitation of
-- the same email) or past expires_at; the sweeper deletes expired rows.
CREATE TABLE invitations (
    id blob PRIMARY KEY,
    tenant_id blob NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
    email text NOT NULL,
    role text NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
    token_hash blob NOT NULL UNIQUE CHECK (length(token_hash) = 32),
    invited_by blob NOT NULL,
    created_at text NOT NULL,
    expires_at text NOT NULL,
    accepted_at text,
    revoked_at text
);
CREATE INDEX invitations_tenant_email_idx ON invitations (tenant_id, email);
CREATE INDEX invitations_expires_at_idx ON invitations (expires_at);
