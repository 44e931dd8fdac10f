package sessiontest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/session"
)

// Run checks that the stores newStore makes keep the [session.Store]
// contract under the default policies. Each rule runs as a subtest, and a
// failure names the rule it broke.
//
// Run calls newStore once per subtest, with that subtest's t, and newStore
// must return a fresh, empty store: a store backed by a database registers
// its clean-up with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) session.Store) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if err := c.run(context.Background(), newStore(t)); err != nil {
				t.Errorf("rule %q broken: %v", c.rule, err)
			}
		})
	}
}

// storeCase is one rule of the contract, checked on a fresh store.
type storeCase struct {
	name string
	rule string // the contract rule, as session.Store's doc states it
	run  func(ctx context.Context, s session.Store) error
}

// t0 is the suite's "now"; every instant is a whole microsecond.
var t0 = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

var (
	waBiz  = channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}
	waBiz2 = channel.Address{Kind: channel.WhatsApp, ID: "+14155550101"}
	waAna  = channel.Address{Kind: channel.WhatsApp, ID: "+33612345678"}
	waBo   = channel.Address{Kind: channel.WhatsApp, ID: "+33612345679"}
	fbPage = channel.Address{Kind: channel.Messenger, ID: "page-1"}
	fbAna  = channel.Address{Kind: channel.Messenger, ID: "psid-1"}
	smsBiz = channel.Address{Kind: channel.SMS, ID: "+14155550102"}
	smsAna = channel.Address{Kind: channel.SMS, ID: "+33612345678"}

	anaWA  = session.Key{Business: waBiz, Contact: waAna}
	anaWA2 = session.Key{Business: waBiz2, Contact: waAna}
	boWA   = session.Key{Business: waBiz, Contact: waBo}
	anaFB  = session.Key{Business: fbPage, Contact: fbAna}
	anaSMS = session.Key{Business: smsBiz, Contact: smsAna}
)

var cases = []storeCase{
	{"touch opens a window", "Touch opens a window that Window then reports; an untouched pair reads as never opened", func(ctx context.Context, s session.Store) error {
		w, err := s.Touch(ctx, anaWA, t0)
		if err != nil {
			return fmt.Errorf("touch: %w", err)
		}
		if err := sameWindow(w, channel.WhatsApp, t0); err != nil {
			return fmt.Errorf("touch returned: %w", err)
		}
		if err := wantWindow(ctx, s, anaWA, t0); err != nil {
			return err
		}
		w, ok, err := s.Window(ctx, boWA)
		if err != nil || ok || !w.LastInbound.IsZero() || w.Channel != channel.WhatsApp {
			return fmt.Errorf("untouched pair: got %+v, %v, %v; want a zero whatsapp window, false", w, ok, err)
		}
		return nil
	}},
	{"touch never moves a window back", "an earlier message never moves a window back", func(ctx context.Context, s session.Store) error {
		if _, err := s.Touch(ctx, anaWA, t0.Add(time.Hour)); err != nil {
			return err
		}
		w, err := s.Touch(ctx, anaWA, t0)
		if err != nil {
			return fmt.Errorf("late touch: %w", err)
		}
		if err := sameWindow(w, channel.WhatsApp, t0.Add(time.Hour)); err != nil {
			return fmt.Errorf("late touch returned: %w", err)
		}
		return wantWindow(ctx, s, anaWA, t0.Add(time.Hour))
	}},
	{"invalid key", "a key whose addresses are not of one valid kind fails with ErrInvalidKey and records nothing", func(ctx context.Context, s session.Store) error {
		bad := session.Key{Business: smsBiz, Contact: waAna}
		if _, err := s.Touch(ctx, bad, t0); !errors.Is(err, session.ErrInvalidKey) {
			return fmt.Errorf("touch sms business, whatsapp contact: got %v, want ErrInvalidKey", err)
		}
		if _, ok, err := s.Window(ctx, bad); err != nil || ok {
			return fmt.Errorf("refused key was recorded: ok %v, %v", ok, err)
		}
		return nil
	}},
	{"one window per business and contact", "each (business, contact) pair has a window of its own", func(ctx context.Context, s session.Store) error {
		if _, err := s.Touch(ctx, anaWA, t0); err != nil {
			return err
		}
		if _, err := s.Touch(ctx, anaWA2, t0.Add(time.Hour)); err != nil {
			return err
		}
		if err := wantWindow(ctx, s, anaWA, t0); err != nil {
			return err
		}
		return wantWindow(ctx, s, anaWA2, t0.Add(time.Hour))
	}},
	{"expiring lists open windows soonest first", "Expiring lists the windows open at now that close within d, soonest first, ties by key", func(ctx context.Context, s session.Store) error {
		for _, tc := range []struct {
			k  session.Key
			at time.Time
		}{{boWA, t0.Add(30 * time.Minute)}, {anaWA2, t0.Add(2 * time.Hour)}, {anaWA, t0}, {anaFB, t0.Add(30 * time.Minute)}, {anaSMS, t0}} {
			if _, err := s.Touch(ctx, tc.k, tc.at); err != nil {
				return err
			}
		}
		now := t0.Add(23 * time.Hour)
		got, err := s.Expiring(ctx, now, 2*time.Hour)
		if err != nil {
			return err
		}
		// anaWA2 closes at 26 h, after now+2h; the SMS pair has no window;
		// boWA and anaFB close together, whatsapp's key first.
		want := []session.Key{anaWA, boWA, anaFB}
		if err := sameKeys(trackedKeys(got), want); err != nil {
			return err
		}
		if !got[0].ExpiresAt.Equal(t0.Add(day)) || got[0].Remaining != time.Hour || !got[0].Window.LastInbound.Equal(t0) {
			return fmt.Errorf("first: got closes %v, remaining %v, last inbound %v; want %v, 1h, %v", got[0].ExpiresAt, got[0].Remaining, got[0].Window.LastInbound, t0.Add(day), t0)
		}
		got, err = s.Expiring(ctx, t0.Add(day+time.Minute), 2*time.Hour)
		if err != nil {
			return err
		}
		return sameKeys(trackedKeys(got), []session.Key{boWA, anaFB, anaWA2})
	}},
	{"notices expiring then closed", "Notices lists window expiring within the warning and window closed once closed, each until Noticed", func(ctx context.Context, s session.Store) error {
		if _, err := s.Touch(ctx, anaWA, t0); err != nil {
			return err
		}
		closes := t0.Add(day)
		if err := wantNotices(ctx, s, t0.Add(22*time.Hour), time.Hour); err != nil {
			return fmt.Errorf("two hours before the close: %w", err)
		}
		for range 2 { // listed until dealt with
			if err := wantNotices(ctx, s, t0.Add(23*time.Hour+30*time.Minute), time.Hour, notice{anaWA, closes, false}); err != nil {
				return fmt.Errorf("half an hour before the close: %w", err)
			}
		}
		if _, err := s.Noticed(ctx, anaWA, closes, false); err != nil {
			return err
		}
		if err := wantNotices(ctx, s, t0.Add(23*time.Hour+45*time.Minute), time.Hour); err != nil {
			return fmt.Errorf("after window expiring was dealt with: %w", err)
		}
		if err := wantNotices(ctx, s, closes, time.Hour, notice{anaWA, closes, true}); err != nil {
			return fmt.Errorf("at the close: %w", err)
		}
		if _, err := s.Noticed(ctx, anaWA, closes, true); err != nil {
			return err
		}
		return wantNotices(ctx, s, closes.Add(time.Hour), time.Hour)
	}},
	{"a closed window gets only window closed", "a window first listed after it closed gets only window closed, and a zero warning lists no window expiring", func(ctx context.Context, s session.Store) error {
		if _, err := s.Touch(ctx, anaWA, t0); err != nil {
			return err
		}
		if _, err := s.Touch(ctx, boWA, t0.Add(20*time.Hour)); err != nil {
			return err
		}
		now := t0.Add(day + time.Hour)
		if err := wantNotices(ctx, s, now, 0, notice{anaWA, t0.Add(day), true}); err != nil {
			return err
		}
		return wantNotices(ctx, s, now, 20*time.Hour, notice{anaWA, t0.Add(day), true}, notice{boWA, t0.Add(44 * time.Hour), false})
	}},
	{"closed covers expiring", "Noticed for window closed also deals with window expiring", func(ctx context.Context, s session.Store) error {
		if _, err := s.Touch(ctx, anaWA, t0); err != nil {
			return err
		}
		if _, err := s.Noticed(ctx, anaWA, t0.Add(day), true); err != nil {
			return err
		}
		return wantNotices(ctx, s, t0.Add(23*time.Hour+30*time.Minute), time.Hour)
	}},
	{"a message makes a new window", "a window that moves is a new one with no notice dealt with, and Noticed for the old closing instant changes nothing", func(ctx context.Context, s session.Store) error {
		if _, err := s.Touch(ctx, anaWA, t0); err != nil {
			return err
		}
		if _, err := s.Noticed(ctx, anaWA, t0.Add(day), false); err != nil {
			return err
		}
		later := t0.Add(23*time.Hour + 30*time.Minute)
		if _, err := s.Touch(ctx, anaWA, later); err != nil {
			return err
		}
		if _, err := s.Noticed(ctx, anaWA, t0.Add(day), true); err != nil { // the old window's
			return err
		}
		closes := later.Add(day)
		if err := wantNotices(ctx, s, closes.Add(-30*time.Minute), time.Hour, notice{anaWA, closes, false}); err != nil {
			return fmt.Errorf("the new window's warning: %w", err)
		}
		return wantNotices(ctx, s, closes, time.Hour, notice{anaWA, closes, true})
	}},
	{"notices soonest first", "Notices lists soonest first, ties by key", func(ctx context.Context, s session.Store) error {
		for _, k := range []session.Key{boWA, anaWA2, anaWA} {
			if _, err := s.Touch(ctx, k, t0); err != nil {
				return err
			}
		}
		if _, err := s.Touch(ctx, anaFB, t0.Add(-time.Hour)); err != nil {
			return err
		}
		closes := t0.Add(day)
		return wantNotices(ctx, s, closes, 0,
			notice{anaFB, closes.Add(-time.Hour), true}, notice{anaWA, closes, true}, notice{boWA, closes, true}, notice{anaWA2, closes, true})
	}},
	{"prune forgets what is over", "Prune forgets the windows whose every limit ended by cutoff, never a windowless channel's", func(ctx context.Context, s session.Store) error {
		for _, k := range []session.Key{anaWA, anaFB, anaSMS} {
			if _, err := s.Touch(ctx, k, t0); err != nil {
				return err
			}
		}
		if n, err := s.Prune(ctx, t0.Add(day-time.Microsecond)); err != nil || n != 0 {
			return fmt.Errorf("prune before the close: got %d, %v; want 0", n, err)
		}
		if n, err := s.Prune(ctx, t0.Add(day)); err != nil || n != 1 {
			return fmt.Errorf("prune at the whatsapp close: got %d, %v; want 1", n, err)
		}
		if _, ok, err := s.Window(ctx, anaWA); err != nil || ok {
			return fmt.Errorf("the pruned whatsapp window is still there: ok %v, %v", ok, err)
		}
		if err := wantWindow(ctx, s, anaFB, t0); err != nil {
			return fmt.Errorf("the HUMAN_AGENT tag keeps the messenger window: %w", err)
		}
		if n, err := s.Prune(ctx, t0.Add(7*day)); err != nil || n != 1 {
			return fmt.Errorf("prune at the end of the tag: got %d, %v; want 1", n, err)
		}
		if n, err := s.Prune(ctx, t0.Add(365*day)); err != nil || n != 0 {
			return fmt.Errorf("prune a year on: got %d, %v; want 0 (sms has no window)", n, err)
		}
		return wantWindow(ctx, s, anaSMS, t0)
	}},
	{"forget drops the contact's windows", "Forget drops every window of the contact, with any business, and returns how many", func(ctx context.Context, s session.Store) error {
		for _, k := range []session.Key{anaWA, anaWA2, boWA} {
			if _, err := s.Touch(ctx, k, t0); err != nil {
				return err
			}
		}
		if n, err := s.Forget(ctx, waAna); err != nil || n != 2 {
			return fmt.Errorf("forget: got %d, %v; want 2", n, err)
		}
		for _, k := range []session.Key{anaWA, anaWA2} {
			if _, ok, err := s.Window(ctx, k); err != nil || ok {
				return fmt.Errorf("%v survived: ok %v, %v", k.Business, ok, err)
			}
		}
		if err := wantNotices(ctx, s, t0.Add(day), 0, notice{boWA, t0.Add(day), true}); err != nil {
			return fmt.Errorf("the forgotten contact's notices: %w", err)
		}
		if n, err := s.Forget(ctx, waAna); err != nil || n != 0 {
			return fmt.Errorf("forget again: got %d, %v; want 0", n, err)
		}
		return nil
	}},
	{"concurrent touches keep the latest", "concurrent messages leave the window at the latest of them", func(ctx context.Context, s session.Store) error {
		const n = 16
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() {
				_, errs[i] = s.Touch(ctx, anaWA, t0.Add(time.Duration(i)*time.Minute))
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		return wantWindow(ctx, s, anaWA, t0.Add((n-1)*time.Minute))
	}},
	{"a notice dealt with is dealt with for all", "a notice marked dealt with by one caller is not listed to another, and of callers racing to mark it exactly one is told it did", func(ctx context.Context, s session.Store) error {
		if _, err := s.Touch(ctx, anaWA, t0); err != nil {
			return err
		}
		var wg sync.WaitGroup
		errs := make([]error, 4)
		marked := make([]bool, 4)
		for i := range errs {
			wg.Go(func() {
				marked[i], errs[i] = s.Noticed(ctx, anaWA, t0.Add(day), true)
			})
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
		if n := len(slices.DeleteFunc(marked, func(m bool) bool { return !m })); n != 1 {
			return fmt.Errorf("%d of 4 racing callers were told they made the mark, want exactly 1", n)
		}
		return wantNotices(ctx, s, t0.Add(day), time.Hour)
	}},
}

// notice is a notice the suite expects.
type notice struct {
	k      session.Key
	closes time.Time
	closed bool
}

func wantNotices(ctx context.Context, s session.Store, now time.Time, warn time.Duration, want ...notice) error {
	got, err := s.Notices(ctx, now, warn)
	if err != nil {
		return fmt.Errorf("notices: %w", err)
	}
	if len(got) != len(want) {
		return fmt.Errorf("notices at %v: got %d %v, want %d %v", now, len(got), got, len(want), want)
	}
	for i, n := range got {
		w := want[i]
		if n.Key != w.k || !n.ExpiresAt.Equal(w.closes) || n.Closed != w.closed || n.Remaining != w.closes.Sub(now) {
			return fmt.Errorf("notice %d at %v: got %v closing %v (closed %v, remaining %v); want %v closing %v (closed %v)",
				i, now, n.Key, n.ExpiresAt, n.Closed, n.Remaining, w.k, w.closes, w.closed)
		}
	}
	return nil
}

func wantWindow(ctx context.Context, s session.Store, k session.Key, last time.Time) error {
	w, ok, err := s.Window(ctx, k)
	if err != nil {
		return fmt.Errorf("window: %w", err)
	}
	if !ok {
		return fmt.Errorf("window of %v: not found", k)
	}
	return sameWindow(w, k.Contact.Kind, last)
}

func sameWindow(w session.Window, kind channel.Kind, last time.Time) error {
	if w.Channel != kind || !w.LastInbound.Equal(last) {
		return fmt.Errorf("got %s window last written %v, want %s %v", w.Channel, w.LastInbound, kind, last)
	}
	return nil
}

func trackedKeys(ts []session.Tracked) []session.Key {
	out := make([]session.Key, len(ts))
	for i, t := range ts {
		out[i] = t.Key
	}
	return out
}

func sameKeys(got, want []session.Key) error {
	if len(got) != len(want) {
		return fmt.Errorf("got %d windows %v, want %d %v", len(got), got, len(want), want)
	}
	for i := range got {
		if got[i] != want[i] {
			return fmt.Errorf("window %d: got %v, want %v", i, got[i], want[i])
		}
	}
	return nil
}
