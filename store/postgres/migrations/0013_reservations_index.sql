-- No statement reads reservations by agent: an agent's load is its row
-- in parley_agent_loads, kept by the same statements that write its
-- reservations. The index only cost every reservation and release an
-- index write. No data is dropped.
DROP INDEX IF EXISTS parley_reservations_agent;
