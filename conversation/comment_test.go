package conversation_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
)

func TestMentions(t *testing.T) {
	cases := []struct {
		text string
		want []string
	}{
		{"@ana please call", []string{"ana"}},
		{"cc @ana and @bob.smith, thanks @ana.", []string{"ana", "bob.smith"}},
		{"mail ana@example.com", nil},
		{"(@carla) @@dan", []string{"carla", "dan"}},
		{"@ alone and trailing @", nil},
		{"@josé_1-x", []string{"josé_1-x"}},
		{"", nil},
	}
	for _, tc := range cases {
		t.Run(tc.text, func(t *testing.T) {
			assert.Equal(t, tc.want, conversation.Mentions(tc.text))
		})
	}
}

func TestNewComment(t *testing.T) {
	c, err := conversation.NewComment(conversation.NewID(), "ana", "agent-1", "VIP, loop in @bob", t0)
	require.NoError(t, err)
	assert.Equal(t, []string{"bob"}, c.Mentions)
	_, err = conversation.NewComment(conversation.NewID(), "ana", "agent-1", "", t0)
	assert.ErrorIs(t, err, conversation.ErrInvalid)
}

func FuzzMentions(f *testing.F) {
	f.Add("cc @ana and @bob.smith, thanks @ana.")
	f.Add("ana@example.com @@x @")
	f.Add("@\xff@a")
	f.Fuzz(func(t *testing.T, text string) {
		seen := map[string]bool{}
		for _, m := range conversation.Mentions(text) {
			if m == "" || seen[m] {
				t.Fatalf("Mentions(%q): empty or repeated handle %q", text, m)
			}
			seen[m] = true
			if !strings.Contains(text, "@"+m) {
				t.Fatalf("Mentions(%q) returned %q, which is not in the text after an @", text, m)
			}
			if strings.ContainsAny(m[len(m)-1:], ".-_") {
				t.Fatalf("Mentions(%q) returned %q with trailing punctuation", text, m)
			}
		}
	})
}
