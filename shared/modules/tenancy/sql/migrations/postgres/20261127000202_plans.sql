-- Each tenant is on a plan of the catalog (`tenancy::PLANS`); new tenants start on the free one.
ALTER TABLE tenants
    ADD COLUMN plan text NOT NULL DEFAULT 'free' CHECK (plan IN ('free', 'team', 'business'));

-- The published view grows by when each member joined, for reports such as the dashboard.
CREATE OR REPLACE VIEW tenant_members AS
    SELECT tenant_id, user_id, role, created_at AS joined_at FROM memberships;
