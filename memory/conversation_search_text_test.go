package memory_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
)

// textStep stores conversation conv of one contact with that name and
// those numbers: a new conversation when conv is the next number, an
// update of conversation conv otherwise.
type textStep struct {
	conv    int
	name    string
	numbers []string
}

// TestSearchTextPerConversation checks that a text search returns exactly
// the conversations whose own name or address holds the text, as
// [conversation.Query.Matches] decides, when one contact's conversations
// carry different names and numbers or an update changes them: the text
// index finds the contact by any string it ever had, and that proves a
// match only while all its conversations carry the same ones.
func TestSearchTextPerConversation(t *testing.T) {
	long := strings.Repeat("x", 300) // too long to index
	tests := []struct {
		name    string
		steps   []textStep
		queries []string
	}{
		{"two conversations, two names", []textStep{
			{0, "Ana Lima", []string{"+14155550100"}},
			{1, "Ana Souza", []string{"+14155550100"}},
		}, []string{"lima", "SOUZA", "ana", "0100"}},
		{"two conversations, two numbers", []textStep{
			{0, "Ana", []string{"+14155550100"}},
			{1, "Ana", []string{"+14155550199"}},
		}, []string{"0100", "0199", "555", "ana"}},
		{"one conversation with a number the other lacks", []textStep{
			{0, "Ana", []string{"+14155550100", "+14155550199"}},
			{1, "Ana", []string{"+14155550100"}},
		}, []string{"0199", "0100"}},
		{"a conversation without the name", []textStep{
			{0, "Ana Lima", []string{"+14155550100"}},
			{1, "", []string{"+14155550100"}},
		}, []string{"lima", "0100"}},
		{"an update renames the only conversation", []textStep{
			{0, "Ana Lima", []string{"+14155550100"}},
			{0, "Bia Reis", []string{"+14155550100"}},
		}, []string{"lima", "reis", "0100"}},
		{"renamed and back", []textStep{
			{0, "Ana Lima", []string{"+14155550100"}},
			{0, "Bia Reis", []string{"+14155550100"}},
			{0, "Ana Lima", []string{"+14155550100"}},
		}, []string{"lima", "reis"}},
		{"an update renames one of two", []textStep{
			{0, "Ana Lima", []string{"+14155550100"}},
			{1, "Ana Lima", []string{"+14155550100"}},
			{1, "Ana Reis", []string{"+14155550100"}},
		}, []string{"lima", "reis", "ana"}},
		{"a new conversation with a new name after an update", []textStep{
			{0, "Ana Lima", []string{"+14155550100"}},
			{0, "Bia Reis", []string{"+14155550100"}},
			{1, "Bia Reis", []string{"+14155550100"}},
		}, []string{"lima", "reis"}},
		{"the same name in other case", []textStep{
			{0, "Ana Lima", []string{"+14155550100"}},
			{1, "ANA LIMA", []string{"+14155550100"}},
		}, []string{"ana lima", "Ana", "LIMA"}},
		{"a name too long to index", []textStep{
			{0, long + "Lima", []string{"+14155550100"}},
			{1, "Ana", []string{"+14155550100"}},
		}, []string{"lima", "ana", "0100", "xxx"}},
		{"the same string as name and number", []textStep{
			{0, "0100", []string{"0100"}},
			{1, "0100", []string{"0100", "+14155550100"}},
		}, []string{"0100", "+1415"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s := memory.NewConversationStore()
			ids := conversation.SequentialIDs(t0)
			var convs []*conversation.Conversation
			for i, st := range tc.steps {
				ct := conversation.Contact{ID: "c1", Name: st.name}
				for _, n := range st.numbers {
					ct.Addresses = append(ct.Addresses, channel.Address{Kind: channel.SMS, ID: n})
				}
				if st.conv == len(convs) {
					at := t0.Add(time.Duration(i) * time.Minute)
					c := &conversation.Conversation{
						ID: ids(), Touchpoint: "sms", Channel: channel.SMS, Direction: conversation.Inbound,
						Status: conversation.Closed, Contact: ct, Queues: []string{"sales"},
						CreatedAt: at, UpdatedAt: at, ClosedAt: at,
					}
					require.NoError(t, s.Create(ctx, c))
					convs = append(convs, c)
					continue
				}
				c := convs[st.conv]
				c.Contact = ct
				require.NoError(t, s.Update(ctx, c))
			}
			for _, text := range tc.queries {
				var want []conversation.ID
				for _, c := range convs {
					q := conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Text: text}
					if q.Matches(c) {
						want = append(want, c.ID)
					}
				}
				assert.Equal(t, want, searchedIDs(t, s, text), "search %q", text)
			}
		})
	}
}

// searchedIDs returns the IDs Search returns for text, oldest first, over
// every page.
func searchedIDs(t *testing.T, s *memory.ConversationStore, text string) []conversation.ID {
	t.Helper()
	var got []conversation.ID
	q := conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, Text: text, Sort: conversation.Oldest, Limit: 1}
	for {
		p, err := s.Search(context.Background(), q)
		require.NoError(t, err)
		for _, c := range p.Conversations {
			got = append(got, c.ID)
		}
		if p.Next == "" {
			return got
		}
		q.Cursor = p.Next
	}
}
