package parley_test

import (
	"context"
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
		Touchpoints: []channel.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000"}},
		Options:     map[string]parley.TouchpointOptions{"nope": {}},
		Supervisors: []string{"ghost"},
	})
	var ce *parley.ConfigError
	require.ErrorAs(t, err, &ce)
	assert.ErrorIs(t, err, parley.ErrInvalidConfig)
	assert.GreaterOrEqual(t, len(ce.Problems), 3, "problems: %v", ce.Problems)
	assert.Contains(t, err.Error(), "Transport is required")
	assert.Contains(t, err.Error(), `unknown touchpoint "nope"`)
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

// A touchpoint without queues is refused whether or not it has Options:
// otherwise every conversation on it would reach no agent.
func TestNewRefusesTouchpointWithoutQueue(t *testing.T) {
	tests := []struct {
		name    string
		options map[string]parley.TouchpointOptions
	}{
		{"without options", nil},
		{"with options", map[string]parley.TouchpointOptions{"wa": {Priority: 1}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := parley.New(parley.Config{
				Transport:   parleytest.NewTransport(),
				Touchpoints: []channel.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000"}},
				Options:     tt.options,
				Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
			})
			require.ErrorIs(t, err, parley.ErrInvalidConfig)
			assert.Contains(t, err.Error(), `touchpoint "wa" has no queue`)
		})
	}
}

// New lists every agent problem at once, each once, beside the others.
func TestNewListsEveryAgentProblem(t *testing.T) {
	_, err := parley.New(parley.Config{
		Touchpoints: []channel.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
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

// Problems with Options come in the order of the touchpoint IDs, the same
// on every call, whatever order the map iterates in.
func TestNewListsOptionProblemsInOrder(t *testing.T) {
	options := map[string]parley.TouchpointOptions{}
	var want []string
	for _, id := range []string{"a", "b", "c", "d", "e", "f", "g", "h"} {
		options[id] = parley.TouchpointOptions{}
		want = append(want, `Options names unknown touchpoint "`+id+`"`)
	}
	for range 20 {
		_, err := parley.New(parley.Config{
			Transport:   parleytest.NewTransport(),
			Touchpoints: []channel.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
			Options:     options,
		})
		var ce *parley.ConfigError
		require.ErrorAs(t, err, &ce)
		require.Equal(t, want, ce.Problems)
	}
}
