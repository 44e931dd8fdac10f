// Package reporttest checks that a [report.Log] keeps the contract the
// report package relies on: [RunLog] runs the suite against a log the
// caller makes, as parley's own tests do for report.MemoryLog and
// store/postgres for its table. It uses the standard testing package
// only.
//
// # Rules
//
//  1. Events read back equal to what was appended, in append order, and
//     a query selects by conversation and by [Since, Until).
//  2. A nil event is refused with report.ErrNilEvent; yield's error stops
//     the read and is returned; a cancelled context stops it too.
//  3. A log that is a [report.Feed] gives positions that increase with
//     each append, reads after a position in order, at most the limit,
//     and never yields anything again once read; appends from many
//     goroutines each appear exactly once; [report.Follow] over the feed
//     gives the figures of an accumulator fed the same events in the
//     feed's order.
package reporttest
