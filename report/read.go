package report

import (
	"cmp"
	"maps"
	"slices"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// Total returns the figures of everything observed.
func (a *Accumulator) Total() Figures {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.total
}

// Hour returns the figures of the local hour holding t; zero figures for
// an hour nothing happened in or that has left the kept hours.
func (a *Accumulator) Hour(t time.Time) Figures {
	a.mu.Lock()
	defer a.mu.Unlock()
	return a.hourAt(a.hourKey(t))
}

func (a *Accumulator) hourAt(k int64) Figures {
	if k <= a.latest-int64(len(a.hours)) {
		return Figures{}
	}
	i := int(k % int64(len(a.hours)))
	if i < 0 {
		i += len(a.hours)
	}
	if h := a.hours[i]; h != nil && h.key == k {
		return h.f
	}
	return Figures{}
}

// Day returns the figures of the local day holding t: its hours merged.
// On a day the clocks go back, the repeated hour is one hour of figures.
func (a *Accumulator) Day(t time.Time) Figures {
	a.mu.Lock()
	defer a.mu.Unlock()
	lt := t.In(a.loc)
	y, m, d := lt.Date()
	first := a.hourKey(time.Date(y, m, d, 0, 0, 0, 0, a.loc))
	var f Figures
	for k := first; k < first+24; k++ {
		h := a.hourAt(k)
		f.Merge(&h)
	}
	return f
}

// ByChannel returns the figures of each channel seen.
func (a *Accumulator) ByChannel() map[channel.Kind]Figures { return copyFigures(a, a.channels) }

// ByTouchpoint returns the figures of each touchpoint seen.
func (a *Accumulator) ByTouchpoint() map[string]Figures { return copyFigures(a, a.touch) }

// ByQueue returns the figures of each queue seen; a conversation in two
// queues counts in both.
func (a *Accumulator) ByQueue() map[string]Figures { return copyFigures(a, a.queues) }

// ByAgent returns the figures of each agent seen.
func (a *Accumulator) ByAgent() map[string]Figures {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[string]Figures, len(a.agents))
	for id, ag := range a.agents {
		out[id] = ag.f
	}
	return out
}

func copyFigures[K comparable](a *Accumulator, m map[K]*Figures) map[K]Figures {
	a.mu.Lock()
	defer a.mu.Unlock()
	out := make(map[K]Figures, len(m))
	for k, f := range m {
		out[k] = *f
	}
	return out
}

// Occupancy returns the agent's occupancy up to now (rule 14): the load
// it held over its capacity, averaged over the time since its first
// event; 0 for an agent not seen or no time elapsed.
func (a *Accumulator) Occupancy(agentID string, now time.Time) float64 {
	a.mu.Lock()
	defer a.mu.Unlock()
	ag := a.agents[agentID]
	if ag == nil || !now.After(ag.first) {
		return 0
	}
	occ := ag.occupied
	if now.After(ag.since) {
		occ += float64(ag.load) / float64(ag.capacity) * now.Sub(ag.since).Seconds()
	}
	return occ / now.Sub(ag.first).Seconds()
}

// Standing is one agent's line of the leaderboard.
type Standing struct {
	Agent string
	// Handled, FirstResponse and Handle are as in the agent's Figures:
	// conversations handled, mean first response, mean handle time.
	Handled       int64
	FirstResponse time.Duration
	Handle        time.Duration
	// Occupancy is as [Accumulator.Occupancy] at the leaderboard's now.
	Occupancy float64
}

// Leaderboard ranks the agents (rule 13): most conversations handled
// first, then the shorter mean first response, then by ID.
func (a *Accumulator) Leaderboard(now time.Time) []Standing {
	byAgent := a.ByAgent()
	out := make([]Standing, 0, len(byAgent))
	for _, id := range slices.Sorted(maps.Keys(byAgent)) {
		f := byAgent[id]
		out = append(out, Standing{Agent: id, Handled: f.Handled, FirstResponse: f.FirstResponse.Mean(),
			Handle: f.Handle.Mean(), Occupancy: a.Occupancy(id, now)})
	}
	slices.SortStableFunc(out, func(x, y Standing) int {
		if c := cmp.Compare(y.Handled, x.Handled); c != 0 {
			return c
		}
		return cmp.Compare(x.FirstResponse, y.FirstResponse)
	})
	return out
}

// Open returns how many conversations the accumulator holds state for:
// started and not closed yet (rule 15's bound).
func (a *Accumulator) Open() int {
	a.mu.Lock()
	defer a.mu.Unlock()
	return len(a.convs)
}

// Conversation returns the figures so far of an open conversation, false
// when it is not open (closed figures go to Config.Closed).
func (a *Accumulator) Conversation(id conversation.ID) (Conversation, bool) {
	a.mu.Lock()
	defer a.mu.Unlock()
	c := a.convs[id]
	if c == nil {
		return Conversation{}, false
	}
	return Conversation{ID: c.id.String(), Touchpoint: c.tp, Channel: c.channel.String(), Queues: slices.Clone(c.queues),
		Agent: c.lastAgent, ByContact: c.byContact, Started: c.started, Wait: c.wait, FirstResponse: c.first,
		Transfers: c.transfers, MessagesIn: c.in, MessagesOut: c.out}, true
}
