package conversation_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

func mustAddr(t *testing.T, s string) channel.Address {
	t.Helper()
	a, err := channel.ParseAddress(s)
	require.NoError(t, err)
	return a
}

func TestMatchText(t *testing.T) {
	cases := []struct {
		text, sub string
		want      bool
	}{
		{"Ana Lima", "ana", true},
		{"Ana Lima", "LIMA", true},
		{"Ana Lima", "a l", true},
		{"Ana Lima", "", true},
		{"", "a", false},
		{"José", "JOSÉ", true},
		{"Straße", "STRASSE", false}, // simple folding only, as documented
		{"ΣΊΣΥΦΟΣ", "σίσυφος", true},
		{"+14155550100", "4155550100", true},
		{"abc", "abcd", false},
	}
	for _, tc := range cases {
		t.Run(tc.text+" contains "+tc.sub, func(t *testing.T) {
			assert.Equal(t, tc.want, conversation.MatchText(tc.text, tc.sub))
		})
	}
}

func TestVisibleTo(t *testing.T) {
	// Unassigned → agents in one of its queues; assigned →
	// the assignee; supervisors see all.
	unassigned := in(t, conversation.Queued) // queues: sales
	assigned := in(t, conversation.Assigned) // agent-1
	cases := []struct {
		name string
		c    *conversation.Conversation
		v    conversation.Viewer
		want bool
	}{
		{"unassigned, agent in its queue", unassigned, conversation.Viewer{AgentID: "a", Queues: []string{"x", "sales"}}, true},
		{"unassigned, agent in other queues", unassigned, conversation.Viewer{AgentID: "a", Queues: []string{"support"}}, false},
		{"assigned, the assignee", assigned, conversation.Viewer{AgentID: "agent-1"}, true},
		{"assigned, another agent in its queue", assigned, conversation.Viewer{AgentID: "agent-2", Queues: []string{"sales"}}, false},
		{"supervisor", assigned, conversation.Viewer{Supervisor: true}, true},
		{"zero viewer", unassigned, conversation.Viewer{}, false},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, tc.c.VisibleTo(tc.v))
		})
	}
}

func TestPageLimit(t *testing.T) {
	n, err := conversation.PageLimit(0)
	require.NoError(t, err)
	assert.Equal(t, conversation.DefaultLimit, n)
	n, _ = conversation.PageLimit(1 << 20)
	assert.Equal(t, conversation.MaxLimit, n)
	_, err = conversation.PageLimit(-1)
	assert.ErrorIs(t, err, conversation.ErrInvalid)
}

func FuzzMatchText(f *testing.F) {
	f.Add("Ana Lima", "lima")
	f.Add("ΣΊΣΥΦΟΣ", "σ")
	f.Add("\xff", "\xff")
	f.Add("\U0008a98c", "\x8c") // a continuation byte inside a valid rune
	f.Fuzz(func(t *testing.T, text, sub string) {
		got := conversation.MatchText(text, sub)
		if sub == "" || contains(text, sub) {
			if !got {
				t.Fatalf("MatchText(%q, %q) = false, but it contains it exactly", text, sub)
			}
		}
		if len(text) > 0 && !conversation.MatchText(text, text) {
			t.Fatalf("MatchText(%q, itself) = false", text)
		}
	})
}

func contains(s, sub string) bool {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return true
		}
	}
	return false
}
