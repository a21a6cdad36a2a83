-- The embedded job queue, the consumers' idempotency ledger, and the outbox relay's lease.
-- Times the queue compares are epoch milliseconds, exact in both drivers.
ALTER TABLE outbox ADD COLUMN relay_lease_until bigint;

CREATE TABLE job_queue (
    id uuid PRIMARY KEY,
    queue text NOT NULL,
    body text NOT NULL,
    receive_count bigint NOT NULL DEFAULT 0,
    visible_at bigint NOT NULL,
    dead_at bigint,
    created_at bigint NOT NULL
);
CREATE INDEX job_queue_visible_idx ON job_queue (queue, visible_at) WHERE dead_at IS NULL;
CREATE INDEX job_queue_dead_idx ON job_queue (queue, dead_at) WHERE dead_at IS NOT NULL;

CREATE TABLE job_ledger (
    consumer text NOT NULL,
    event_id uuid NOT NULL,
    lease_until bigint,
    done_at bigint,
    PRIMARY KEY (consumer, event_id)
);
CREATE INDEX job_ledger_done_at_idx ON job_ledger (done_at);
