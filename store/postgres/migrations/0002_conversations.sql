-- Conversations, their messages and comments on contacts: the tables
-- behind postgres.ConversationStore. The rules of the conversation
-- contract that a second process could break are kept here, by the
-- database, not only by Go: the slot rules as partial unique indexes, the
-- provider keys as unique indexes. Enums are stored by their lower-case
-- names; a zero time is NULL.

CREATE TABLE parley_conversations (
    id                uuid PRIMARY KEY,
    -- Optimistic concurrency: every write is UPDATE ... WHERE id = $1
    -- AND version = $n, so a stale writer changes no row.
    version           bigint  NOT NULL CHECK (version >= 1),
    touchpoint        text    NOT NULL CHECK (touchpoint <> ''),
    channel           text    NOT NULL,
    direction         text    NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    status            text    NOT NULL CHECK (status IN ('bot', 'queued', 'assigned', 'wrap_up', 'closed')),
    assign_mode       text    NOT NULL,
    bot_paused        boolean NOT NULL,
    contact_id        text    NOT NULL CHECK (contact_id <> ''),
    contact_name      text    NOT NULL,
    -- [{"Kind": "whatsapp", "ID": "+14155550100"}, ...]; read whole, never
    -- queried: search reads search_addresses.
    contact_addresses jsonb,
    contact_locale    text    NOT NULL,
    contact_anonymous boolean NOT NULL,
    -- '' except on the host's own channel, so that it can sit in the slot
    -- index (NULLs would never collide).
    interaction_id    text    NOT NULL,
    subject           text    NOT NULL,
    assignee_id       text    NOT NULL,
    queues            text[],
    priority          integer NOT NULL,
    previous          uuid,
    unread            integer NOT NULL,
    closing_note      text    NOT NULL,
    disposition       text    NOT NULL,
    tags              text[],
    created_at        timestamptz NOT NULL,
    updated_at        timestamptz,
    assigned_at       timestamptz,
    ended_at          timestamptz,
    closed_at         timestamptz,
    last_inbound_at   timestamptz,
    last_message_at   timestamptz,
    -- The contact's name and address IDs, case-folded by the store (Unicode
    -- simple folding, as conversation.MatchText compares): search_text is
    -- them joined by newlines, for the trigram index; search_name and
    -- search_addresses let the query recheck each field alone, so that a
    -- match never spans two fields.
    search_name       text    NOT NULL,
    search_addresses  text[]  NOT NULL,
    search_text       text    NOT NULL
);

-- One open (bot, queued, assigned) conversation per slot (touchpoint,
-- contact, interaction): two desks starting a conversation for one
-- contact at once cannot both succeed. Also FindOpen's index.
CREATE UNIQUE INDEX parley_conversations_open_slot
    ON parley_conversations (touchpoint, contact_id, interaction_id)
    WHERE status IN ('bot', 'queued', 'assigned');

-- One open outbound conversation per (touchpoint, contact): on the host's
-- own channel, where interactions give a contact several slots, the
-- business still opens one conversation at a time.
CREATE UNIQUE INDEX parley_conversations_open_outbound
    ON parley_conversations (touchpoint, contact_id)
    WHERE status IN ('bot', 'queued', 'assigned') AND direction = 'outbound';

-- Search order and paging: (created_at, id), both directions.
CREATE INDEX parley_conversations_created
    ON parley_conversations (created_at, id);

-- The inbox: conversations in a status (queued, mostly), oldest first,
-- read in index order and filtered by queue.
CREATE INDEX parley_conversations_status_created
    ON parley_conversations (status, created_at, id);

-- Queue filters (queues && $1): the inbox of an agent's queues.
CREATE INDEX parley_conversations_queues
    ON parley_conversations USING gin (queues);

-- A contact's history (Search by ContactID), and Erase.
CREATE INDEX parley_conversations_contact
    ON parley_conversations (contact_id, created_at, id);

-- An agent's conversations (Search by AssigneeID).
CREATE INDEX parley_conversations_assignee
    ON parley_conversations (assignee_id, created_at, id)
    WHERE assignee_id <> '';

-- Search by name, number or e-mail: substring match (LIKE '%...%') on the
-- folded text through trigrams, fast on millions of rows.
CREATE INDEX parley_conversations_search
    ON parley_conversations USING gin (search_text public.gin_trgm_ops);

-- Purge: ended conversations by their last change.
CREATE INDEX parley_conversations_ended
    ON parley_conversations (updated_at)
    WHERE status IN ('wrap_up', 'closed');

CREATE TABLE parley_messages (
    id              uuid PRIMARY KEY,
    -- Append order: Messages pages by it, as the contract asks.
    seq             bigint GENERATED ALWAYS AS IDENTITY,
    conversation_id uuid NOT NULL REFERENCES parley_conversations (id) ON DELETE CASCADE,
    -- The conversation's touchpoint and, for an inbound message, its
    -- contact (the sender): copied here so the provider keys are plain
    -- unique indexes. NULL sender on outbound messages.
    touchpoint      text NOT NULL,
    sender          text,
    direction       text NOT NULL CHECK (direction IN ('inbound', 'outbound')),
    internal        boolean NOT NULL,
    imported        boolean NOT NULL,
    notice          text NOT NULL,
    author_kind     text NOT NULL,
    author_id       text NOT NULL,
    text            text NOT NULL,
    -- text case-folded by the store, NULL when folding changes nothing:
    -- the search inside one conversation.
    text_fold       text,
    attachments     jsonb,
    template        jsonb,
    -- NULL until the provider gave one.
    provider_id     text CHECK (provider_id <> ''),
    delivery_status text NOT NULL CHECK (delivery_status IN ('none', 'pending', 'sent', 'delivered', 'read', 'failed')),
    delivery_reason text NOT NULL,
    delivery_code   text NOT NULL,
    delivery_at     timestamptz,
    created_at      timestamptz,
    CHECK ((direction = 'inbound') = (sender IS NOT NULL))
);

-- Idempotent inbound: a provider retrying a webhook finds its message by
-- (touchpoint, sender, provider ID), and another contact reusing the ID
-- is a message of its own.
CREATE UNIQUE INDEX parley_messages_inbound_key
    ON parley_messages (touchpoint, sender, provider_id)
    WHERE direction = 'inbound' AND provider_id IS NOT NULL;

-- Delivery callbacks name an outbound message by (touchpoint, provider
-- ID); it never matches an inbound message.
CREATE UNIQUE INDEX parley_messages_outbound_key
    ON parley_messages (touchpoint, provider_id)
    WHERE direction = 'outbound' AND provider_id IS NOT NULL;

-- A conversation's messages in append order.
CREATE UNIQUE INDEX parley_messages_conversation
    ON parley_messages (conversation_id, seq);

CREATE TABLE parley_comments (
    id         uuid PRIMARY KEY,
    seq        bigint GENERATED ALWAYS AS IDENTITY,
    contact_id text NOT NULL,
    author_id  text NOT NULL,
    text       text NOT NULL,
    mentions   text[],
    created_at timestamptz
);

-- A contact's comments, oldest first; and Erase.
CREATE INDEX parley_comments_contact
    ON parley_comments (contact_id, created_at, seq);
