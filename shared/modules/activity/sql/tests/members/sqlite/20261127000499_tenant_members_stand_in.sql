-- A stand-in for the tenancy module's published `tenant_members` view.
CREATE TABLE tenant_members (
    tenant_id blob NOT NULL,
    user_id blob NOT NULL,
    role text NOT NULL,
    joined_at text NOT NULL,
    PRIMARY KEY (tenant_id, user_id)
);
