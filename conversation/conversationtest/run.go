package conversationtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// Run checks that the stores newStore makes keep the [conversation.Store]
// contract, rule by rule, and, when a store also implements them, the
// contracts of [conversation.Receiver], [conversation.Eraser],
// [conversation.Purger] and [conversation.CommentStore]; the cases of an optional interface the store
// lacks are skipped. Each rule runs as a subtest, and a failure names the
// rule it broke.
//
// Run calls newStore once per subtest, with that subtest's t, and newStore
// must return a fresh, empty store: a store backed by a database registers
// its clean-up with t.Cleanup.
func Run(t *testing.T, newStore func(t *testing.T) conversation.Store) {
	t.Helper()
	for _, tc := range slices.Concat(conversationCases, updateCases, messageCases, providerCases, senderCases, recordCases, receiverCases, searchCases, searchPagingCases, eraseCases, purgeCases, commentCases) {
		t.Run(tc.name, func(t *testing.T) {
			f := &storeFixture{t: t, rule: tc.rule, s: newStore(t), ctx: context.Background(), ids: conversation.SequentialIDs(suiteEpoch)}
			tc.run(f)
		})
	}
}

// suiteEpoch is the suite's fixed "now"; time moves only when a case says.
var suiteEpoch = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// storeCase is one rule of the contract, checked on a fresh store.
type storeCase struct {
	name string
	rule string // the contract rule the case checks, quoted in failures
	run  func(f *storeFixture)
}

// storeFixture is one subtest's store and helpers. Its failure helpers
// prefix every message with the rule under test.
type storeFixture struct {
	t    *testing.T
	rule string
	s    conversation.Store
	ctx  context.Context
	ids  func() conversation.ID
	n    int // conversations made, to space CreatedAt
}

func (f *storeFixture) fatalf(format string, args ...any) {
	f.t.Helper()
	f.t.Fatalf("rule %q broken: %s", f.rule, fmt.Sprintf(format, args...))
}

func (f *storeFixture) errorf(format string, args ...any) {
	f.t.Helper()
	f.t.Errorf("rule %q broken: %s", f.rule, fmt.Sprintf(format, args...))
}

// must stops the subtest when a precondition step fails.
func (f *storeFixture) must(err error, step string) {
	f.t.Helper()
	if err != nil {
		f.t.Fatalf("precondition for rule %q: %s: %v", f.rule, step, err)
	}
}

// wantErr checks that err matches target with errors.Is.
func (f *storeFixture) wantErr(err, target error, what string) {
	f.t.Helper()
	if !errors.Is(err, target) {
		f.errorf("%s: got error %v, want one matching %v", what, err, target)
	}
}

// spec describes a conversation to make.
type spec struct {
	touchpoint  string
	kind        channel.Kind
	contact     string
	name        string
	addr        string // channel address, "kind:id"
	interaction string
	dir         conversation.Direction
	queues      []string
	bot         bool
}

func (f *storeFixture) newConv(sp spec) *conversation.Conversation {
	f.t.Helper()
	if sp.touchpoint == "" {
		sp.touchpoint = "tp-whatsapp"
	}
	if sp.kind == 0 {
		sp.kind = channel.WhatsApp
	}
	if sp.contact == "" {
		sp.contact = "contact-1"
	}
	if sp.dir == 0 {
		sp.dir = conversation.Inbound
	}
	ct := conversation.Contact{ID: sp.contact, Name: sp.name}
	if sp.addr != "" {
		a, err := channel.ParseAddress(sp.addr)
		f.must(err, "parse address "+sp.addr)
		ct.Addresses = []channel.Address{a}
	}
	f.n++
	c, _, err := conversation.Start(conversation.Params{
		ID: f.ids(), Touchpoint: sp.touchpoint, Channel: sp.kind, Direction: sp.dir,
		Contact: ct, InteractionID: sp.interaction, Queues: sp.queues, Bot: sp.bot,
	}, suiteEpoch.Add(time.Duration(f.n)*time.Minute))
	f.must(err, "conversation.Start")
	return c
}

func (f *storeFixture) create(sp spec) *conversation.Conversation {
	f.t.Helper()
	c := f.newConv(sp)
	f.must(f.s.Create(f.ctx, c), "Create")
	return c
}

func (f *storeFixture) get(id conversation.ID) *conversation.Conversation {
	f.t.Helper()
	c, err := f.s.Get(f.ctx, id)
	f.must(err, "Get")
	return c
}

// wantCounts checks that the stored conversation id has unread unread
// messages and version version, saying what as the failure's subject.
func (f *storeFixture) wantCounts(id conversation.ID, unread int, version int64, what string) {
	f.t.Helper()
	if got := f.get(id); got.Unread != unread || got.Version != version {
		f.errorf("%s: unread %d, version %d; want %d and %d", what, got.Unread, got.Version, unread, version)
	}
}

// closeConv closes c and stores the change.
func (f *storeFixture) closeConv(c *conversation.Conversation) {
	f.t.Helper()
	_, err := c.Close(conversation.Closing{}, c.CreatedAt.Add(time.Hour))
	f.must(err, "Close")
	f.must(f.s.Update(f.ctx, c), "Update after Close")
}
