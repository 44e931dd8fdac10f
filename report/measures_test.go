package report_test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/routing"
)

// weekdays9to17 is open Monday to Friday, 09:00–17:00 UTC.
var weekdays9to17 = func() *routing.Schedule {
	s := &routing.Schedule{}
	for d := time.Monday; d <= time.Friday; d++ {
		s.Week[d] = []routing.Span{{From: 9 * hr, To: 17 * hr}}
	}
	return s
}()

func touchpoints() []parley.Touchpoint {
	return []parley.Touchpoint{
		{ID: "wa", Kind: channel.WhatsApp, Queues: []string{"support"}, Hours: weekdays9to17},
		{ID: "sms", Kind: channel.SMS, Queues: []string{"support", "billing"}},
	}
}

// run feeds events to a new accumulator.
func run(t *testing.T, cfg report.Config, events []parley.Event) *report.Accumulator {
	t.Helper()
	if cfg.Touchpoints == nil {
		cfg.Touchpoints = touchpoints()
	}
	a, err := report.New(cfg)
	require.NoError(t, err)
	for _, e := range events {
		a.Observe(e)
	}
	return a
}

// assertDurations checks that s holds exactly want (count, sum, min, max).
func assertDurations(t *testing.T, want []time.Duration, s report.Durations) {
	t.Helper()
	var sum time.Duration
	for _, d := range want {
		sum += d
	}
	if !assert.Equal(t, int64(len(want)), s.Count, "count") || len(want) == 0 {
		return
	}
	assert.Equal(t, sum, s.Sum, "sum")
	assert.Equal(t, slices.Min(want), s.Min, "min")
	assert.Equal(t, slices.Max(want), s.Max, "max")
}

type durationCase struct {
	name   string
	cfg    report.Config
	events []parley.Event
	want   []time.Duration
	hours  *routing.Schedule // the touchpoint's, where a case sets it
}

func runDurations(t *testing.T, cases []durationCase, pick func(*report.Figures) report.Durations) {
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := run(t, tc.cfg, tc.events)
			f := a.Total()
			assertDurations(t, tc.want, pick(&f))
		})
	}
}

// Rule 7: wait is queued → first assigned.
func TestWait(t *testing.T) {
	runDurations(t, []durationCase{
		{name: "queued then assigned", events: []parley.Event{started(1, 0), assigned(1, 5*mn, "ana")}, want: []time.Duration{5 * mn}},
		{name: "assigned at once", events: []parley.Event{started(1, 0), assigned(1, 0, "ana")}, want: []time.Duration{0}},
		{name: "send-to-inbox does not reset wait", events: []parley.Event{
			started(1, 0), assigned(1, 2*mn, "ana"), toInbox(1, 10*mn, "ana"), assigned(1, 30*mn, "bo")}, want: []time.Duration{2 * mn}},
		{name: "transfer is no second wait", events: []parley.Event{
			started(1, 0), assigned(1, 3*mn, "ana"), transferred(1, 4*mn, "ana", "bo")}, want: []time.Duration{3 * mn}},
		{name: "bot time is not waiting: from hand-off", events: []parley.Event{
			startedWithBot(1, 0), handedOff(1, 4*mn), assigned(1, 6*mn, "ana")}, want: []time.Duration{2 * mn}},
		{name: "bot straight to an agent waits nothing", events: []parley.Event{
			startedWithBot(1, 0), assigned(1, 3*mn, "ana")}, want: []time.Duration{0}},
		{name: "an offer is still waiting", events: []parley.Event{
			started(1, 0), offered(1, 0, "ana", 90*sec), assigned(1, 40*sec, "ana")}, want: []time.Duration{40 * sec}},
		{name: "never assigned", events: []parley.Event{started(1, 0), closed(1, 9*mn, conversation.Queued, "")}},
		{name: "outside business hours: Friday 16:50 to Monday 09:10", cfg: report.Config{BusinessHours: true}, events: []parley.Event{
			started(1, 4*24*hr+7*hr+50*mn), assigned(1, 7*24*hr+10*mn, "ana")}, want: []time.Duration{20 * mn}},
		{name: "outside business hours, wall clock", events: []parley.Event{
			started(1, 4*24*hr+7*hr+50*mn), assigned(1, 7*24*hr+10*mn, "ana")}, want: []time.Duration{2*24*hr + 16*hr + 20*mn}},
	}, func(f *report.Figures) report.Durations { return f.Wait })
}

// Rule 8: first response is the contact's first message → the first
// agent message; bots and automatic messages do not answer.
func TestFirstResponse(t *testing.T) {
	runDurations(t, []durationCase{
		{name: "agent answers", events: []parley.Event{started(1, 0), fromContact(1, 0), assigned(1, mn, "ana"), agentSays(1, 3*mn, "ana")}, want: []time.Duration{3 * mn}},
		{name: "a bot's reply is not a first response", events: []parley.Event{
			startedWithBot(1, 0), fromContact(1, 0), botSays(1, 10*sec), handedOff(1, mn), assigned(1, 2*mn, "ana"), agentSays(1, 4*mn, "ana")}, want: []time.Duration{4 * mn}},
		{name: "automatic messages are excluded", events: []parley.Event{
			started(1, 0), fromContact(1, 0), systemSays(1, 0), systemSays(1, 30*sec), assigned(1, mn, "ana"), agentSays(1, 2*mn, "ana")}, want: []time.Duration{2 * mn}},
		{name: "a transfer does not restart first response", events: []parley.Event{
			started(1, 0), fromContact(1, 0), assigned(1, mn, "ana"), transferred(1, 2*mn, "ana", "bo"), agentSays(1, 5*mn, "bo")}, want: []time.Duration{5 * mn}},
		{name: "answered before a transfer stays answered", events: []parley.Event{
			started(1, 0), fromContact(1, 0), assigned(1, mn, "ana"), agentSays(1, 3*mn, "ana"), transferred(1, 4*mn, "ana", "bo"),
			fromContact(1, 5*mn), agentSays(1, 6*mn, "bo")}, want: []time.Duration{3 * mn}},
		{name: "send-to-inbox does not restart it", events: []parley.Event{
			started(1, 0), fromContact(1, 0), assigned(1, mn, "ana"), toInbox(1, 2*mn, "ana"), assigned(1, 7*mn, "bo"), agentSays(1, 8*mn, "bo")}, want: []time.Duration{8 * mn}},
		{name: "business-started: from the contact's first message", events: []parley.Event{
			startedByBusiness(1, 0), assigned(1, 0, "ana"), agentSays(1, 0, "ana"), fromContact(1, 10*mn), agentSays(1, 12*mn, "ana")}, want: []time.Duration{2 * mn}},
		{name: "imported history is no contact message", events: []parley.Event{
			started(1, 0), imported(1, 0), fromContact(1, 5*mn), assigned(1, 5*mn, "ana"), agentSays(1, 6*mn, "ana")}, want: []time.Duration{mn}},
		{name: "reopen after close is a new conversation", events: []parley.Event{
			started(1, 0), fromContact(1, 0), assigned(1, 0, "ana"), agentSays(1, 2*mn, "ana"), ended(1, 5*mn, "ana"), closed(1, 10*mn, conversation.WrapUp, "ana"),
			followUp(2, 1, 20*mn), fromContact(2, 20*mn), assigned(2, 20*mn, "ana"), agentSays(2, 21*mn, "ana")}, want: []time.Duration{2 * mn, mn}},
		{name: "never answered", events: []parley.Event{started(1, 0), fromContact(1, 0), botSays(1, mn)}},
		{name: "outside business hours: Friday 16:50 to Monday 09:10", cfg: report.Config{BusinessHours: true}, events: []parley.Event{
			started(1, 4*24*hr+7*hr+50*mn), fromContact(1, 4*24*hr+7*hr+50*mn), assigned(1, 7*24*hr, "ana"), agentSays(1, 7*24*hr+10*mn, "ana")}, want: []time.Duration{20 * mn}},
		{name: "a holiday is closed all day", cfg: report.Config{BusinessHours: true, Touchpoints: []parley.Touchpoint{{ID: "wa", Queues: []string{"support"},
			Hours: &routing.Schedule{Week: weekdays9to17.Week, Holidays: []time.Time{at(24 * hr)}}}}}, events: []parley.Event{
			started(1, 7*hr+50*mn), fromContact(1, 7*hr+50*mn), assigned(1, 48*hr, "ana"), agentSays(1, 48*hr+10*mn, "ana")}, want: []time.Duration{20 * mn}},
		{name: "a touchpoint without hours is always open", cfg: report.Config{BusinessHours: true}, events: []parley.Event{
			startedOn(1, 8*hr, "sms", channel.SMS), fromContact(1, 8*hr), assigned(1, 9*hr, "ana"), agentSays(1, 9*hr, "ana")}, want: []time.Duration{hr}},
	}, func(f *report.Figures) report.Durations { return f.FirstResponse })
}

// Rule 9: every agent answer, from the oldest unanswered contact message.
func TestResponse(t *testing.T) {
	runDurations(t, []durationCase{
		{name: "each answer from the oldest unanswered message", events: []parley.Event{
			started(1, 0), fromContact(1, 0), fromContact(1, mn), assigned(1, mn, "ana"), agentSays(1, 3*mn, "ana"),
			fromContact(1, 5*mn), botSays(1, 5*mn+sec), agentSays(1, 6*mn, "ana"), agentSays(1, 7*mn, "ana")}, want: []time.Duration{3 * mn, mn}},
		{name: "no contact message, nothing to answer", events: []parley.Event{startedByBusiness(1, 0), agentSays(1, 0, "ana")}},
	}, func(f *report.Figures) report.Durations { return f.Response })
}

// Rules 8 and 9 by the messages' own times: the Desk publishes after
// releasing its locks, so a contact's message can arrive after the reply
// to it. An agent message answers every contact message created at or
// before it.
func TestResponseOutOfOrder(t *testing.T) {
	first := []durationCase{
		{name: "the reply arrives before the message it answers", events: []parley.Event{
			started(1, 0), assigned(1, 0, "ana"), agentSays(1, 3*mn, "ana"), fromContact(1, mn)}, want: []time.Duration{2 * mn}},
		{name: "created at the same instant: answered", events: []parley.Event{
			started(1, 0), agentSays(1, mn, "ana"), fromContact(1, mn)}, want: []time.Duration{0}},
		{name: "a contact message created after the reply is not answered by it", events: []parley.Event{
			started(1, 0), agentSays(1, mn, "ana"), fromContact(1, 2*mn)}},
		{name: "business-started: the earlier agent message answers nothing", events: []parley.Event{
			startedByBusiness(1, 0), agentSays(1, 0, "ana"), agentSays(1, 12*mn, "ana"), fromContact(1, 10*mn)}, want: []time.Duration{2 * mn}},
		{name: "two contact messages arrive after the reply: from the first", events: []parley.Event{
			started(1, 0), agentSays(1, 5*mn, "ana"), fromContact(1, mn), fromContact(1, 2*mn)}, want: []time.Duration{4 * mn}},
		{name: "in order, as before", events: []parley.Event{
			started(1, 0), fromContact(1, 0), agentSays(1, 3*mn, "ana")}, want: []time.Duration{3 * mn}},
	}
	t.Run("first response", func(t *testing.T) {
		runDurations(t, first, func(f *report.Figures) report.Durations { return f.FirstResponse })
	})
	t.Run("response", func(t *testing.T) {
		runDurations(t, []durationCase{
			{name: "one answer to two messages that arrive after it: one response, from the oldest", events: []parley.Event{
				started(1, 0), agentSays(1, 5*mn, "ana"), fromContact(1, mn), fromContact(1, 2*mn)}, want: []time.Duration{4 * mn}},
			{name: "the second answer arrives first", events: []parley.Event{
				started(1, 0), fromContact(1, 0), agentSays(1, mn, "ana"), agentSays(1, 5*mn, "ana"), fromContact(1, 3*mn)}, want: []time.Duration{mn, 2 * mn}},
		}, func(f *report.Figures) report.Durations { return f.Response })
	})
	t.Run("credited to the agent who answered", func(t *testing.T) {
		a := run(t, report.Config{}, []parley.Event{started(1, 0), assigned(1, 0, "ana"), agentSays(1, 3*mn, "ana"), fromContact(1, mn)})
		f := a.ByAgent()["ana"]
		assert.Equal(t, int64(1), f.FirstResponse.Count)
		assert.Equal(t, int64(1), f.Answered)
	})
}

// Rules 10–12: handle (first assigned → closed), resolution (started →
// closed), wrap-up (ended → closed).
func TestHandleResolutionWrapUp(t *testing.T) {
	cases := []struct {
		name                       string
		events                     []parley.Event
		handle, resolution, wrapUp []time.Duration
		handled                    int64
	}{
		{name: "assigned, ended, closed", events: []parley.Event{
			started(1, 0), assigned(1, mn, "ana"), ended(1, 10*mn, "ana"), closed(1, 15*mn, conversation.WrapUp, "ana")},
			handle: []time.Duration{14 * mn}, resolution: []time.Duration{15 * mn}, wrapUp: []time.Duration{5 * mn}, handled: 1},
		{name: "closed while assigned: no wrap-up", events: []parley.Event{
			started(1, 0), assigned(1, mn, "ana"), closed(1, 4*mn, conversation.Assigned, "ana")},
			handle: []time.Duration{3 * mn}, resolution: []time.Duration{4 * mn}, handled: 1},
		{name: "transfer: handle from the first assignment", events: []parley.Event{
			started(1, 0), assigned(1, mn, "ana"), transferred(1, 5*mn, "ana", "bo"), ended(1, 9*mn, "bo"), closed(1, 10*mn, conversation.WrapUp, "bo")},
			handle: []time.Duration{9 * mn}, resolution: []time.Duration{10 * mn}, wrapUp: []time.Duration{mn}, handled: 1},
		{name: "sent to the inbox and back: the queue time is not handled", events: []parley.Event{
			started(1, 0), assigned(1, mn, "ana"), toInbox(1, 3*mn, "ana"), assigned(1, 8*mn, "bo"), closed(1, 10*mn, conversation.Assigned, "bo")},
			handle: []time.Duration{4 * mn}, resolution: []time.Duration{10 * mn}, handled: 1},
		{name: "closed in the inbox, never assigned", events: []parley.Event{started(1, 0), closed(1, 2*mn, conversation.Queued, "")},
			resolution: []time.Duration{2 * mn}},
		{name: "open: nothing yet", events: []parley.Event{started(1, 0), assigned(1, mn, "ana"), ended(1, 2*mn, "ana")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := run(t, report.Config{}, tc.events).Total()
			assertDurations(t, tc.handle, f.Handle)
			assertDurations(t, tc.resolution, f.Resolution)
			assertDurations(t, tc.wrapUp, f.WrapUp)
			assert.Equal(t, tc.handled, f.Handled)
		})
	}
}

// Rule 10: handle time counts only the time agents held the
// conversation, and credits each agent its own share.
func TestHandleShares(t *testing.T) {
	cases := []struct {
		name    string
		events  []parley.Event
		total   []time.Duration
		byAgent map[string][]time.Duration
	}{
		{name: "one agent, through wrap-up", events: []parley.Event{
			started(1, 0), assigned(1, mn, "ana"), ended(1, 10*mn, "ana"), closed(1, 15*mn, conversation.WrapUp, "ana")},
			total: []time.Duration{14 * mn}, byAgent: map[string][]time.Duration{"ana": {14 * mn}}},
		{name: "a transfer splits it", events: []parley.Event{
			started(1, 0), assigned(1, mn, "ana"), transferred(1, 5*mn, "ana", "bo"), ended(1, 9*mn, "bo"), closed(1, 10*mn, conversation.WrapUp, "bo")},
			total: []time.Duration{9 * mn}, byAgent: map[string][]time.Duration{"ana": {4 * mn}, "bo": {5 * mn}}},
		{name: "time back in the queue is no one's", events: []parley.Event{
			started(1, 0), assigned(1, mn, "ana"), toInbox(1, 4*mn, "ana"), assigned(1, 10*mn, "bo"), closed(1, 15*mn, conversation.Assigned, "bo")},
			total: []time.Duration{8 * mn}, byAgent: map[string][]time.Duration{"ana": {3 * mn}, "bo": {5 * mn}}},
		{name: "closed from the queue: the queue time credits no agent", events: []parley.Event{
			started(1, 0), assigned(1, mn, "ana"), toInbox(1, 4*mn, "ana"), closed(1, 10*mn, conversation.Queued, "")},
			total: []time.Duration{3 * mn}, byAgent: map[string][]time.Duration{"ana": {3 * mn}}},
		{name: "the same agent twice: one share of both holds", events: []parley.Event{
			started(1, 0), assigned(1, mn, "ana"), toInbox(1, 4*mn, "ana"), assigned(1, 6*mn, "ana"), closed(1, 10*mn, conversation.Assigned, "ana")},
			total: []time.Duration{7 * mn}, byAgent: map[string][]time.Duration{"ana": {7 * mn}}},
		{name: "never assigned: no handle", events: []parley.Event{started(1, 0), closed(1, 10*mn, conversation.Queued, "")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := run(t, report.Config{}, tc.events)
			f := a.Total()
			assertDurations(t, tc.total, f.Handle)
			for _, ag := range []string{"ana", "bo"} {
				t.Run(ag, func(t *testing.T) { assertDurations(t, tc.byAgent[ag], a.ByAgent()[ag].Handle) })
			}
		})
	}
}

// Rules 3–6: the volumes.
func TestVolumes(t *testing.T) {
	events := []parley.Event{
		started(1, 0), fromContact(1, 0), imported(1, 0), systemSays(1, 0), assigned(1, mn, "ana"), agentSays(1, 2*mn, "ana"),
		transferred(1, 3*mn, "ana", "bo"), toInbox(1, 4*mn, "bo"), assigned(1, 5*mn, "cy"), ended(1, 6*mn, "cy"), closed(1, 7*mn, conversation.WrapUp, "cy"),
		startedByBusiness(2, 0), agentSays(2, 0, "ana"), optOut(2, mn, optout.OptOut), optOut(2, 2*mn, optout.OptIn), optOut(2, 3*mn, optout.OptOut),
		followUp(3, 1, 10*mn), fromContact(3, 10*mn),
	}
	f := run(t, report.Config{}, events).Total()
	want := report.Figures{Started: 3, StartedByContact: 2, StartedByBusiness: 1, Assigned: 2, Transferred: 1, SentToInbox: 1, Closed: 1,
		MessagesIn: 2, MessagesOut: 3, OptOuts: 2, OptIns: 1}
	got := report.Figures{Started: f.Started, StartedByContact: f.StartedByContact, StartedByBusiness: f.StartedByBusiness, Assigned: f.Assigned,
		Transferred: f.Transferred, SentToInbox: f.SentToInbox, Closed: f.Closed, MessagesIn: f.MessagesIn, MessagesOut: f.MessagesOut,
		OptOuts: f.OptOuts, OptIns: f.OptIns}
	assert.Equal(t, want, got)
}

// Rule 16: service level and abandonment.
func TestServiceLevel(t *testing.T) {
	cases := []struct {
		name                        string
		events                      []parley.Event
		answered, within, abandoned int64
		level                       float64
	}{
		{name: "within, beyond, abandoned", events: []parley.Event{
			started(1, 0), fromContact(1, 0), agentSays(1, 30*sec, "ana"),
			started(2, 0), fromContact(2, 0), agentSays(2, 2*mn, "ana"),
			started(3, 0), fromContact(3, 0), leftBy(3, 5*mn, conversation.Queued)},
			answered: 2, within: 1, abandoned: 1, level: 1.0 / 3},
		{name: "exactly T is within", events: []parley.Event{started(1, 0), fromContact(1, 0), agentSays(1, mn, "ana")},
			answered: 1, within: 1, level: 1},
		{name: "closed by the contact after only a bot answered: abandoned", events: []parley.Event{
			startedWithBot(1, 0), fromContact(1, 0), botSays(1, sec), leftBy(1, 3*mn, conversation.Bot)}, abandoned: 1},
		{name: "closed by the contact after an automatic message: abandoned", events: []parley.Event{
			started(1, 0), fromContact(1, 0), systemSays(1, 0), leftBy(1, 3*mn, conversation.Queued)}, abandoned: 1},
		{name: "expired: the window closed without an agent message, then closed: abandoned", events: []parley.Event{
			started(1, 0), fromContact(1, 0), assigned(1, mn, "ana"), windowClosed(1, 24*hr), closed(1, 24*hr+mn, conversation.Assigned, "ana")}, abandoned: 1},
		{name: "an agent closing spam without writing: not abandoned", events: []parley.Event{
			started(1, 0), fromContact(1, 0), assigned(1, mn, "ana"), closed(1, 2*mn, conversation.Assigned, "ana")}},
		{name: "closed from the queue by the desk: neither", events: []parley.Event{
			started(1, 0), fromContact(1, 0), closed(1, 2*mn, conversation.Queued, "")}},
		{name: "the contact left after an agent answered: answered only", events: []parley.Event{
			started(1, 0), fromContact(1, 0), agentSays(1, 30*sec, "ana"), fromContact(1, mn), leftBy(1, 2*mn, conversation.Assigned)},
			answered: 1, within: 1, level: 1},
		{name: "the window closed, the agent answered later: answered late, not abandoned", events: []parley.Event{
			started(1, 0), fromContact(1, 0), windowClosed(1, 24*hr), agentSays(1, 25*hr, "ana"), closed(1, 26*hr, conversation.Assigned, "ana")},
			answered: 1},
		{name: "business-started, the contact never wrote: not abandoned", events: []parley.Event{
			startedByBusiness(1, 0), agentSays(1, 0, "ana"), leftBy(1, hr, conversation.Queued)}},
		{name: "still waiting: not counted yet", events: []parley.Event{started(1, 0), fromContact(1, 0)}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			f := run(t, report.Config{}, tc.events).Total()
			assert.Equal(t, tc.answered, f.Answered, "answered")
			assert.Equal(t, tc.within, f.AnsweredWithin, "within T")
			assert.Equal(t, tc.abandoned, f.Abandoned, "abandoned")
			assert.InDelta(t, tc.level, f.ServiceLevel(), 1e-9)
		})
	}
	t.Run("T is configurable", func(t *testing.T) {
		f := run(t, report.Config{AnsweredWithin: 3 * mn}, []parley.Event{started(1, 0), fromContact(1, 0), agentSays(1, 2*mn, "ana")}).Total()
		assert.Equal(t, int64(1), f.AnsweredWithin)
	})
}

// Rule 14: offers accepted, rejected, expired.
func TestOffers(t *testing.T) {
	cases := []struct {
		name                        string
		events                      []parley.Event
		accepted, rejected, expired int64
		agent                       string // whose figures
	}{
		{name: "accepted", events: []parley.Event{started(1, 0), offered(1, 0, "ana", 90*sec), assigned(1, 30*sec, "ana")}, accepted: 1, agent: "ana"},
		{name: "rejected: the Desk says so", events: []parley.Event{
			started(1, 0), offered(1, 0, "ana", 90*sec), offerEnded(1, 20*sec, "ana", false), offered(1, 20*sec, "bo", 90*sec)}, rejected: 1, agent: "ana"},
		{name: "rejected after the deadline is still rejected", events: []parley.Event{
			started(1, 0), offered(1, 0, "ana", 90*sec), offerEnded(1, 95*sec, "ana", false)}, rejected: 1, agent: "ana"},
		{name: "expired: the Desk says so", events: []parley.Event{
			started(1, 0), offered(1, 0, "ana", 90*sec), offerEnded(1, 90*sec, "ana", true), offered(1, 90*sec, "bo", 90*sec)}, expired: 1, agent: "ana"},
		{name: "expired into waiting", events: []parley.Event{
			started(1, 0), offered(1, 0, "ana", 90*sec), offerEnded(1, 95*sec, "ana", true), busy(1, 95*sec)}, expired: 1, agent: "ana"},
		{name: "withdrawn (the agent went away) before the deadline: neither", events: []parley.Event{
			started(1, 0), offered(1, 0, "ana", 90*sec), offered(1, 20*sec, "bo", 90*sec)}, agent: "ana"},
		{name: "withdrawn after the deadline: neither", events: []parley.Event{
			started(1, 0), offered(1, 0, "ana", 90*sec), busy(1, 2*mn)}, agent: "ana"},
		{name: "of a conversation not observed: counted for the agent", events: []parley.Event{offerEnded(1, 0, "ana", true)}, expired: 1, agent: "ana"},
		{name: "auto-transfer accepted", events: []parley.Event{
			started(1, 0), assigned(1, 0, "ana"), offered(1, 5*mn, "bo", 90*sec), transferred(1, 6*mn, "ana", "bo")}, accepted: 1, agent: "bo"},
		{name: "withdrawn by closing: nothing", events: []parley.Event{
			started(1, 0), offered(1, 0, "ana", 90*sec), closed(1, 10*sec, conversation.Queued, "")}, agent: "ana"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := run(t, report.Config{}, tc.events)
			f := a.ByAgent()[tc.agent]
			assert.Equal(t, [3]int64{tc.accepted, tc.rejected, tc.expired}, [3]int64{f.OffersAccepted, f.OffersRejected, f.OffersExpired})
			tot := a.Total()
			assert.Equal(t, [3]int64{tc.accepted, tc.rejected, tc.expired}, [3]int64{tot.OffersAccepted, tot.OffersRejected, tot.OffersExpired})
		})
	}
}

// Rule 14: occupancy is the load held over capacity, over time.
func TestOccupancy(t *testing.T) {
	cases := []struct {
		name   string
		events []parley.Event
		now    time.Duration
		want   float64
	}{
		// WhatsApp weighs 20 of 100 points.
		{name: "one chat for half the time", events: []parley.Event{started(1, 0), assigned(1, 0, "ana"), ended(1, 30*mn, "ana")}, now: hr, want: 0.1},
		{name: "two chats, one still held", events: []parley.Event{
			started(1, 0), assigned(1, 0, "ana"), started(2, 0), assigned(2, 30*mn, "ana"), closed(1, 30*mn, conversation.Assigned, "ana")}, now: hr, want: 0.2},
		{name: "escalated to voice weighs 51", events: []parley.Event{started(1, 0), assigned(1, 0, "ana"), escalated(1, 0, "ana")}, now: hr, want: 0.51},
		{name: "a transfer moves the load", events: []parley.Event{
			started(1, 0), assigned(1, 0, "ana"), transferred(1, 30*mn, "ana", "bo")}, now: hr, want: 0.1},
		{name: "sent to inbox frees it", events: []parley.Event{started(1, 0), assigned(1, 0, "ana"), toInbox(1, 15*mn, "ana")}, now: hr, want: 0.05},
		{name: "no time elapsed", events: []parley.Event{started(1, 0), assigned(1, 0, "ana")}, now: 0, want: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := run(t, report.Config{}, tc.events)
			assert.InDelta(t, tc.want, a.Occupancy("ana", at(tc.now)), 1e-9)
		})
	}
	t.Run("capacity from the config", func(t *testing.T) {
		a := run(t, report.Config{Agents: []routing.Agent{{ID: "ana", Capacity: 40}}}, []parley.Event{started(1, 0), assigned(1, 0, "ana")})
		assert.InDelta(t, 0.5, a.Occupancy("ana", at(hr)), 1e-9)
	})
}

// Rule 13: conversations handled and the leaderboard.
func TestLeaderboard(t *testing.T) {
	events := []parley.Event{
		started(1, 0), fromContact(1, 0), assigned(1, 0, "bo"), agentSays(1, 4*mn, "bo"), closed(1, 10*mn, conversation.Assigned, "bo"),
		started(2, 0), fromContact(2, 0), assigned(2, 0, "ana"), agentSays(2, mn, "ana"), closed(2, 10*mn, conversation.Assigned, "ana"),
		started(3, 0), fromContact(3, 0), assigned(3, 0, "cy"), agentSays(3, 2*mn, "cy"), closed(3, 10*mn, conversation.Assigned, "cy"),
		started(4, 0), fromContact(4, 0), assigned(4, 0, "cy"), agentSays(4, 2*mn, "cy"), transferred(4, 3*mn, "cy", "ana"), closed(4, 10*mn, conversation.Assigned, "ana"),
	}
	board := run(t, report.Config{}, events).Leaderboard(at(hr))
	var got []string
	for _, s := range board {
		got = append(got, s.Agent)
	}
	// ana handled 2 (the transfer's closer); cy and bo 1 each, cy faster.
	assert.Equal(t, []string{"ana", "cy", "bo"}, got)
	assert.Equal(t, int64(2), board[0].Handled)
	assert.Equal(t, mn, board[0].FirstResponse, "ana answered conversation 2 only: 1 min")
}

// Rule 2: facts count in their hour, day, channel, touchpoint, queue and
// agent.
func TestSlices(t *testing.T) {
	a := run(t, report.Config{}, []parley.Event{
		started(1, 0), fromContact(1, 0), assigned(1, mn, "ana"), agentSays(1, 2*mn, "ana"),
		startedOn(2, hr+5*mn, "sms", channel.SMS), fromContact(2, hr+5*mn), assigned(2, hr+6*mn, "bo"),
		started(3, 25*hr), // the next day
	})
	h9, h10 := a.Hour(at(0)), a.Hour(at(hr+59*mn))
	assert.Equal(t, int64(1), h9.Started)
	assert.Equal(t, int64(1), h10.Started)
	day := a.Day(at(3 * hr))
	assert.Equal(t, int64(2), day.Started, "the day holds both hours")
	assert.Equal(t, int64(1), a.Day(at(26*hr)).Started)
	assert.Equal(t, int64(1), a.ByChannel()[channel.SMS].Started)
	assert.Equal(t, int64(2), a.ByChannel()[channel.WhatsApp].Started)
	assert.Equal(t, int64(1), a.ByTouchpoint()["sms"].Started)
	q := a.ByQueue()
	assert.Equal(t, int64(3), q["support"].Started)
	assert.Equal(t, int64(1), q["billing"].Started, "sms serves two queues")
	assert.Equal(t, int64(1), a.ByAgent()["ana"].FirstResponse.Count)
	assert.Equal(t, int64(1), a.ByAgent()["bo"].Assigned)

	t.Run("days in the configured zone", func(t *testing.T) {
		ny, err := time.LoadLocation("America/New_York")
		require.NoError(t, err)
		// 09:00 UTC is 04:00 in New York; 04:00 UTC the next day is 23:00 the same day there.
		a := run(t, report.Config{Location: ny}, []parley.Event{started(1, 0), started(2, 19*hr)})
		assert.Equal(t, int64(2), a.Day(at(0)).Started)
	})
}

// Rule 15: state is freed on close, hours beyond KeepHours are dropped.
func TestBounds(t *testing.T) {
	var closedFigures []report.Conversation
	a := run(t, report.Config{KeepHours: 3, Closed: func(c report.Conversation) { closedFigures = append(closedFigures, c) }}, []parley.Event{
		started(1, 0), fromContact(1, 0), assigned(1, mn, "ana"), agentSays(1, 3*mn, "ana"), started(2, 0),
	})
	assert.Equal(t, 2, a.Open())
	c, ok := a.Conversation(cid(1))
	require.True(t, ok)
	assert.Equal(t, report.Timed{D: 3 * mn, OK: true}, c.FirstResponse)
	a.Observe(closed(1, 5*hr, conversation.Assigned, "ana"))
	assert.Equal(t, 1, a.Open(), "closed: its state is gone")
	_, ok = a.Conversation(cid(1))
	assert.False(t, ok)
	require.Len(t, closedFigures, 1)
	assert.Equal(t, report.Timed{D: 5 * hr, OK: true}, closedFigures[0].Resolution)
	assert.Equal(t, report.Timed{D: mn, OK: true}, closedFigures[0].Wait)
	assert.Zero(t, a.Hour(at(0)).Started, "09:00 left the three kept hours when 14:00 came")
	assert.Equal(t, int64(1), a.Hour(at(5*hr)).Closed)
	a.Observe(started(3, 0)) // late, for a forgotten hour: totals only
	assert.Equal(t, int64(3), a.Total().Started)
	assert.Zero(t, a.Hour(at(0)).Started)
}

// Rule 15: open conversations beyond Config.MaxOpen evict the least
// recently touched, counted in the figures; its later events count as
// those of a conversation never observed (rule 1).
func TestEviction(t *testing.T) {
	cases := []struct {
		name    string
		events  []parley.Event
		open    []byte // the conversations still held
		evicted int64
		load    float64 // ana's occupancy at 10:00
	}{
		{name: "within the bound: nothing evicted", events: []parley.Event{started(1, 0), started(2, 0)}, open: []byte{1, 2}},
		{name: "the oldest untouched goes", events: []parley.Event{started(1, 0), started(2, 0), started(3, 0)}, open: []byte{2, 3}, evicted: 1},
		{name: "touching keeps it: the least recently touched goes", events: []parley.Event{
			started(1, 0), started(2, 0), fromContact(1, mn), started(3, 2*mn)}, open: []byte{1, 3}, evicted: 1},
		{name: "a closed one frees its room", events: []parley.Event{
			started(1, 0), started(2, 0), closed(1, mn, conversation.Queued, ""), started(3, 2*mn)}, open: []byte{2, 3}},
		// ana holds conversation 1 (20 points) from 09:00 to its eviction at 09:30: 10 of 100 points over the hour.
		{name: "an evicted conversation frees its agent's load", events: []parley.Event{
			started(1, 0), assigned(1, 0, "ana"), started(2, 0), started(3, 30*mn)}, open: []byte{2, 3}, evicted: 1, load: 0.1},
		{name: "events after eviction count as unknown", events: []parley.Event{
			started(1, 0), started(2, 0), started(3, 0), assigned(1, mn, "ana"), started(4, 2*mn)}, open: []byte{3, 4}, evicted: 2, load: 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			a := run(t, report.Config{MaxOpen: 2}, tc.events)
			assert.Equal(t, len(tc.open), a.Open())
			for _, id := range tc.open {
				_, ok := a.Conversation(cid(id))
				assert.True(t, ok, "conversation %d held", id)
			}
			assert.Equal(t, tc.evicted, a.Total().Evicted)
			assert.InDelta(t, tc.load, a.Occupancy("ana", at(hr)), 1e-9)
		})
	}
}

// Rule 15 under concurrency: goroutines starting and touching
// conversations at once never hold more than MaxOpen, and every start
// beyond it evicts exactly one.
func TestEvictionConcurrent(t *testing.T) {
	const workers, each, maxOpen = 4, 50, 16
	a, err := report.New(report.Config{MaxOpen: maxOpen})
	require.NoError(t, err)
	var wg sync.WaitGroup
	for w := range workers {
		wg.Go(func() {
			for i := range each {
				id := byte(w*each + i)
				a.Observe(started(id, 0))
				a.Observe(fromContact(id, sec))
			}
		})
	}
	wg.Wait()
	assert.Equal(t, maxOpen, a.Open())
	f := a.Total()
	assert.Equal(t, int64(workers*each), f.Started)
	assert.Equal(t, int64(workers*each-maxOpen), f.Evicted)
}

func TestNewRefusesInvalidConfig(t *testing.T) {
	for _, cfg := range []report.Config{{AnsweredWithin: -1}, {KeepHours: -1}, {MaxOpen: -1}} {
		_, err := report.New(cfg)
		assert.ErrorIs(t, err, report.ErrInvalidConfig)
	}
}

// Rule 1: events of a conversation whose start was not observed count in
// the volumes of the total and the hour, and in no duration.
func TestUnknownConversation(t *testing.T) {
	a := run(t, report.Config{}, []parley.Event{
		fromContact(7, 0), assigned(7, mn, "ana"), agentSays(7, 2*mn, "ana"), ended(7, 3*mn, "ana"), closed(7, 4*mn, conversation.WrapUp, "ana"),
	})
	f := a.Total()
	assert.Equal(t, [4]int64{1, 1, 1, 1}, [4]int64{f.MessagesIn, f.MessagesOut, f.Assigned, f.Closed})
	assert.Zero(t, f.Wait.Count+f.FirstResponse.Count+f.Handle.Count+f.Resolution.Count)
	assert.Equal(t, int64(1), a.Hour(at(0)).MessagesIn)
	assert.Empty(t, a.ByQueue(), "no conversation, no queue")
	assert.Zero(t, a.Open())
}
