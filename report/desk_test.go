package report_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/routing"
)

// deskTouchpoints: "bot" starts with a bot, "sms" auto-replies, "busy"
// routes automatically and tells the contact when every agent is busy.
func deskTouchpoints() []parley.Touchpoint {
	return []parley.Touchpoint{
		{ID: "bot", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}, Bot: true},
		{ID: "sms", Kind: channel.SMS, Address: "+14155550001", Queues: []string{"support"}, AutoReply: "We will answer shortly."},
		{ID: "busy", Kind: channel.SMS, Address: "+14155550002", Queues: []string{"support"}, BusyMessage: "Every agent is busy.",
			Routing: routing.Policy{Mode: routing.Automatic}},
		{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550003", Queues: []string{"support"}},
		{ID: "own", Kind: channel.Custom, Address: "app", Queues: []string{"support"}},
	}
}

// newReportDesk is a test desk whose events go through a Recorder into
// an accumulator and a log.
func newReportDesk(t *testing.T) (*parleytest.Desk, *report.Accumulator, *report.MemoryLog) {
	t.Helper()
	tps := deskTouchpoints()
	agents := []routing.Agent{{ID: "ana", Queues: []string{"support"}}}
	acc, err := report.New(report.Config{Touchpoints: tps, Agents: agents})
	require.NoError(t, err)
	log := report.NewMemoryLog()
	d := parleytest.NewDesk(t, parley.Config{Touchpoints: tps, Agents: agents, Publisher: report.NewRecorder(log, acc)})
	return d, acc, log
}

func inbound(t *testing.T, d *parleytest.Desk, tp string, kind channel.Kind, from, pid string) parley.Receipt {
	t.Helper()
	rc, err := d.Receive(context.Background(), parley.Inbound{Touchpoint: tp, From: channel.Address{Kind: kind, ID: from}, ProviderID: pid, Text: "hello"})
	require.NoError(t, err)
	return rc
}

// The edge cases of rules 3, 7, 8 and 16, driven through a real Desk:
// its events, in the order it publishes them.
func TestEdgeCasesThroughADesk(t *testing.T) {
	ctx := context.Background()
	type want struct {
		started, answered, abandoned int64
		firstResponse, wait          []time.Duration
	}
	cases := []struct {
		name string
		run  func(t *testing.T, d *parleytest.Desk)
		want want
	}{
		{name: "reopen after close is a new conversation, measured on its own", run: func(t *testing.T, d *parleytest.Desk) {
			id := inbound(t, d, "wa", channel.WhatsApp, "+14155550101", "p1").Conversation.ID
			d.Clock.Advance(time.Minute)
			require.NoError(t, d.Assign(ctx, "ana", id, "ana"))
			d.Clock.Advance(time.Minute)
			_, err := d.Reply(ctx, "ana", id, "hi")
			require.NoError(t, err)
			require.NoError(t, d.Close(ctx, "ana", id, "done"))
			d.Clock.Advance(10 * time.Minute)
			rc := inbound(t, d, "wa", channel.WhatsApp, "+14155550101", "p2")
			require.True(t, rc.Started, "precondition: a follow-up")
			require.NotEqual(t, id, rc.Conversation.ID)
			require.Equal(t, "ana", rc.Conversation.AssigneeID, "precondition: the follow-up goes back to its agent at once")
			d.Clock.Advance(3 * time.Minute)
			_, err = d.Reply(ctx, "ana", rc.Conversation.ID, "again")
			require.NoError(t, err)
		}, want: want{started: 2, answered: 2, firstResponse: []time.Duration{2 * time.Minute, 3 * time.Minute}, wait: []time.Duration{time.Minute, 0}}},
		{name: "bot time is no wait, and counts in the first response", run: func(t *testing.T, d *parleytest.Desk) {
			id := inbound(t, d, "bot", channel.WhatsApp, "+14155550102", "p1").Conversation.ID
			d.Clock.Advance(time.Minute)
			inbound(t, d, "bot", channel.WhatsApp, "+14155550102", "p2")
			d.Clock.Advance(2 * time.Minute)
			require.NoError(t, d.HandOff(ctx, parley.SystemActor, id))
			d.Clock.Advance(time.Minute)
			require.NoError(t, d.Assign(ctx, "ana", id, "ana"))
			d.Clock.Advance(time.Minute)
			_, err := d.Reply(ctx, "ana", id, "a person now")
			require.NoError(t, err)
		}, want: want{started: 1, answered: 1, firstResponse: []time.Duration{5 * time.Minute}, wait: []time.Duration{time.Minute}}},
		{name: "the bot's replies in a hand-off transcript are no first response", run: func(t *testing.T, d *parleytest.Desk) {
			rc, err := d.Receive(ctx, parley.Inbound{Touchpoint: "own", From: channel.Address{Kind: channel.Custom, ID: "user-7"}, ProviderID: "p1",
				Text: "a person, please", Transcript: []parley.Turn{
					{Author: conversation.AuthorContact, Text: "my order?", At: d.Clock.Now().Add(-2 * time.Minute)},
					{Author: conversation.AuthorBot, Text: "which order?", At: d.Clock.Now().Add(-time.Minute)},
				}})
			require.NoError(t, err)
			d.Clock.Advance(time.Minute)
			require.NoError(t, d.Assign(ctx, "ana", rc.Conversation.ID, "ana"))
			d.Clock.Advance(time.Minute)
			_, err = d.Reply(ctx, "ana", rc.Conversation.ID, "here I am")
			require.NoError(t, err)
		}, want: want{started: 1, answered: 1, firstResponse: []time.Duration{2 * time.Minute}, wait: []time.Duration{time.Minute}}},
		{name: "the auto-reply is no first response", run: func(t *testing.T, d *parleytest.Desk) {
			rc := inbound(t, d, "sms", channel.SMS, "+14155550103", "p1")
			require.Len(t, d.Transport.Sent(), 1, "precondition: the auto-reply went out")
			d.Clock.Advance(2 * time.Minute)
			require.NoError(t, d.Assign(ctx, "ana", rc.Conversation.ID, "ana"))
			d.Clock.Advance(3 * time.Minute)
			_, err := d.Reply(ctx, "ana", rc.Conversation.ID, "hello")
			require.NoError(t, err)
		}, want: want{started: 1, answered: 1, firstResponse: []time.Duration{5 * time.Minute}, wait: []time.Duration{2 * time.Minute}}},
		{name: "the busy message is no first response; the contact leaving abandons", run: func(t *testing.T, d *parleytest.Desk) {
			require.NoError(t, d.SetPresence(ctx, "ana", routing.Away))
			rc := inbound(t, d, "busy", channel.SMS, "+14155550104", "p1")
			require.Len(t, d.Transport.Sent(), 1, "precondition: the busy message went out")
			d.Clock.Advance(4 * time.Minute)
			require.NoError(t, d.CloseWith(ctx, parley.SystemActor, rc.Conversation.ID, conversation.Closing{ByAPI: true}))
		}, want: want{started: 1, abandoned: 1}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			d, acc, log := newReportDesk(t)
			tc.run(t, d)
			f := acc.Total()
			assert.Equal(t, tc.want.started, f.Started, "started")
			assert.Equal(t, tc.want.answered, f.Answered, "answered")
			assert.Equal(t, tc.want.abandoned, f.Abandoned, "abandoned")
			assertDurations(t, tc.want.firstResponse, f.FirstResponse)
			assertDurations(t, tc.want.wait, f.Wait)
			rebuilt, err := report.Rebuild(ctx, log, report.Config{Touchpoints: deskTouchpoints()}, report.LogQuery{})
			require.NoError(t, err)
			assert.Equal(t, f, rebuilt.Total(), "rebuilt from the log")
		})
	}
}

// The live view's oldest wait runs from the conversation's creation, bot
// time included; the report's wait (rule 7) from the hand-off.
func TestLiveWaitIncludesBotTime(t *testing.T) {
	ctx := context.Background()
	d, acc, _ := newReportDesk(t)
	id := inbound(t, d, "bot", channel.WhatsApp, "+14155550102", "p1").Conversation.ID
	d.Clock.Advance(3 * time.Minute)
	require.NoError(t, d.HandOff(ctx, parley.SystemActor, id))
	d.Clock.Advance(2 * time.Minute)
	v, err := d.Live(ctx)
	require.NoError(t, err)
	require.Len(t, v.Queues, 1)
	assert.Equal(t, parley.QueueView{Name: "support", Waiting: 1, OldestWait: 5 * time.Minute, Longest: id}, v.Queues[0])
	require.NoError(t, d.Assign(ctx, "ana", id, "ana"))
	assertDurations(t, []time.Duration{2 * time.Minute}, acc.Total().Wait)
}
