package memory

import (
	"context"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/session"
)

// WindowStore is the in-memory [session.Store]: a [session.Tracker], which
// holds the window rules, behind the store's interface. Desks of one
// process that share a WindowStore track, announce and check windows as
// one. It is safe for concurrent use; its calls never fail but for an
// invalid key or a context already done. The zero value is not usable;
// call [NewWindowStore].
type WindowStore struct {
	t *session.Tracker
}

var _ session.Store = (*WindowStore)(nil)

// NewWindowStore returns an empty store applying ps (nil for the
// defaults): give the desks sharing it the same Config.Sessions.
func NewWindowStore(ps session.Policies) *WindowStore {
	return &WindowStore{t: session.NewTracker(ps)}
}

// Tracker returns the tracker holding the windows, for what only it
// offers ([session.Tracker.Due], [session.Tracker.Len]).
func (s *WindowStore) Tracker() *session.Tracker { return s.t }

// Touch records an inbound message on k; see [session.Tracker.Touch].
func (s *WindowStore) Touch(ctx context.Context, k session.Key, inboundAt time.Time) (session.Window, error) {
	if err := ctx.Err(); err != nil {
		return session.Window{}, err
	}
	return s.t.Touch(k, inboundAt)
}

// Window returns k's window; see [session.Tracker.Window].
func (s *WindowStore) Window(ctx context.Context, k session.Key) (session.Window, bool, error) {
	if err := ctx.Err(); err != nil {
		return session.Window{}, false, err
	}
	w, ok := s.t.Window(k)
	return w, ok, nil
}

// Expiring lists the windows open at now closing within d; see
// [session.Tracker.Expiring].
func (s *WindowStore) Expiring(ctx context.Context, now time.Time, d time.Duration) ([]session.Tracked, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.t.Expiring(now, d), nil
}

// Notices lists the notices not yet dealt with; see
// [session.Tracker.Notices].
func (s *WindowStore) Notices(ctx context.Context, now time.Time, warn time.Duration) ([]session.Notice, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	return s.t.Notices(now, warn), nil
}

// Noticed marks a notice dealt with; see [session.Tracker.Noticed].
func (s *WindowStore) Noticed(ctx context.Context, k session.Key, closes time.Time, closed bool) (bool, error) {
	if err := ctx.Err(); err != nil {
		return false, err
	}
	return s.t.Noticed(k, closes, closed), nil
}

// Prune forgets the windows over at cutoff; see [session.Tracker.Prune].
func (s *WindowStore) Prune(ctx context.Context, cutoff time.Time) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return s.t.Prune(cutoff), nil
}

// Forget drops every window of contact; see [session.Tracker.Forget].
func (s *WindowStore) Forget(ctx context.Context, contact channel.Address) (int, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	return s.t.Forget(contact), nil
}
