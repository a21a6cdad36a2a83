-- Which shard holds each tenant's data, in the directory (home) database. A tenant without a
-- row lives on the home database itself, so an unsharded deployment keeps no rows here.
-- While a tenant moves, move_from and move_to name both ends and move_step the last step
-- done; `shard` is the one shard that serves the tenant at every step.
CREATE TABLE tenant_shards (
    tenant_id uuid PRIMARY KEY,
    shard text NOT NULL,
    move_from text,
    move_to text,
    move_step text CHECK (move_step IN ('frozen', 'copied', 'verified', 'flipped')),
    CHECK ((move_step IS NULL) = (move_from IS NULL) AND (move_step IS NULL) = (move_to IS NULL))
);
CREATE INDEX tenant_shards_shard_idx ON tenant_shards (shard);
