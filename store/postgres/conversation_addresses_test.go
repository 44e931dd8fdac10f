package postgres_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// A contact's addresses read back as they were stored, as the memory
// store keeps them: reading a conversation does not normalise them again,
// so a number that a later numbering plan calls invalid never makes its
// conversation unreadable.
func TestContactAddressesReadBackAsStored(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool).Conversations
	ids := conversation.SequentialIDs(epoch)
	for _, tc := range []struct {
		name  string
		addrs []channel.Address
	}{
		{"normalised numbers", []channel.Address{{Kind: channel.WhatsApp, ID: "+14155550100"}, {Kind: channel.SMS, ID: "+5511987654321"}}},
		{"a number as the host wrote it", []channel.Address{{Kind: channel.SMS, ID: "+1 (415) 555-0100"}}},
		{"a number no numbering plan knows", []channel.Address{{Kind: channel.SMS, ID: "+99912345"}}},
		{"an e-mail address in capitals", []channel.Address{{Kind: channel.Email, ID: "Ana@Example.COM"}}},
		{"an ID with a colon", []channel.Address{{Kind: channel.Custom, ID: "crm:42"}}},
		{"a zero address among them", []channel.Address{{}, {Kind: channel.WebChat, ID: "visitor-7"}}},
		{"an empty list", []channel.Address{}},
		{"no list", nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := start(t, ids(), channel.SMS, "contact-"+tc.name, "", conversation.Inbound)
			c.Contact.Addresses = tc.addrs
			require.NoError(t, st.Create(ctx, c))
			got, err := st.Get(ctx, c.ID)
			require.NoError(t, err)
			assert.Equal(t, tc.addrs, got.Contact.Addresses)
		})
	}
}

// A stored address whose kind the store does not know is a corrupt row,
// reported as such.
func TestContactAddressOfUnknownKindIsCorrupt(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool).Conversations
	c := start(t, conversation.SequentialIDs(epoch)(), channel.SMS, "ana", "", conversation.Inbound)
	require.NoError(t, st.Create(ctx, c))
	_, err := pool.Exec(ctx, `UPDATE parley_conversations SET contact_addresses = '["pager:123"]' WHERE id = $1`, c.ID.String())
	require.NoError(t, err)
	_, err = st.Get(ctx, c.ID)
	assert.ErrorIs(t, err, postgres.ErrCorrupt)
}

// ReceiveOpen writes back exactly the conversation it returns: what Get
// reads after a run of follow-ups is the conversation the last one
// reported, every field included.
func TestReceiveOpenStoresWhatItReturns(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	st := postgres.New(pool).Conversations
	ids := conversation.SequentialIDs(epoch)
	c := start(t, ids(), channel.WhatsApp, "whatsapp:+14155550100", "", conversation.Inbound)
	c.Contact.Addresses = []channel.Address{{Kind: channel.WhatsApp, ID: "+14155550100"}}
	c.Tags = []string{"vip"}
	require.NoError(t, st.Create(ctx, c))
	for i := range 3 {
		m := inbound(ids(), conversation.ID{}, c.Contact.ID, fmt.Sprintf("wamid.%d", i), "where is it?")
		m.CreatedAt = epoch.Add(time.Duration(i+1) * time.Minute)
		r, err := st.ReceiveOpen(ctx, c.Key(), m)
		require.NoError(t, err)
		require.True(t, r.Created)
		got, err := st.Get(ctx, c.ID)
		require.NoError(t, err)
		assert.Equal(t, r.Conversation, got, "message %d", i)
		assert.Equal(t, i+1, got.Unread)
		assert.Equal(t, m.CreatedAt, got.LastInboundAt)
	}
}
