-- The report's event log (report.Log and report.Feed): every desk appends
-- each event it publishes, and one reporting process reads them in
-- position order to build its figures. The event is kept as the export's
-- event record (report.EventRecord). An append holds a transaction-scoped
-- advisory lock keyed by this table's oid until it commits, so positions
-- commit in the order they are drawn and a reader that has seen a
-- position never finds a lower one appear later.
CREATE TABLE parley_report_events (
    position        bigint      GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    conversation_id uuid,
    at              timestamptz NOT NULL,
    name            text        NOT NULL,
    record          jsonb       NOT NULL
);
CREATE INDEX parley_report_events_conversation ON parley_report_events (conversation_id, position);
CREATE INDEX parley_report_events_at ON parley_report_events (at, position);
