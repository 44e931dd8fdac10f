package memory

import (
	"context"
	"fmt"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// TestSearchIndexes checks that what a desk looks up is indexed, so no
// lookup reads the history: a contact's conversations, the open ones by
// status and queue, and the contacts whose name or number holds a text.
func TestSearchIndexes(t *testing.T) {
	ctx := context.Background()
	s := NewConversationStore()
	ids := conversation.SequentialIDs(time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC))
	at := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	for i := range 2000 {
		st := conversation.Closed
		if i%100 == 0 {
			st = conversation.Queued
		}
		addr := channel.Address{Kind: channel.WhatsApp, ID: fmt.Sprintf("+1415555%04d", i)}
		require.NoError(t, s.Create(ctx, &conversation.Conversation{
			ID: ids(), Touchpoint: "wa", Channel: channel.WhatsApp, Direction: conversation.Inbound, Status: st,
			Contact: conversation.Contact{ID: addr.String(), Name: "Ana Lima", Addresses: []channel.Address{addr}},
			Queues:  []string{"sales"}, CreatedAt: at, UpdatedAt: at,
		}))
	}
	tests := []struct {
		name string
		got  int
		want int
	}{
		{"queued in sales", len(s.openIx[openKey{status: conversation.Queued, queue: "sales"}]), 20},
		{"queued anywhere", len(s.openIx[openKey{status: conversation.Queued}]), 20},
		{"closed ones are not in the open lists", len(s.openIx[openKey{status: conversation.Closed}]), 0},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) { assert.Equal(t, tc.want, tc.got) })
	}
	n, ok := s.authors.ids["whatsapp:+14155550042"]
	require.True(t, ok)
	require.NotNil(t, s.contacts[n].newest)
	assert.Nil(t, s.contacts[n].newest.older, "one conversation in the contact's chain")
	for _, text := range []string{"5550042", "555 0042", "ANA LIMA"} {
		got, _, ok := s.text.candidates(text, nil)
		switch text {
		case "5550042":
			assert.True(t, ok)
			assert.Equal(t, []uint32{n}, got, "the one contact with the number")
		case "555 0042":
			assert.True(t, ok)
			assert.Empty(t, got)
		default:
			assert.False(t, ok, "a text every contact holds is left to the ordered scan")
		}
	}
}

// FuzzFoldMatchesMatchText checks the text index's rule: whenever
// conversation.MatchText matches valid UTF-8, the folded text contains the
// folded query, so the index finds every match the scan would.
func FuzzFoldMatchesMatchText(f *testing.F) {
	for _, s := range [][2]string{{"Ana Lima", "ana l"}, {"Straße", "STRASSE"}, {"KELVIN", "\u212aelvin"}, {"ſ", "S"}, {"a\xffb", "a\ufffdb"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, text, sub string) {
		if !conversation.MatchText(text, sub) {
			return
		}
		if sub == "" {
			return
		}
		if !utfValid(sub) {
			return // the index leaves such a query to the scan
		}
		assert.Contains(t, string(fold(nil, text)), string(fold(nil, sub)), "MatchText(%q, %q)", text, sub)
	})
}

func utfValid(s string) bool { return utf8.ValidString(s) }
