package routing_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
)

// badNames break rule 13: a name is non-blank, valid UTF-8, printable
// (unicode.IsPrint: no control, format or separator characters other than
// the ASCII space) and has no leading or trailing space.
var badNames = []struct{ name, value string }{
	{"empty", ""},
	{"spaces only", "   "},
	{"a tab only", "\t"},
	{"leading space", " alice"},
	{"trailing space", "alice "},
	{"NUL", "alice\x00"},
	{"newline inside", "ali\nce"},
	{"escape", "\x1b[31malice"},
	{"DEL", "alice\x7f"},
	{"invalid UTF-8", "alice\xff"},
	{"no-break space", "ali\u00a0ce"},
	{"zero-width space", "ali\u200bce"},
	{"right-to-left override", "\u202ealice"},
	{"line separator", "ali\u2028ce"},
	{"C1 control", "ali\u0085ce"},
}

var goodNames = []string{"alice", "agent-0042", "Jane Doe", "josé", "李雷", "sales/eu#2", "a"}

func TestAgentIDsAreNonBlankAndPrintable(t *testing.T) {
	for _, tc := range badNames {
		t.Run(tc.name, func(t *testing.T) {
			agent := routing.Agent{ID: tc.value, Queues: []string{"support"}}
			_, err := routing.New(routing.Config{Agents: []routing.Agent{agent}})
			assert.ErrorIs(t, err, routing.ErrInvalid, "New")
			problems := routing.Config{Agents: []routing.Agent{agent}}.Problems()
			if assert.Len(t, problems, 1, "Problems") {
				assert.ErrorIs(t, problems[0], routing.ErrInvalid)
			}
			_, err = routing.New(routing.Config{Policies: []routing.Policy{{ID: "tp", Mode: routing.Dedicated, Agent: tc.value}}})
			assert.ErrorIs(t, err, routing.ErrInvalid, "a dedicated touchpoint's owner")

			r := newRouter(t, routing.Config{})
			_, err = r.AddAgent(ctx, agent, t0)
			assert.ErrorIs(t, err, routing.ErrInvalid, "AddAgent")
			_, ok := r.Agent(tc.value)
			assert.False(t, ok, "nothing added")
			_, err = r.UpdateAgent(ctx, agent, t0)
			assert.ErrorIs(t, err, routing.ErrInvalid, "UpdateAgent")
			assert.NoError(t, r.Check())
		})
	}
	for _, id := range goodNames {
		t.Run("accepts "+id, func(t *testing.T) {
			r := newRouter(t, routing.Config{Agents: []routing.Agent{{ID: id, Queues: []string{"support"}}}})
			_, ok := r.Agent(id)
			assert.True(t, ok)
		})
	}
}

func TestQueueNamesAreNonBlankAndPrintable(t *testing.T) {
	for _, tc := range badNames {
		t.Run(tc.name, func(t *testing.T) {
			agent := routing.Agent{ID: "alice", Queues: []string{"support", tc.value}}
			_, err := routing.New(routing.Config{Agents: []routing.Agent{agent}})
			assert.ErrorIs(t, err, routing.ErrInvalid, "New")

			r := newRouter(t, routing.Config{Agents: []routing.Agent{{ID: "bob", Queues: []string{"support"}}}})
			_, err = r.AddAgent(ctx, agent, t0)
			assert.ErrorIs(t, err, routing.ErrInvalid, "AddAgent")
			_, err = r.UpdateAgent(ctx, routing.Agent{ID: "bob", Queues: []string{tc.value}}, t0)
			assert.ErrorIs(t, err, routing.ErrInvalid, "UpdateAgent")
			got, ok := r.Agent("bob")
			require.True(t, ok)
			assert.Equal(t, []string{"support"}, got.Queues, "bob's queues unchanged")

			_, err = r.Enqueue(ctx, item("c1", channel.WhatsApp, "", "support", tc.value), t0)
			assert.ErrorIs(t, err, routing.ErrInvalid, "Enqueue")
			_, held := r.Conversation("c1")
			assert.False(t, held)
			enqueue(t, r, item("c2", channel.WhatsApp, "", "support"), t0)
			_, err = r.TransferToQueues(ctx, "c2", []string{tc.value}, t0)
			assert.ErrorIs(t, err, routing.ErrInvalid, "TransferToQueues")
			assert.NoError(t, r.Check())
		})
	}
}
