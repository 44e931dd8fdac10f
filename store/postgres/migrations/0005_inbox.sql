-- The inbox: the open conversations of each queue, oldest first. The
-- inbox query (open statuses, the agent's queues, oldest first) cannot be
-- served by parley_conversations' own indexes when few conversations
-- match: the GIN index on queues gives no order, and the ordered indexes
-- lead with created_at or status, so the planner walks them and filters
-- by queue, through every conversation of other queues. This table has
-- one row per (queue, open conversation), keyed in the order the inbox
-- reads: one queue's waiting conversations are a range of its primary
-- key, read in created_at order, and a few queues are merged by Search.
CREATE TABLE parley_conversation_queues (
    queue           text        NOT NULL,
    status          text        NOT NULL CHECK (status IN ('bot', 'queued', 'assigned')),
    created_at      timestamptz NOT NULL,
    conversation_id uuid        NOT NULL,
    PRIMARY KEY (queue, status, created_at, conversation_id)
);

-- Triggers keep the table in line with parley_conversations in the same
-- transaction as each write, whoever writes (the store, Erase, Purge, a
-- host's own SQL), so it is never stale. A conversation's identity
-- (id, created_at) never changes; its status and queues do.
CREATE FUNCTION parley_conversation_queues_sync() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.status IN ('bot', 'queued', 'assigned') THEN
        DELETE FROM parley_conversation_queues
        WHERE queue = ANY (OLD.queues) AND status = OLD.status
          AND created_at = OLD.created_at AND conversation_id = OLD.id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.status IN ('bot', 'queued', 'assigned') THEN
        INSERT INTO parley_conversation_queues (queue, status, created_at, conversation_id)
        SELECT DISTINCT q, NEW.status, NEW.created_at, NEW.id
        FROM unnest(NEW.queues) AS q WHERE q IS NOT NULL;
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER parley_conversation_queues_insert
    AFTER INSERT ON parley_conversations
    FOR EACH ROW WHEN (NEW.status IN ('bot', 'queued', 'assigned'))
    EXECUTE FUNCTION parley_conversation_queues_sync();

-- Most updates (a message received, a version bumped) change neither
-- status nor queues: the WHEN clause skips them at no cost.
CREATE TRIGGER parley_conversation_queues_update
    AFTER UPDATE OF status, queues ON parley_conversations
    FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status OR OLD.queues IS DISTINCT FROM NEW.queues)
    EXECUTE FUNCTION parley_conversation_queues_sync();

CREATE TRIGGER parley_conversation_queues_delete
    AFTER DELETE ON parley_conversations
    FOR EACH ROW WHEN (OLD.status IN ('bot', 'queued', 'assigned'))
    EXECUTE FUNCTION parley_conversation_queues_sync();

-- The conversations stored before this step.
INSERT INTO parley_conversation_queues (queue, status, created_at, conversation_id)
SELECT DISTINCT q, c.status, c.created_at, c.id
FROM parley_conversations c, unnest(c.queues) AS q
WHERE c.status IN ('bot', 'queued', 'assigned') AND q IS NOT NULL;
