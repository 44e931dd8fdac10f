-- The routing log: every desk on the database routes from it as one.
-- parley_routing_head is one row, the log's lock: a desk takes it
-- (SELECT … FOR UPDATE) for one change, makes the entries the others
-- appended since its last, makes its own and appends it, and commits,
-- so entries are appended one at a time, in order, whichever process
-- makes them. It also holds the newest snapshot of the routers' state
-- and the position it was taken at, so that a desk starting afresh reads
-- the snapshot and the entries after it, not the whole history.
CREATE TABLE parley_routing_head (
    id           boolean PRIMARY KEY DEFAULT true CHECK (id),
    seq          bigint  NOT NULL DEFAULT 0 CHECK (seq >= 0),
    snapshot_seq bigint  NOT NULL DEFAULT 0 CHECK (snapshot_seq >= 0 AND snapshot_seq <= seq),
    snapshot     jsonb
);
INSERT INTO parley_routing_head DEFAULT VALUES;

-- One row per op, its position the primary key: two desks can never
-- append the same position. The entries a snapshot covers are deleted
-- when it is saved.
CREATE TABLE parley_routing_log (
    seq   bigint PRIMARY KEY CHECK (seq >= 1),
    entry jsonb  NOT NULL
);
