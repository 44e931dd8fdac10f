package report

import (
	"context"

	"github.com/parleyhq/parley"
)

// Feed is a [Log] whose events have positions: the shared log that every
// desk appends to and one reporting process reads in order (rule 19).
// Positions are positive and increase with each append; a reader that
// has seen position p never later finds an event at a position at or
// below p that it did not see, whichever process appended it, so that
// [Follow] can resume from the last position it read. Implementations
// must be safe for concurrent use.
type Feed interface {
	Log
	// After calls yield with each event after position pos, oldest first,
	// with its position, at most limit of them (every one when limit ≤ 0),
	// and stops at yield's first error, which it returns.
	After(ctx context.Context, pos uint64, limit int, yield func(pos uint64, e parley.Event) error) error
}

// FollowBatch is how many events [Follow] reads at once.
const FollowBatch = 1000

// Follow observes into acc every event of feed after position pos, in
// the feed's order, and returns the position of the last one observed
// (pos itself when there was none): the host of the reporting process
// calls it periodically, passing back what it returned, so that its
// figures follow the shared log that every desk appends to. On an error
// it returns the position reached, from which to resume. An accumulator
// fed by Follow must be fed nothing else.
func Follow(ctx context.Context, feed Feed, acc *Accumulator, pos uint64) (uint64, error) {
	for {
		n := 0
		err := feed.After(ctx, pos, FollowBatch, func(p uint64, e parley.Event) error {
			acc.Observe(e)
			pos = p
			n++
			return nil
		})
		if err != nil || n < FollowBatch {
			return pos, err
		}
	}
}
