package parley

import (
	"context"
	"errors"
	"time"

	"github.com/parleyhq/parley/conversation"
)

// ErrPurgeUnsupported: Purge was asked of a Desk whose conversation store
// cannot forget old history (it does not implement conversation.Purger).
// Nothing was purged. Check it with errors.Is.
var ErrPurgeUnsupported = errors.New("parley: the conversation store cannot purge old history")

// Purge applies a retention policy: it forgets every conversation that has
// ended (wrap-up or closed) and not changed since before, with its
// messages, and returns how many of each went. Open conversations are
// never purged, however old; comments about a contact and the opt-out
// consent ledger (what the law needs to honour a STOP) are kept. Call it
// from a scheduled job, e.g. with now minus two years.
//
// Only a supervisor or SystemActor purges (ErrForbidden). A store that
// cannot purge (not a conversation.Purger) fails with
// ErrPurgeUnsupported; a zero before is refused with an error matching
// conversation.ErrInvalid, since purging everything is more often a
// mistake than a policy.
func (d *Desk) Purge(ctx context.Context, actorID string, before time.Time) (conversation.Purged, error) {
	if err := d.supervising(ctx, actorID, "purge history"); err != nil {
		return conversation.Purged{}, err
	}
	p, ok := d.store.(conversation.Purger)
	if !ok {
		return conversation.Purged{}, ErrPurgeUnsupported
	}
	return p.Purge(ctx, before)
}
