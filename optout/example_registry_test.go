package optout_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
)

// A STOP on one number opts the contact out of every number of the scope;
// the confirmation reply passes once, anything else fails with ErrOptedOut.
func ExampleRegistry() {
	ctx := context.Background()
	reg, err := optout.NewRegistry(optout.Config{Store: memory.NewOptOutStore()})
	if err != nil {
		panic(err)
	}
	contact := channel.MustParseAddress("sms:+14155550101")
	mainLine := channel.MustParseAddress("sms:+14155550100")
	otherLine := channel.MustParseAddress("sms:+14155550199")
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)

	res, err := reg.Inbound(ctx, optout.Inbound{From: contact, To: mainLine, Body: "Stop!", At: at})
	if err != nil {
		panic(err)
	}
	fmt.Println(res.Action, res.Changed)
	fmt.Println(res.Reply)

	confirm := optout.Outbound{From: mainLine, To: contact, Body: res.Reply, At: at}
	fmt.Println(reg.Outbound(ctx, confirm))
	promo := optout.Outbound{From: otherLine, To: contact, Body: "Sale today!", At: at}
	fmt.Println(errors.Is(reg.Outbound(ctx, promo), optout.ErrOptedOut))
	// Output:
	// opt-out true
	// You have been unsubscribed and will receive no more messages from us. Reply START to subscribe again.
	// <nil>
	// true
}
