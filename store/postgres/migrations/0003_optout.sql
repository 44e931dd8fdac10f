-- The opt-out consent ledger: one append-only history per (scope,
-- address). The primary key leads with the address, so Latest, History
-- (scope and address given) and Redact (address only, every scope) all
-- read it, and it is what stops two writers appending the same seq: the
-- second insert of (address, scope, seq) fails, and the store reports a
-- conflict. Append inserts seq n only when seq n-1 exists, so seqs of a
-- history run 1, 2, 3 … without a gap.
CREATE TABLE parley_optout_entries (
    address_kind text        NOT NULL,
    address_id   text        NOT NULL,
    scope        text        NOT NULL,
    seq          bigint      NOT NULL CHECK (seq >= 1),
    action       text        NOT NULL CHECK (action IN ('opt-out', 'opt-in')),
    at           timestamptz NOT NULL,
    keyword      text        NOT NULL DEFAULT '',
    number_kind  text        NOT NULL DEFAULT '',
    number_id    text        NOT NULL DEFAULT '',
    redacted     boolean     NOT NULL DEFAULT false,
    PRIMARY KEY (address_kind, address_id, scope, seq),
    -- A redacted entry keeps no keyword and no number.
    CHECK (NOT redacted OR (keyword = '' AND number_kind = '' AND number_id = ''))
);

-- The ledger is append-only in the database too, whoever connects: no row
-- is deleted, the table is not truncated, and the one update allowed is
-- redaction on an erasure request, which blanks the keyword and the
-- number and sets redacted, changing nothing else (the address, scope,
-- seq, action and date are what honouring a STOP needs).
CREATE FUNCTION parley_optout_entries_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE'
       AND NEW.address_kind = OLD.address_kind AND NEW.address_id = OLD.address_id
       AND NEW.scope = OLD.scope AND NEW.seq = OLD.seq
       AND NEW.action = OLD.action AND NEW.at = OLD.at
       AND NEW.keyword = '' AND NEW.number_kind = '' AND NEW.number_id = ''
       AND NEW.redacted THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'parley_optout_entries is append-only: % refused (only redaction may update an entry)', TG_OP
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER parley_optout_entries_append_only
    BEFORE UPDATE OR DELETE ON parley_optout_entries
    FOR EACH ROW EXECUTE FUNCTION parley_optout_entries_append_only();

CREATE TRIGGER parley_optout_entries_no_truncate
    BEFORE TRUNCATE ON parley_optout_entries
    FOR EACH STATEMENT EXECUTE FUNCTION parley_optout_entries_append_only();
