package postgres_test

import (
	"context"
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
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/session/sessiontest"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The window store keeps the whole session.Store contract.
func TestWindowStore(t *testing.T) {
	sessiontest.Run(t, func(t *testing.T) session.Store {
		_, pool := pgtest.Schema(t)
		return postgres.New(pool).Windows
	})
}

var (
	waBiz = channel.Address{Kind: channel.WhatsApp, ID: "+14155550000"}
	waAna = channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"}
)

// Instants are kept to the microsecond: what comes back is truncated, and
// a notice listed is marked dealt with by the instant it was listed with.
func TestWindowStoreKeepsMicroseconds(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	s := postgres.New(pool).Windows
	k := session.Key{Business: waBiz, Contact: waAna}
	at := time.Date(2025, 3, 1, 10, 0, 0, 123456789, time.UTC)
	w, err := s.Touch(ctx, k, at)
	require.NoError(t, err)
	assert.Equal(t, at.Truncate(time.Microsecond), w.LastInbound)

	w, err = s.Touch(ctx, k, at.Add(200*time.Nanosecond)) // the same microsecond
	require.NoError(t, err)
	assert.Equal(t, at.Truncate(time.Microsecond), w.LastInbound)

	now := at.Add(24 * time.Hour)
	ns, err := s.Notices(ctx, now, 0)
	require.NoError(t, err)
	require.Len(t, ns, 1)
	marked, err := s.Noticed(ctx, k, ns[0].ExpiresAt, true)
	require.NoError(t, err)
	require.True(t, marked)
	ns, err = s.Notices(ctx, now, 0)
	require.NoError(t, err)
	assert.Empty(t, ns)
}

// A key PostgreSQL's text cannot hold is refused as invalid, never sent.
func TestWindowStoreRefusesIDsTextCannotHold(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	s := postgres.New(pool).Windows
	for _, id := range []string{"", "+1415\x00555", "\xff\xfe"} {
		t.Run(fmt.Sprintf("%q", id), func(t *testing.T) {
			k := session.Key{Business: waBiz, Contact: channel.Address{Kind: channel.WhatsApp, ID: id}}
			_, err := s.Touch(ctx, k, time.Now())
			assert.ErrorIs(t, err, session.ErrInvalidKey)
			_, ok, err := s.Window(ctx, k)
			assert.NoError(t, err)
			assert.False(t, ok)
			n, err := s.Forget(ctx, k.Contact)
			assert.NoError(t, err)
			assert.Zero(t, n)
		})
	}
}

// The store applies the policies it was made with.
func TestWindowStoreAppliesItsPolicies(t *testing.T) {
	ctx := context.Background()
	_, pool := pgtest.Schema(t)
	s := postgres.NewWindowStore(pool, session.Policies{channel.WhatsApp: {Window: time.Hour, Templates: true}})
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	_, err := s.Touch(ctx, session.Key{Business: waBiz, Contact: waAna}, at)
	require.NoError(t, err)
	got, err := s.Expiring(ctx, at, 2*time.Hour)
	require.NoError(t, err)
	require.Len(t, got, 1)
	assert.Equal(t, at.Add(time.Hour), got[0].ExpiresAt)
	n, err := s.Prune(ctx, at.Add(time.Hour))
	require.NoError(t, err)
	assert.Equal(t, 1, n, "over when its one-hour window closed")
}

// Visitor numbers come from one sequence: unique across stores on the
// database, called at once, and going on for a store made later.
func TestVisitorNumbersAreOneSequence(t *testing.T) {
	ctx := context.Background()
	schema, pool := pgtest.Schema(t)
	stores := []*postgres.ConversationStore{
		postgres.New(pool).Conversations,
		postgres.New(pgtest.Pool(t, pgtest.DSN(t), schema)).Conversations,
	}
	const each = 25
	got := make([][]uint64, len(stores))
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Go(func() {
			for range each {
				n, err := s.NextVisitor(ctx)
				if assert.NoError(t, err) {
					got[i] = append(got[i], n)
				}
			}
		})
	}
	wg.Wait()
	seen := map[uint64]bool{}
	for _, ns := range got {
		for _, n := range ns {
			assert.False(t, seen[n], "visitor %d given twice", n)
			seen[n] = true
		}
	}
	for n := uint64(1); n <= 2*each; n++ {
		assert.True(t, seen[n], "visitor %d skipped", n)
	}
	later := postgres.New(pgtest.Pool(t, pgtest.DSN(t), schema)).Conversations
	n, err := later.NextVisitor(ctx)
	require.NoError(t, err)
	assert.Equal(t, uint64(2*each+1), n)
}

// Desks on one database, each with its own pool as processes have, share
// windows and visitor numbers: a desk that did not receive the contact's
// message (or started after the one that did) announces its window, once
// between the desks, and writes inside it; visitors are never numbered
// twice.
func TestDesksOnOneDatabaseShareWindowsAndVisitors(t *testing.T) {
	ctx := context.Background()
	schema, _ := pgtest.Schema(t)
	clock := parleytest.NewClock(parleytest.Epoch)
	made := 0
	desk := func() *parleytest.Desk {
		made++
		st := postgres.New(pgtest.Pool(t, pgtest.DSN(t), schema))
		return parleytest.NewDesk(t, parley.Config{
			Conversations: st.Conversations, OptOuts: st.OptOuts, Ledger: st.Ledger, Windows: st.Windows,
			Clock: clock.Now, NewID: conversation.SequentialIDs(parleytest.Epoch.Add(time.Duration(made) * time.Hour)),
			Touchpoints: []parley.Touchpoint{
				{ID: "wa", Kind: channel.WhatsApp, Address: waBiz.ID, Queues: []string{"support"}},
				{ID: "chat", Kind: channel.WebChat, Address: "site", Queues: []string{"support"}},
			},
			Agents: []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
		})
	}
	windowEvents := func(desks ...*parleytest.Desk) []parley.WindowEvent {
		var out []parley.WindowEvent
		for _, d := range desks {
			for _, e := range d.Publisher.Events() {
				if w, ok := e.(parley.WindowEvent); ok {
					out = append(out, w)
				}
			}
		}
		return out
	}

	a := desk()
	rc, err := a.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: waAna, ProviderID: "w1", Text: "hello"})
	require.NoError(t, err)
	v1, err := a.Receive(ctx, parley.Inbound{Touchpoint: "chat", From: channel.Address{Kind: channel.WebChat, ID: "v-1"}, ProviderID: "c1", Text: "hi"})
	require.NoError(t, err)
	require.NoError(t, a.Close(ctx, parley.SystemActor, rc.Conversation.ID, "done"))

	b, c := desk(), desk() // a is gone; b and c start on the same database
	v2, err := b.Receive(ctx, parley.Inbound{Touchpoint: "chat", From: channel.Address{Kind: channel.WebChat, ID: "v-2"}, ProviderID: "c2", Text: "hi"})
	require.NoError(t, err)
	assert.Equal(t, "Visitor #1", v1.Conversation.Contact.Name)
	assert.Equal(t, "Visitor #2", v2.Conversation.Contact.Name, "b goes on from a's number")

	clock.Advance(time.Hour)
	_, _, err = b.Start(ctx, "ana", parley.Opening{Touchpoint: "wa", To: waAna, Text: "Your parcel left"})
	require.NoError(t, err, "b sees the window a's message opened")

	clock.Advance(23 * time.Hour)
	var wg sync.WaitGroup
	for _, d := range []*parleytest.Desk{b, c} {
		wg.Go(func() { assert.NoError(t, d.Tick(ctx)) })
	}
	wg.Wait()
	got := windowEvents(b, c)
	require.Len(t, got, 1, "window closed, once between b and c")
	assert.True(t, got[0].Closed)
	assert.Equal(t, parleytest.Epoch.Add(24*time.Hour), got[0].ClosesAt)
}
