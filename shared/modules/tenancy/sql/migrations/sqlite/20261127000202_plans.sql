ALTER TABLE tenants
    ADD COLUMN plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'team', 'business'));

DROP VIEW tenant_members;
CREATE VIEW tenant_members AS
    SELECT tenant_id, user_id, role, created_at AS joined_at FROM memberships;
