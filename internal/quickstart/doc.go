// Package quickstart is parley's main demo as a function: one day of a
// small helpdesk, narrated, with a fake clock. It shows a WhatsApp
// conversation routed by capacity (automatic, least loaded), a provider's
// retry stored once, a snippet reply, the 24-hour window closing and an
// approved template in its place, an SMS STOP refusing the next reply and
// START allowing it again, a transfer, wrap-up and close.
//
// [Run] tells it on whatever stores it is given, so the same story runs on
// the in-memory stores (examples/quickstart) and on PostgreSQL
// (store/postgres/examples/quickstart): its output is the same line for
// line, since it prints no ID and its clock is the fake one.
package quickstart
