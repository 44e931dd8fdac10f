package session

import (
	"slices"
	"time"
)

// Expiry is one window about to close, as [Policies.Expiring] reports it.
type Expiry struct {
	// Index is the window's position in the slice given to Expiring, so the
	// caller can map it back to its conversation.
	Index int
	// Window is the window itself.
	Window Window
	// ExpiresAt is when it closes.
	ExpiresAt time.Time
	// Remaining is how long it stays open after now.
	Remaining time.Duration
}

// Expiring lists, under the default policies, the windows open at now that
// close within d. See [Policies.Expiring].
func Expiring(ws []Window, now time.Time, d time.Duration) []Expiry {
	return Policies(nil).Expiring(ws, now, d)
}

// Expiring lists the windows among ws that are open at now and close within
// d (ExpiresAt ≤ now+d), soonest first, so a host can warn agents ("expires
// in 1 h"). Closed windows and channels without a window are
// never listed. It returns nil when none is.
func (ps Policies) Expiring(ws []Window, now time.Time, d time.Duration) []Expiry {
	var out []Expiry
	limit := now.Add(d)
	for i, w := range ws {
		if !w.Channel.Valid() || !ps.For(w.Channel).Windowed() || !ps.Open(w, now) {
			continue
		}
		at := ps.ExpiresAt(w)
		if at.After(limit) {
			continue
		}
		out = append(out, Expiry{Index: i, Window: w, ExpiresAt: at, Remaining: at.Sub(now)})
	}
	slices.SortStableFunc(out, func(a, b Expiry) int { return a.ExpiresAt.Compare(b.ExpiresAt) })
	return out
}
