-- Follow-up messages as HOT updates. A received message changes a
-- conversation's unread count, its times and its version, none of them
-- indexed once this step has run, so PostgreSQL can write the new row
-- version on the same page without touching any of the table's indexes
-- (a heap-only tuple), instead of adding an entry to each of them, the
-- trigram index included.

-- The purge index covered updated_at, which every message changes. Purge
-- now finds ended conversations through parley_conversations_status_created
-- and checks updated_at on each.
DROP INDEX parley_conversations_ended;

-- Room on each page for a row's next versions, so a HOT update finds
-- space beside the old one. Pages written from now on keep it.
ALTER TABLE parley_conversations SET (fillfactor = 85);

-- An agent's load changes on every reservation and release; it is not
-- indexed, so these updates are HOT when the page has room.
ALTER TABLE parley_agent_loads SET (fillfactor = 50);

-- A reservation's agent always has a load row: the reserving statement
-- writes the reservation only from the row its charge returned. The
-- foreign key checked it again on every reservation, a lookup that cost
-- about a sixth of a Reserve+Release.
ALTER TABLE parley_reservations DROP CONSTRAINT parley_reservations_agent_id_fkey;
