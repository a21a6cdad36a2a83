-- The activity module's tables for the embedded default; ids are 16-byte blobs, days
-- YYYY-MM-DD text.
CREATE TABLE activity_member_daily (
    tenant_id blob NOT NULL,
    day text NOT NULL,
    user_id blob NOT NULL,
    api_calls integer NOT NULL CHECK (api_calls >= 0),
    PRIMARY KEY (tenant_id, day, user_id)
);
CREATE INDEX activity_member_daily_day_idx ON activity_member_daily (day);

CREATE TABLE activity_user_daily (
    user_id blob NOT NULL,
    day text NOT NULL,
    logins integer NOT NULL CHECK (logins >= 0),
    PRIMARY KEY (user_id, day)
);
CREATE INDEX activity_user_daily_day_idx ON activity_user_daily (day);
