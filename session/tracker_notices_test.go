package session_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/session"
)

// step is one call in a Notices scenario: touch a window, mark a notice
// dealt with, forget a contact, or ask for the notices at an hour after t0
// with a warning, expecting them as "key closed|expiring".
type step struct {
	touch  *session.Key
	at     time.Duration // after t0: the touch's inbound time, or the ask's now
	ack    *session.Key
	closes time.Duration // after t0: the acknowledged window's closing
	closed bool
	forget *channel.Address
	warn   time.Duration
	want   []string
}

func TestTrackerNotices(t *testing.T) {
	a := waKey("+14155550100", "+447700900001")
	b := waKey("+14155550100", "+447700900002")
	m := session.Key{Business: channel.Address{Kind: channel.Messenger, ID: "page-1"}, Contact: channel.Address{Kind: channel.Messenger, ID: "psid-1"}}
	sms := session.Key{Business: channel.Address{Kind: channel.SMS, ID: "+14155550100"}, Contact: channel.Address{Kind: channel.SMS, ID: "+447700900003"}}
	h := time.Hour
	ask := func(now time.Duration, warn time.Duration, want ...string) step {
		return step{at: now, warn: warn, want: want}
	}
	for _, tc := range []struct {
		name  string
		steps []step
	}{
		{"an open window far from closing has nothing to say", []step{
			{touch: &a}, ask(10*h, h),
		}},
		{"expiring within the warning, then closed, each once", []step{
			{touch: &a},
			ask(23*h, h, "a expiring"),
			{ack: &a, closes: 24 * h},
			ask(23*h+30*time.Minute, h),
			ask(24*h, h, "a closed"),
			{ack: &a, closes: 24 * h, closed: true},
			ask(30*h, h),
		}},
		{"a notice not dealt with is listed again", []step{
			{touch: &a},
			ask(23*h, h, "a expiring"),
			ask(23*h+time.Minute, h, "a expiring"),
			ask(25*h, h, "a closed"),
			ask(26*h, h, "a closed"),
		}},
		{"a window first seen closed gets only the closed notice", []step{
			{touch: &a},
			ask(25*h, h, "a closed"),
			{ack: &a, closes: 24 * h, closed: true},
			ask(26*h, h),
		}},
		{"a zero warning announces closing only", []step{
			{touch: &a},
			ask(23*h+59*time.Minute, 0),
			ask(23*h+59*time.Minute, -h),
			ask(24*h, 0, "a closed"),
		}},
		{"a touch makes a new window with its own notices", []step{
			{touch: &a},
			ask(23*h, h, "a expiring"),
			{touch: &a, at: 23 * h},
			{ack: &a, closes: 24 * h}, // the old window's: ignored
			ask(23*h+30*time.Minute, h),
			ask(46*h, h, "a expiring"),
		}},
		{"soonest first; windowless channels never", []step{
			{touch: &b, at: 2 * h}, {touch: &a, at: h}, {touch: &sms},
			ask(25*h+30*time.Minute, h, "a closed", "b expiring"),
		}},
		{"a Messenger window announced closed is not announced again while kept for the tag", []step{
			{touch: &m},
			ask(24*h, h, "m closed"),
			{ack: &m, closes: 24 * h, closed: true},
			ask(48*h, h),
		}},
		{"a forgotten window has nothing to say", []step{
			{touch: &a}, {touch: &b},
			{forget: &a.Contact},
			{ack: &a, closes: 24 * h, closed: true},
			ask(25*h, h, "b closed"),
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tr := session.NewTracker(nil)
			names := map[session.Key]string{a: "a", b: "b", m: "m", sms: "sms"}
			for i, s := range tc.steps {
				switch {
				case s.touch != nil:
					_, err := tr.Touch(*s.touch, t0.Add(s.at))
					require.NoError(t, err)
				case s.ack != nil:
					tr.Noticed(*s.ack, t0.Add(s.closes), s.closed)
				case s.forget != nil:
					tr.Forget(*s.forget)
				default:
					var got []string
					for _, n := range tr.Notices(t0.Add(s.at), s.warn) {
						what := "expiring"
						if n.Closed {
							what = "closed"
						}
						got = append(got, names[n.Key]+" "+what)
						assert.Equal(t, n.ExpiresAt.Sub(t0.Add(s.at)), n.Remaining, "step %d: remaining from now", i)
					}
					assert.Equal(t, s.want, got, "step %d: notices at t0+%s", i, s.at)
				}
			}
		})
	}
}

// TestTrackerNoticesConcurrent runs touches and erasures from many
// goroutines while one announcer asks for notices as time goes by and
// marks each dealt with: no notice is listed again once dealt with, and
// every window still held at the end has had its "window closed" notice.
func TestTrackerNoticesConcurrent(t *testing.T) {
	const (
		workers  = 8
		contacts = 20
		touches  = 200
	)
	tr := session.NewTracker(nil)
	type final struct {
		last      time.Time
		forgotten bool
	}
	finals := make([]map[session.Key]final, workers)
	var wg sync.WaitGroup
	for w := range workers {
		finals[w] = make(map[session.Key]final)
		wg.Go(func() {
			for i := range touches {
				k := waKey("+14155550100", fmt.Sprintf("+4477%04d%04d", w, i%contacts))
				// Strictly later per key, forgotten or not, so that no
				// window closes twice at one instant.
				at := t0.Add(time.Duration(i) * 10 * time.Minute)
				if i%7 == 3 {
					tr.Forget(k.Contact)
					finals[w][k] = final{last: finals[w][k].last, forgotten: true}
					continue
				}
				_, err := tr.Touch(k, at)
				assert.NoError(t, err)
				finals[w][k] = final{last: at}
			}
		})
	}

	type notice struct {
		key    session.Key
		closes time.Time
		closed bool
	}
	dealt := map[notice]int{}
	announce := func(now time.Time) {
		for _, n := range tr.Notices(now, time.Hour) {
			k := notice{n.Key, n.ExpiresAt, n.Closed}
			dealt[k]++
			assert.Equal(t, 1, dealt[k], "%v listed again after it was dealt with", k)
			tr.Noticed(n.Key, n.ExpiresAt, n.Closed)
		}
	}
	end := t0.Add(touches * 10 * time.Minute)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for now := t0; now.Before(end.Add(24 * time.Hour)); now = now.Add(7 * time.Minute) {
			announce(now)
		}
	}()
	wg.Wait()
	<-done
	announce(end.Add(48 * time.Hour))

	held := 0
	for _, f := range finals {
		for k, fin := range f {
			if fin.forgotten {
				continue
			}
			held++
			assert.Equal(t, 1, dealt[notice{k, fin.last.Add(24 * time.Hour), true}], "%v: window closing at %s announced closed once", k, fin.last.Add(24*time.Hour))
		}
	}
	assert.Equal(t, held, tr.Len())
	assert.Empty(t, tr.Notices(end.Add(48*time.Hour), time.Hour), "nothing left to say")
}
