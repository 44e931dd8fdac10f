package memory

import (
	"bytes"
	"context"
	"math/rand/v2"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// storeWithConversation returns a new store holding one open inbound
// conversation of kind on touchpoint "tp" with contact "c1", the ID
// source that made it, and its start time.
func storeWithConversation(t *testing.T, kind channel.Kind) (*ConversationStore, *conversation.Conversation, func() conversation.ID, time.Time) {
	t.Helper()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids := conversation.SequentialIDs(t0)
	s := NewConversationStore()
	c, _, err := conversation.Start(conversation.Params{
		ID: ids(), Touchpoint: "tp", Channel: kind, Direction: conversation.Inbound,
		Contact: conversation.Contact{ID: "c1"}, Queues: []string{"sales"},
	}, t0)
	require.NoError(t, err)
	require.NoError(t, s.Create(context.Background(), c))
	return s, c, ids, t0
}

// Two provider IDs with one hash take neighbouring slots of one probe
// run. A 32-bit collision takes about 77 000 IDs to meet by chance, so
// this test forces every ID onto one hash and checks that each is found,
// and that taking one out of the start, the middle or the end of the run
// keeps the others.
func TestProviderIndexCollisions(t *testing.T) {
	s, c, ids, t0 := storeWithConversation(t, channel.WhatsApp)
	conv := s.convs[c.ID]

	const h = 42 // the one hash every ID is given
	providers := []string{"wamid.a", "wamid.b", "wamid.c", "wamid.d"}
	refs := make(map[string]msgRef)
	for _, p := range providers {
		m := &conversation.Message{ID: ids(), ConversationID: c.ID, Direction: conversation.Inbound,
			Author: conversation.Author{Kind: conversation.AuthorContact, ID: "c1"}, Text: "hi " + p, CreatedAt: t0}
		ref := s.addRecord(m, conv)
		require.Zero(t, s.findProvider(conv.byProvider, h, "c1", p), "%s is not indexed yet", p)
		s.indexProvider(conv.byProvider, h, ref, p)
		refs[p] = ref
	}
	require.Equal(t, len(providers), conv.byProvider.n)
	for _, p := range providers {
		assert.Equal(t, refs[p], s.findProvider(conv.byProvider, h, "c1", p), "%s is found in the run", p)
	}
	assert.Zero(t, s.findProvider(conv.byProvider, h, "c1", "wamid.e"), "an ID never stored is not found on a shared hash")

	// The run holds a, b, c, d in order. Take out the middle (c), the
	// start (a) and the end (d), checking the rest after each.
	for _, gone := range []string{"wamid.c", "wamid.a", "wamid.d"} {
		conv.byProvider.remove(h, refs[gone])
		delete(refs, gone)
		assert.Zero(t, s.findProvider(conv.byProvider, h, "c1", gone), "%s was taken out", gone)
		for p, ref := range refs {
			assert.Equal(t, ref, s.findProvider(conv.byProvider, h, "c1", p), "%s is still found after %s left", p, gone)
		}
	}
	conv.byProvider.remove(h, refs["wamid.b"])
	assert.Zero(t, conv.byProvider.n, "the last one out empties the index")
	assert.Zero(t, slices.Max(conv.byProvider.tags), "and every slot is empty again")
}

// On one forced hash, a provider ID matches only under its own key: the
// inbound message of its sender, or the outbound message with sender "".
// The key's parts are compared, not only the ID.
func TestProviderIndexComparesTheSender(t *testing.T) {
	s, c, ids, t0 := storeWithConversation(t, channel.WebChat)
	conv := s.convs[c.ID]

	const h = 7
	in := &conversation.Message{ID: ids(), ConversationID: c.ID, Direction: conversation.Inbound,
		Author: conversation.Author{Kind: conversation.AuthorContact, ID: "c1"}, Text: "from c1", CreatedAt: t0}
	inRef := s.addRecord(in, conv)
	s.indexProvider(conv.byProvider, h, inRef, "msg-1")
	out := &conversation.Message{ID: ids(), ConversationID: c.ID, Direction: conversation.Outbound,
		Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "a"}, Text: "to c1", CreatedAt: t0}
	outRef := s.addRecord(out, conv)
	s.indexProvider(conv.byProvider, h, outRef, "msg-1")

	tests := []struct {
		name, from string
		want       msgRef
	}{
		{"the sender finds its inbound message", "c1", inRef},
		{"no sender finds the outbound message", "", outRef},
		{"another sender finds nothing", "c2", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, s.findProvider(conv.byProvider, h, tt.from, "msg-1"))
		})
	}
}

// The index against a map, through random adds and removes with hashes
// drawn from a narrow range, so that probe runs are long, wrap around the
// table's end and merge, and removals shift entries back across them.
// After every step each entry is found, each removed one is not, and
// every entry sits in the probe run of its home slot.
func TestProviderIndexModel(t *testing.T) {
	for _, spread := range []uint32{4, 64, 1 << 20} {
		t.Run(strconv.Itoa(int(spread)), func(t *testing.T) {
			rng := rand.New(rand.NewPCG(uint64(spread), 7))
			ix := newProviderIndex()
			model := map[msgRef]uint32{} // ref -> hash
			// Every tag; the low bits pick the slot. With a narrow spread
			// the homes sit at slots 14 to 17 or so, across the end of the
			// first, 16-slot table; the widest spread wraps in every size.
			hash := func() uint32 { return rng.Uint32()&^(1<<20-1) | (rng.Uint32()%spread+minProviderSlots-2)&(1<<20-1) }
			same := func(want msgRef) func(msgRef) bool { return func(ref msgRef) bool { return ref == want } }
			next := msgRef(1)
			for step := range 4000 {
				if len(model) == 0 || rng.IntN(3) > 0 && len(model) < 300 {
					h := hash()
					ix.add(h, next)
					model[next] = h
					next++
				} else {
					var ref msgRef
					for r := range model { // any entry
						ref = r
						break
					}
					ix.remove(model[ref], ref)
					assert.Zero(t, ix.find(model[ref], same(ref)), "step %d: ref %d was removed", step, ref)
					delete(model, ref)
				}
				if len(model) != ix.n {
					require.Equal(t, len(model), ix.n, "step %d: count", step)
				}
				for ref, h := range model {
					if got := ix.find(h, same(ref)); got != ref {
						require.Equal(t, ref, got, "step %d: ref %d is found", step, ref)
					}
				}
				checkProbeRuns(t, ix)
			}
		})
	}
}

// checkProbeRuns fails unless every full slot's tag matches its hash and
// no empty slot lies between it and its home, where lookups start.
func checkProbeRuns(t *testing.T, ix *providerIndex) {
	t.Helper()
	mask := len(ix.tags) - 1
	if 8*ix.n > 7*len(ix.tags) {
		require.Failf(t, "overfull", "%d entries in %d slots: over 7/8 full", ix.n, len(ix.tags))
	}
	for i, tag := range ix.tags {
		if tag == 0 {
			continue
		}
		sl := ix.slots[i]
		if tag != providerTag(sl.h) {
			require.Equal(t, providerTag(sl.h), tag, "slot %d: tag", i)
		}
		for j := int(sl.h) & mask; j != i; j = (j + 1) & mask {
			if ix.tags[j] == 0 {
				require.Failf(t, "broken probe run", "slot %d: empty slot %d between it and its home", i, j)
			}
		}
	}
}

// Erasure leaves nothing readable: the erased messages' texts and
// provider IDs are zeroed in the arena, not just unlinked.
func TestEraseZeroesMessageBytes(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids := conversation.SequentialIDs(t0)
	s := NewConversationStore()
	for _, contact := range []string{"erased", "kept"} {
		c, _, err := conversation.Start(conversation.Params{
			ID: ids(), Touchpoint: "tp", Channel: channel.WhatsApp, Direction: conversation.Inbound,
			Contact: conversation.Contact{ID: contact}, Queues: []string{"sales"},
		}, t0)
		require.NoError(t, err)
		require.NoError(t, s.Create(ctx, c))
		_, _, err = s.AppendMessage(ctx, &conversation.Message{ID: ids(), ConversationID: c.ID, Direction: conversation.Inbound,
			Author: conversation.Author{Kind: conversation.AuthorContact, ID: contact}, Text: "my card is 4111-" + contact,
			ProviderID: "wamid." + contact, CreatedAt: t0})
		require.NoError(t, err)
	}
	contains := func(needle string) bool {
		for _, c := range s.strings.chunks {
			if bytes.Contains(c, []byte(needle)) {
				return true
			}
		}
		return false
	}
	require.True(t, contains("4111-erased"), "precondition: the text is in the arena")

	_, err := s.Erase(ctx, "erased")
	require.NoError(t, err)
	assert.False(t, contains("4111-erased"), "the erased text is zeroed")
	assert.False(t, contains("wamid.erased"), "the erased provider ID is zeroed")
	assert.True(t, contains("4111-kept"), "another contact's text stays")
	m, err := s.MessageByProvider(ctx, "tp", "kept", "wamid.kept")
	require.NoError(t, err)
	assert.Equal(t, "my card is 4111-kept", m.Text)
}

// Erasing a contact takes its entries out under the key they were indexed
// by (its sender mixed in), leaving another sender's message and the
// outbound message with the same provider ID in place.
func TestEraseDropsTheSendersProviderKeys(t *testing.T) {
	ctx := context.Background()
	t0 := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	ids := conversation.SequentialIDs(t0)
	s := NewConversationStore()
	convs := map[string]*conversation.Conversation{}
	for _, contact := range []string{"erased", "kept"} {
		c, _, err := conversation.Start(conversation.Params{
			ID: ids(), Touchpoint: "tp", Channel: channel.WebChat, Direction: conversation.Inbound,
			Contact: conversation.Contact{ID: contact}, Queues: []string{"sales"},
		}, t0)
		require.NoError(t, err)
		require.NoError(t, s.Create(ctx, c))
		convs[contact] = c
		for _, pid := range []string{"msg-1", "msg-2"} {
			_, created, err := s.AppendMessage(ctx, &conversation.Message{ID: ids(), ConversationID: c.ID, Direction: conversation.Inbound,
				Author: conversation.Author{Kind: conversation.AuthorContact, ID: contact}, Text: "hi", ProviderID: pid, CreatedAt: t0})
			require.NoError(t, err)
			require.True(t, created)
		}
	}
	_, created, err := s.AppendMessage(ctx, &conversation.Message{ID: ids(), ConversationID: convs["kept"].ID, Direction: conversation.Outbound,
		Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "a"}, Text: "hello", ProviderID: "msg-1",
		Delivery: conversation.Delivery{Status: conversation.DeliverySent}, CreatedAt: t0})
	require.NoError(t, err)
	require.True(t, created)
	ix := s.byProvider["tp"]
	require.Equal(t, 5, ix.n)

	_, err = s.Erase(ctx, "erased")
	require.NoError(t, err)
	assert.Equal(t, 3, ix.n, "the erased contact's two entries are gone, the others stay")
	checkProbeRuns(t, ix)
	for _, k := range []struct{ from, pid string }{{"kept", "msg-1"}, {"kept", "msg-2"}, {"", "msg-1"}} {
		_, err := s.MessageByProvider(ctx, "tp", k.from, k.pid)
		assert.NoError(t, err, "(%q, %q) is still found", k.from, k.pid)
	}
	for _, pid := range []string{"msg-1", "msg-2"} {
		_, err := s.MessageByProvider(ctx, "tp", "erased", pid)
		assert.ErrorIs(t, err, conversation.ErrNotFound, "the erased contact's %s", pid)
	}
}
