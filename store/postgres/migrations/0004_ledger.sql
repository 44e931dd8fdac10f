-- Agent capacity shared by every desk on the database. An agent's load is
-- a column, so that one conditional statement can charge it
-- ("… WHERE load + w <= capacity", evaluated on the row's latest version
-- under its lock) and no interleaving of processes puts an agent over
-- capacity. The capacity itself is the host's configuration, passed with
-- each reservation, so it is not stored.
CREATE TABLE parley_agent_loads (
    agent_id text   PRIMARY KEY,
    load     bigint NOT NULL DEFAULT 0 CHECK (load >= 0)
);

-- One reservation per conversation, with the weight charged for it, so a
-- release frees exactly that weight whatever the weights are now. An
-- agent's load is always the sum of its reservations' weights: the store
-- changes both in one statement.
CREATE TABLE parley_reservations (
    conversation_id text   PRIMARY KEY,
    agent_id        text   NOT NULL REFERENCES parley_agent_loads (agent_id),
    weight          bigint NOT NULL CHECK (weight >= 1)
);

-- Finds an agent's reservations (checks and reports), and serves the
-- foreign key.
CREATE INDEX parley_reservations_agent ON parley_reservations (agent_id);
