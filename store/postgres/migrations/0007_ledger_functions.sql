-- Reserve and release as functions. Each is still one statement from the
-- client, so one atomic step, but a function runs only the steps its case
-- needs (the common reservation: look the conversation up, charge the
-- agent, insert the reservation), where one statement built of CTEs set up
-- and ran every branch on each call. Tables are named without a schema, so
-- they resolve through the caller's search_path like the store's other
-- statements.

-- parley_reserve charges w to agent a for conversation c if the agent's
-- load stays within cap, re-weighs a reservation a already holds under the
-- same check, and refuses a conversation another agent holds. holder is
-- the agent holding c before the call, charged whether the charge was
-- made, load the load (without c's weight) it was refused against, written
-- 1 when the reservation was written.
CREATE FUNCTION parley_reserve(a text, c text, w bigint, cap bigint,
    OUT holder text, OUT charged boolean, OUT load bigint, OUT written bigint)
LANGUAGE plpgsql AS $$
DECLARE
    old_w bigint;
    d     bigint;
BEGIN
    charged := false;
    load := 0;
    written := 0;
    -- Locks c's reservation: re-weighs and releases of c queue here.
    SELECT r.agent_id, r.weight INTO holder, old_w
    FROM parley_reservations r WHERE r.conversation_id = c
    FOR UPDATE;
    IF holder IS NOT NULL AND holder <> a THEN
        RETURN;
    END IF;
    d := w - coalesce(old_w, 0);
    -- The condition is evaluated on the agent row's latest version under
    -- its lock, so concurrent charges of one agent are serialised.
    UPDATE parley_agent_loads l SET load = l.load + d
    WHERE l.agent_id = a AND l.load + d <= cap
    RETURNING l.load INTO load;
    IF NOT FOUND THEN
        -- No row to charge in this statement's snapshot, or the charge did
        -- not fit. The row may be the agent's first, inserted by a
        -- concurrent call since the snapshot, so the check is made again
        -- with an insert that locks the latest version of any such row.
        IF d <= cap THEN
            INSERT INTO parley_agent_loads AS l (agent_id, load) VALUES (a, greatest(d, 0))
            ON CONFLICT (agent_id) DO UPDATE SET load = l.load + d
                WHERE l.load + d <= cap
            RETURNING l.load INTO load;
        END IF;
        IF d > cap OR NOT FOUND THEN
            SELECT l.load - coalesce(old_w, 0) INTO load
            FROM parley_agent_loads l WHERE l.agent_id = a;
            load := coalesce(load, 0);
            RETURN;
        END IF;
    END IF;
    charged := true;
    -- When another call inserted c meanwhile, the insert fails on the
    -- primary key and the whole call, charge included, is undone.
    IF old_w IS NULL THEN
        INSERT INTO parley_reservations (conversation_id, agent_id, weight) VALUES (c, a, w);
    ELSE
        UPDATE parley_reservations r SET weight = w WHERE r.conversation_id = c;
    END IF;
    written := 1;
END
$$;

-- parley_release deletes c's reservation and takes its weight off the
-- agent's load; it returns that weight, 0 when there is none. A second
-- release of c waits for the first, then finds nothing.
CREATE FUNCTION parley_release(c text) RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
    a text;
    w bigint;
BEGIN
    DELETE FROM parley_reservations r WHERE r.conversation_id = c
    RETURNING r.agent_id, r.weight INTO a, w;
    IF NOT FOUND THEN
        RETURN 0;
    END IF;
    UPDATE parley_agent_loads l SET load = l.load - w WHERE l.agent_id = a;
    RETURN w;
END
$$;
