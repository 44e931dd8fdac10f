package session_test

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/parleyhq/parley/session"
)

// benchTracker returns a tracker holding idle WhatsApp windows, all touched
// an hour before now (closing 23 h later), and due windows closing within
// the hour.
func benchTracker(b *testing.B, idle, due int) (*session.Tracker, time.Time) {
	b.Helper()
	tr := session.NewTracker(nil)
	now := t0.Add(48 * time.Hour)
	for i := range idle {
		if _, err := tr.Touch(waKey("+14155550100", fmt.Sprintf("+4477%08d", i)), now.Add(-time.Hour)); err != nil {
			b.Fatal(err)
		}
	}
	for i := range due {
		at := now.Add(-24*time.Hour + time.Duration(i+1)*time.Minute)
		if _, err := tr.Touch(waKey("+14155550100", fmt.Sprintf("+3361%08d", i)), at); err != nil {
			b.Fatal(err)
		}
	}
	return tr, now
}

var idleSizes = []int{1_000, 100_000, 1_000_000}

// BenchmarkTrackerDue is what a Tick asks of a tracker holding many idle
// windows and a handful due within the warning: its cost must not grow
// with the idle windows.
func BenchmarkTrackerDue(b *testing.B) {
	for _, idle := range idleSizes {
		b.Run(fmt.Sprintf("idle=%d", idle), func(b *testing.B) {
			tr, now := benchTracker(b, idle, 5)
			b.ReportAllocs()
			for b.Loop() {
				if got := tr.Due(now.Add(time.Hour)); len(got) != 5 {
					b.Fatalf("Due listed %d windows, want 5", len(got))
				}
			}
		})
	}
}

// BenchmarkTrackerNotices is a Tick's question among many idle windows,
// five of them with an "expiring" notice not yet dealt with.
func BenchmarkTrackerNotices(b *testing.B) {
	for _, idle := range idleSizes {
		b.Run(fmt.Sprintf("idle=%d", idle), func(b *testing.B) {
			tr, now := benchTracker(b, idle, 5)
			b.ReportAllocs()
			for b.Loop() {
				if got := tr.Notices(now, time.Hour); len(got) != 5 {
					b.Fatalf("Notices listed %d, want 5", len(got))
				}
			}
		})
	}
}

// BenchmarkTrackerPrune is a Prune that forgets nothing among many idle
// windows, as every Tick does.
func BenchmarkTrackerPrune(b *testing.B) {
	for _, idle := range idleSizes {
		b.Run(fmt.Sprintf("idle=%d", idle), func(b *testing.B) {
			tr, now := benchTracker(b, idle, 5)
			b.ReportAllocs()
			for b.Loop() {
				if n := tr.Prune(now); n != 0 {
					b.Fatalf("Prune forgot %d windows, want 0", n)
				}
			}
		})
	}
}

// BenchmarkTrackerTouch is a Receive's Touch of one window among many,
// each moving the window later, as every inbound message does.
func BenchmarkTrackerTouch(b *testing.B) {
	for _, idle := range idleSizes {
		b.Run(fmt.Sprintf("idle=%d", idle), func(b *testing.B) {
			tr, now := benchTracker(b, idle, 5)
			k := waKey("+14155550100", fmt.Sprintf("+4477%08d", idle/2))
			at := now
			b.ReportAllocs()
			for b.Loop() {
				at = at.Add(time.Millisecond)
				if _, err := tr.Touch(k, at); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// BenchmarkTrackerTouchDuringDue is a Receive's Touch while another
// goroutine runs Due over and over: a Touch waits for the tracker's lock
// at most as long as Due holds it. B/op counts
// the Due goroutine's allocations too.
func BenchmarkTrackerTouchDuringDue(b *testing.B) {
	for _, idle := range idleSizes[:2] {
		b.Run(fmt.Sprintf("idle=%d", idle), func(b *testing.B) {
			tr, now := benchTracker(b, idle, 5)
			stop := make(chan struct{})
			var wg sync.WaitGroup
			wg.Go(func() {
				for {
					select {
					case <-stop:
						return
					default:
						tr.Due(now.Add(time.Hour))
					}
				}
			})
			k := waKey("+14155550100", "+447700000001")
			at := now
			b.ReportAllocs()
			for b.Loop() {
				at = at.Add(time.Millisecond)
				if _, err := tr.Touch(k, at); err != nil {
					b.Fatal(err)
				}
			}
			b.StopTimer()
			close(stop)
			wg.Wait()
		})
	}
}
