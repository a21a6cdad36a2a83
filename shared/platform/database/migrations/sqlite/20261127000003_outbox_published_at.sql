-- The sweeper deletes published outbox rows past their retention by publication time; without
-- this index each sweep reads the whole table.
CREATE INDEX outbox_published_at_idx ON outbox (published_at) WHERE published_at IS NOT NULL;
