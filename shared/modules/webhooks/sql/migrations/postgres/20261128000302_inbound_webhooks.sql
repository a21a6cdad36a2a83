-- The webhook-id of every inbound delivery recorded: a provider sends a message again, with
-- the same id, until it is answered 2xx, and each repeat is accepted but recorded once. The
-- sweeper deletes ids past the delivery log's retention, by the time they were first received.
CREATE TABLE inbound_webhooks (
    webhook_id text PRIMARY KEY CHECK (char_length(webhook_id) BETWEEN 1 AND 256),
    received_at timestamptz NOT NULL
);
CREATE INDEX inbound_webhooks_received_at_idx ON inbound_webhooks (received_at);
