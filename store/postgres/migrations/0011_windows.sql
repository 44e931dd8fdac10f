-- Customer-service windows, one row per (business, contact) pair on one
-- channel kind, shared by every desk on the database: any desk sees the
-- window a message to another desk opened, and announces it. The instants
-- are computed by the store from the window policies when the contact
-- writes, so that what falls due is found by an index:
--   closes_at   when the window closes; NULL when the contact never wrote
--               or the kind has no window;
--   over_at     when every limit (window, HUMAN_AGENT tag) has ended, from
--               when Prune forgets the row; NULL on a windowless kind,
--               never forgotten; -infinity when the contact never wrote.
-- noticed says how far the window's notices went: 0 none, 1 "window
-- expiring", 2 "window closed" (which covers both). A message that moves
-- the window resets it to 0: a new window is announced afresh.
CREATE TABLE parley_windows (
    kind         text        NOT NULL,
    contact      text        NOT NULL,
    business     text        NOT NULL,
    last_inbound timestamptz,
    closes_at    timestamptz,
    over_at      timestamptz,
    noticed      smallint    NOT NULL DEFAULT 0 CHECK (noticed BETWEEN 0 AND 2),
    -- The contact first, so that erasing a contact (every business) reads
    -- the key's prefix.
    PRIMARY KEY (kind, contact, business)
);

-- Windows closing soonest (the expiring list).
CREATE INDEX parley_windows_closes ON parley_windows (closes_at)
    WHERE closes_at IS NOT NULL;
-- Windows with a notice due: only those not yet announced as closed.
CREATE INDEX parley_windows_due ON parley_windows (closes_at)
    WHERE closes_at IS NOT NULL AND noticed < 2;
-- Windows Prune may forget.
CREATE INDEX parley_windows_over ON parley_windows (over_at)
    WHERE over_at IS NOT NULL;

-- Anonymous web-chat visitors' numbers ("Visitor #N"), unique across every
-- desk on the database and continued after restarts.
CREATE SEQUENCE parley_visitor_numbers AS bigint MINVALUE 1;
