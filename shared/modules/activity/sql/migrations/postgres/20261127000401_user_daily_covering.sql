-- The dashboard sums the logins of each member of a tenant over a range of days: one probe of
-- this key per member. Carrying `logins` in the key's index answers each probe from the index
-- alone, which keeps a big tenant's dashboard on the index instead of a scan of every user's
-- logins. The key's columns are unchanged, so the flush's upsert still conflicts on them.
ALTER TABLE activity_user_daily
    DROP CONSTRAINT activity_user_daily_pkey,
    ADD CONSTRAINT activity_user_daily_pkey PRIMARY KEY (user_id, day) INCLUDE (logins);
