-- The webhooks module's tables for the embedded default; ids are 16-byte blobs, booleans 0/1.
CREATE TABLE webhook_endpoints (
    id blob PRIMARY KEY,
    tenant_id blob NOT NULL,
    url text NOT NULL CHECK (length(url) BETWEEN 1 AND 2048),
    description text CHECK (length(description) BETWEEN 1 AND 200),
    -- Stored as shown (whsec_...); production upgrades this to a KMS-encrypted column.
    secret text NOT NULL,
    enabled integer NOT NULL CHECK (enabled IN (0, 1)),
    consecutive_failures integer NOT NULL CHECK (consecutive_failures >= 0),
    created_at text NOT NULL
);
CREATE INDEX webhook_endpoints_tenant_id_idx ON webhook_endpoints (tenant_id, id);

CREATE TABLE webhook_deliveries (
    id blob PRIMARY KEY,
    tenant_id blob NOT NULL,
    endpoint_id blob NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id blob NOT NULL,
    event_type text NOT NULL,
    attempt integer NOT NULL CHECK (attempt >= 1),
    status_code integer CHECK (status_code BETWEEN 100 AND 599),
    error text,
    succeeded integer NOT NULL CHECK (succeeded IN (0, 1)),
    duration_ms integer NOT NULL CHECK (duration_ms >= 0),
    attempted_at text NOT NULL,
    CHECK ((status_code IS NULL) <> (error IS NULL))
);
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, id);
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (endpoint_id, event_id);
CREATE UNIQUE INDEX webhook_deliveries_one_success_idx
    ON webhook_deliveries (endpoint_id, event_id) WHERE succeeded;
