-- A stand-in for the tenancy module's published `tenant_members` view: the only thing the
-- activity module reads of tenants. Its tests need nothing else of another module.
CREATE TABLE tenant_members (
    tenant_id uuid NOT NULL,
    user_id uuid NOT NULL,
    role text NOT NULL,
    joined_at timestamptz NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
