-- The dashboard sums the logins of each member of a tenant over a range of days: one probe per
-- member, answered from this index alone (SQLite has no INCLUDE, so `logins` is a trailing key
-- column).
CREATE INDEX activity_user_daily_covering_idx ON activity_user_daily (user_id, day, logins);
