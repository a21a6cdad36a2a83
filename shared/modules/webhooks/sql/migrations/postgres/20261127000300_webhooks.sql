-- The webhooks module's tables. Its versions are 20261127000300 to 20261127000399.
-- tenant_id refers to a tenant of the tenancy module by id only: modules share ids, not
-- foreign keys.
CREATE TABLE webhook_endpoints (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    url text NOT NULL CHECK (char_length(url) BETWEEN 1 AND 2048),
    description text CHECK (char_length(description) BETWEEN 1 AND 200),
    -- The signing secret as shown to the tenant (whsec_...). It must be readable to sign, so
    -- it cannot be hashed; the production upgrade is a KMS-encrypted column (envelope
    -- encryption with a per-tenant data key).
    secret text NOT NULL,
    enabled boolean NOT NULL,
    consecutive_failures integer NOT NULL CHECK (consecutive_failures >= 0),
    created_at timestamptz NOT NULL
);
CREATE INDEX webhook_endpoints_tenant_id_idx ON webhook_endpoints (tenant_id, id);

-- One row per attempt to deliver one event to one endpoint: the endpoint's delivery log.
CREATE TABLE webhook_deliveries (
    id uuid PRIMARY KEY,
    tenant_id uuid NOT NULL,
    endpoint_id uuid NOT NULL REFERENCES webhook_endpoints (id) ON DELETE CASCADE,
    event_id uuid NOT NULL,
    event_type text NOT NULL,
    attempt integer NOT NULL CHECK (attempt >= 1),
    status_code integer CHECK (status_code BETWEEN 100 AND 599),
    error text,
    succeeded boolean NOT NULL,
    duration_ms bigint NOT NULL CHECK (duration_ms >= 0),
    attempted_at timestamptz NOT NULL,
    CHECK ((status_code IS NULL) <> (error IS NULL))
);
-- The log, newest first, within its tenant.
CREATE INDEX webhook_deliveries_endpoint_idx ON webhook_deliveries (tenant_id, endpoint_id, id);
-- The attempts at one event on one endpoint; at most one of them succeeds.
CREATE INDEX webhook_deliveries_event_idx ON webhook_deliveries (endpoint_id, event_id);
CREATE UNIQUE INDEX webhook_deliveries_one_success_idx
    ON webhook_deliveries (endpoint_id, event_id) WHERE succeeded;
