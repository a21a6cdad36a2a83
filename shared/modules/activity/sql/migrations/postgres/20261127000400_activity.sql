-- The activity module's tables. Its versions are 20261127000400 to 20261127000499.
-- Daily counts that each flush of an instance's buffer adds to. tenant_id and user_id refer
-- to the tenancy and identity modules' rows by id only: modules share ids, not foreign keys.

-- Successful requests on a tenant's routes, per member and UTC day. The key serves the
-- dashboard's read (one tenant, a range of days).
CREATE TABLE activity_member_daily (
    tenant_id uuid NOT NULL,
    day date NOT NULL,
    user_id uuid NOT NULL,
    api_calls bigint NOT NULL CHECK (api_calls >= 0),
    PRIMARY KEY (tenant_id, day, user_id)
);
-- The sweeper deletes by day.
CREATE INDEX activity_member_daily_day_idx ON activity_member_daily (day);

-- Logins per user and UTC day. The key serves the dashboard's read (each member of a tenant,
-- a range of days).
CREATE TABLE activity_user_daily (
    user_id uuid NOT NULL,
    day date NOT NULL,
    logins bigint NOT NULL CHECK (logins >= 0),
    PRIMARY KEY (user_id, day)
);
CREATE INDEX activity_user_daily_day_idx ON activity_user_daily (day);
