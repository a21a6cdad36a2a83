-- The sweeper deletes the delivery log's entries past their retention by attempt time; without
-- this index each sweep reads the whole log.
CREATE INDEX webhook_deliveries_attempted_at_idx ON webhook_deliveries (attempted_at);
