package report_test

import (
	"context"
	"fmt"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/routing"
)

// A morning on a desk, then the day's report: three contacts, one
// answered within the three-minute threshold, one answered late and
// transferred, one who left unanswered. By hand: waits 2 and 1 min; first
// responses 3 and 4 min; handle 13 and 19 min; resolutions 15, 20 and 20
// min; ana held 20 points for 10 min and 5 for 5 min over the 48 min
// since 09:02 (225/100/48 = 4.7 %), bo 5 points for 14 of 44 min.
func Example_day() {
	ctx := context.Background()
	clock := parleytest.NewClock(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
	tps := []parley.Touchpoint{
		{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}},
		{ID: "sms", Kind: channel.SMS, Address: "+14155550001", Queues: []string{"support"}, AutoReply: "We will answer shortly."},
	}
	agents := []routing.Agent{{ID: "ana", Queues: []string{"support"}}, {ID: "bo", Queues: []string{"support"}}}
	acc, err := report.New(report.Config{Touchpoints: tps, Agents: agents, AnsweredWithin: 3 * time.Minute})
	if err != nil {
		panic(err)
	}
	desk, err := parley.New(parley.Config{Transport: parleytest.NewTransport(), Clock: clock.Now, NewID: conversation.SequentialIDs(clock.Now()),
		Touchpoints: tps, Agents: agents, Publisher: acc})
	if err != nil {
		panic(err)
	}
	must := func(err error) {
		if err != nil {
			panic(err)
		}
	}
	receive := func(tp string, kind channel.Kind, from, pid, text string) conversation.ID {
		rc, err := desk.Receive(ctx, parley.Inbound{Touchpoint: tp, From: channel.Address{Kind: kind, ID: from}, ProviderID: pid, Text: text})
		must(err)
		return rc.Conversation.ID
	}
	reply := func(agent string, id conversation.ID, text string) {
		_, err := desk.Reply(ctx, agent, id, text)
		must(err)
	}

	// 09:00 a WhatsApp question, taken at 09:02, answered at 09:03.
	a := receive("wa", channel.WhatsApp, "+14155550101", "w1", "Where is my order?")
	clock.Advance(2 * time.Minute)
	must(desk.Assign(ctx, "ana", a, "ana"))
	clock.Advance(time.Minute)
	reply("ana", a, "It ships today.")
	// 09:05 an SMS (the auto-reply is no answer), taken at 09:06 and
	// answered at 09:09, transferred at 09:20.
	clock.Advance(2 * time.Minute)
	b := receive("sms", channel.SMS, "+14155550202", "s1", "My bill is wrong")
	clock.Advance(time.Minute)
	must(desk.Assign(ctx, "bo", b, "bo"))
	clock.Advance(3 * time.Minute)
	reply("bo", b, "Let me check.")
	clock.Advance(3 * time.Minute)
	must(desk.End(ctx, "ana", a)) // 09:12
	clock.Advance(3 * time.Minute)
	must(desk.Close(ctx, "ana", a, "shipped")) // 09:15
	clock.Advance(5 * time.Minute)
	must(desk.Transfer(ctx, "bo", b, "ana")) // 09:20
	clock.Advance(5 * time.Minute)
	reply("ana", b, "Fixed: a refund is on its way.")
	must(desk.Close(ctx, "ana", b, "refunded")) // 09:25
	// 09:30 a contact nobody answers leaves at 09:50: the host's own
	// channel closes the conversation.
	clock.Advance(5 * time.Minute)
	c := receive("wa", channel.WhatsApp, "+14155550103", "w2", "Hello?")
	clock.Advance(20 * time.Minute)
	must(desk.CloseWith(ctx, parley.SystemActor, c, conversation.Closing{Note: "contact left", ByAPI: true}))

	day := acc.Day(clock.Now())
	fmt.Printf("conversations: %d started, %d closed, %d transferred, %d abandoned\n", day.Started, day.Closed, day.Transferred, day.Abandoned)
	fmt.Printf("messages: %d in, %d out\n", day.MessagesIn, day.MessagesOut)
	fmt.Printf("wait: mean %s, max %s\n", day.Wait.Mean(), day.Wait.Max)
	fmt.Printf("first response: mean %s; service level %.0f%% within 3m\n", day.FirstResponse.Mean(), 100*day.ServiceLevel())
	fmt.Printf("handle: mean %s; resolution: mean %s; wrap-up: mean %s\n", day.Handle.Mean(), day.Resolution.Mean(), day.WrapUp.Mean())
	for _, s := range acc.Leaderboard(clock.Now()) {
		fmt.Printf("%-3s handled %d, first response %s, occupancy %.1f%%\n", s.Agent, s.Handled, s.FirstResponse, 100*s.Occupancy)
	}
	// Output:
	// conversations: 3 started, 3 closed, 1 transferred, 1 abandoned
	// messages: 3 in, 4 out
	// wait: mean 1m30s, max 2m0s
	// first response: mean 3m30s; service level 33% within 3m
	// handle: mean 16m0s; resolution: mean 18m20s; wrap-up: mean 3m0s
	// ana handled 2, first response 3m0s, occupancy 4.7%
	// bo  handled 0, first response 4m0s, occupancy 1.6%
}
