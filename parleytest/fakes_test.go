package parleytest_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
)

func TestClock(t *testing.T) {
	c := parleytest.NewClock(parleytest.Epoch)
	c.Advance(90 * time.Second)
	assert.Equal(t, parleytest.Epoch.Add(90*time.Second), c.Now())
	assert.Panics(t, func() { c.Advance(-time.Second) }, "time never runs backwards")
	assert.Panics(t, func() { c.Set(parleytest.Epoch) })
}

func TestTransportRecordsAndInjectsFailures(t *testing.T) {
	ctx := context.Background()
	ana := channel.Address{Kind: channel.SMS, ID: "+14155550100"}
	bob := channel.Address{Kind: channel.SMS, ID: "+14155550101"}
	tr := parleytest.NewTransport()

	id, err := tr.Send(ctx, parley.Outgoing{To: ana, Text: "1"})
	require.NoError(t, err)
	assert.Equal(t, "fake-1", id)

	tr.FailNext(parleytest.Temporary("rate limited"), parleytest.Permanent("invalid number"))
	_, err = tr.Send(ctx, parley.Outgoing{To: ana, Text: "2"})
	assert.ErrorIs(t, err, parley.ErrTemporary)
	_, err = tr.Send(ctx, parley.Outgoing{To: ana, Text: "3"})
	assert.ErrorIs(t, err, parley.ErrPermanent)

	tr.FailTo(bob, parleytest.Permanent("blocked"))
	_, err = tr.Send(ctx, parley.Outgoing{To: bob, Text: "4"})
	assert.ErrorIs(t, err, parley.ErrPermanent)
	id, err = tr.Send(ctx, parley.Outgoing{To: ana, Text: "5"})
	require.NoError(t, err)
	assert.Equal(t, "fake-2", id)

	tr.Heal()
	_, err = tr.Send(ctx, parley.Outgoing{To: bob, Text: "6"})
	require.NoError(t, err)

	var texts []string
	for _, o := range tr.Sent() {
		texts = append(texts, o.Text)
	}
	assert.Equal(t, []string{"1", "5", "6"}, texts)
	assert.Len(t, tr.Attempts(), 6)
}

func TestTransportDelayTimesOut(t *testing.T) {
	tr := parleytest.NewTransport()
	tr.Delay(time.Minute)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Millisecond)
	defer cancel()
	_, err := tr.Send(ctx, parley.Outgoing{Text: "slow"})
	var se *parley.SendError
	require.ErrorAs(t, err, &se)
	assert.True(t, se.Retryable(), "a timeout is temporary")
	assert.True(t, errors.Is(err, context.DeadlineExceeded))
	assert.Empty(t, tr.Sent())
}

func TestTransportConcurrent(t *testing.T) {
	tr := parleytest.NewTransport()
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			for range 100 {
				_, _ = tr.Send(context.Background(), parley.Outgoing{Text: "x"})
			}
		})
	}
	wg.Wait()
	assert.Len(t, tr.Sent(), 800)
}

func TestPublisher(t *testing.T) {
	p := parleytest.NewPublisher()
	ev := conversation.EndedEvent{AgentID: "ana"}
	require.NoError(t, p.Publish(context.Background(), ev))
	p.Fail(errors.New("broker down"))
	assert.Error(t, p.Publish(context.Background(), ev))
	assert.Equal(t, []string{"conversation.ended", "conversation.ended"}, p.Names())
}

func ExampleTransport() {
	tr := parleytest.NewTransport()
	clock := parleytest.NewClock(parleytest.Epoch)
	desk, err := parley.New(parley.Config{
		Transport:   tr,
		Clock:       clock.Now,
		Touchpoints: []parley.Touchpoint{{ID: "sms", Kind: channel.SMS, Address: "+14155550000", Queues: []string{"support"}}},
	})
	if err != nil {
		panic(err)
	}
	_, err = desk.Receive(context.Background(), parley.Inbound{Touchpoint: "sms",
		From: channel.Address{Kind: channel.SMS, ID: "+1 415 555 0100"}, ProviderID: "SM1", Text: "STOP"})
	if err != nil {
		panic(err)
	}
	for _, out := range tr.Sent() {
		fmt.Printf("%s: %s\n", out.To, out.Text)
	}
	// Output:
	// sms:+14155550100: You have been unsubscribed and will receive no more messages from us. Reply START to subscribe again.
}
