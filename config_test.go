package parley_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
)

// New refuses an invalid Config with every problem listed in one
// ConfigError, which is ErrInvalidConfig.
func TestNewListsEveryProblem(t *testing.T) {
	_, err := parley.New(parley.Config{
		Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000",
			Routing: routing.Policy{Mode: routing.Dedicated, Agent: "nobody"}}},
		Supervisors: []string{"ghost"},
	})
	var ce *parley.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, parley.ErrInvalidConfig)
	assert.GreaterOrEqual(t, len(ce.Problems), 3, "problems: %v", ce.Problems)
	assert.Contains(t, err.Error(), "Transport is required")
	assert.Contains(t, err.Error(), `touchpoint "wa" is dedicated to unknown agent "nobody"`)
	assert.Contains(t, err.Error(), `supervisor "ghost"`)
}

// A Desk needs only a Transport; with no touchpoints every webhook is
// refused with ErrUnknownTouchpoint.
func TestZeroConfigDeskWorks(t *testing.T) {
	d, err := parley.New(parley.Config{Transport: parleytest.NewTransport()})
	require.NoError(t, err)
	_, err = d.Receive(context.Background(), parley.Inbound{Touchpoint: "x", From: wa("+14155550100")})
	assert.ErrorIs(t, err, parley.ErrUnknownTouchpoint)
}

// A touchpoint without queues is refused unless it is dedicated to an
// agent: otherwise every conversation on it would reach no agent.
func TestNewRefusesTouchpointWithoutQueue(t *testing.T) {
	tests := []struct {
		name    string
		routing routing.Policy
		refused bool
	}{
		{"simplified", routing.Policy{}, true},
		{"automatic", routing.Policy{Mode: routing.Automatic}, true},
		{"dedicated to an agent", routing.Policy{Mode: routing.Dedicated, Agent: "ana"}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parley.New(parley.Config{
				Transport:   parleytest.NewTransport(),
				Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Routing: tt.routing}},
				Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
			})
			if !tt.refused {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, parley.ErrInvalidConfig)
			assert.Contains(t, err.Error(), `touchpoint "wa" has no queue`)
		})
	}
}

// New lists every agent problem at once, each once, beside the others.
func TestNewListsEveryAgentProblem(t *testing.T) {
	_, err := parley.New(parley.Config{
		Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents: []routing.Agent{
			{ID: ""},
			{ID: "ana", Queues: []string{"support"}, Capacity: -1},
			{ID: "bo", Queues: []string{"support"}},
			{ID: "bo", Queues: []string{"support"}},
			{ID: "cy", Queues: []string{""}},
		},
	})
	var ce *parley.ConfigError
	require.ErrorAs(t, err, &ce)
	all := strings.Join(ce.Problems, "\n")
	for _, want := range []string{
		"Transport is required",
		"agent with empty ID",
		`agent "ana" has negative capacity -1`,
		`already present: agent "bo"`,
		`agent "cy" has an empty queue name`,
	} {
		assert.Equal(t, 1, strings.Count(all, want), "want %q listed once in:\n%s", want, all)
	}
}

// Touchpoint problems come in a stable order (each touchpoint on its own
// first, then how it fits the agents, each in the touchpoints' order), the
// same on every call, and each error of its own is there for errors.As.
func TestNewListsTouchpointProblemsInOrder(t *testing.T) {
	var tps []parley.Touchpoint
	var want []string
	for i, id := range []string{"h", "a", "g", "b", "f", "c", "e", "d"} {
		tps = append(tps, parley.Touchpoint{ID: id, Kind: channel.SMS, Address: fmt.Sprintf("+1415555%04d", i), Queues: []string{"support"},
			Routing: routing.Policy{Mode: routing.Dedicated, Agent: "ghost-" + id}})
		want = append(want, fmt.Sprintf("touchpoint %q is dedicated to unknown agent %q", id, "ghost-"+id))
	}
	tps = append(tps, parley.Touchpoint{ID: "bad id", Kind: channel.SMS, Address: "+14155559999", Queues: []string{"support"}})
	want = append([]string{`parley: touchpoint "bad id": ID: space or control character ' '`}, want...)
	for range 20 {
		_, err := parley.New(parley.Config{
			Transport:   parleytest.NewTransport(),
			Touchpoints: tps,
			Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
		})
		var ce *parley.ConfigError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, want, ce.Problems)
		var te *parley.TouchpointError
		require.ErrorAs(t, err, &te)
		assert.Equal(t, "bad id", te.ID)
		assert.ErrorIs(t, err, parley.ErrInvalidTouchpoint)
	}
}

// One WhatsApp business account links at most 25 numbers by default: the
// 26th is refused with the facts, readable with errors.As.
func TestNewRefusesTooManyWhatsAppNumbers(t *testing.T) {
	err := newWith(whatsAppTouchpoints(26, "waba"), 0)
	require.ErrorIs(t, err, parley.ErrTooManyNumbers)
	var le *parley.AccountLimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, parley.AccountLimitError{Account: "waba", Numbers: 26, Limit: 25}, *le)
}
