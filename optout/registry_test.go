package optout_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
)

var (
	ctx     = context.Background()
	t0      = time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	ana     = channel.Address{Kind: channel.SMS, ID: "+14155550101"}
	ben     = channel.Address{Kind: channel.SMS, ID: "+14155550102"}
	numA    = channel.Address{Kind: channel.SMS, ID: "+14155550100"}
	numB    = channel.Address{Kind: channel.SMS, ID: "+14155550199"}
	numElse = channel.Address{Kind: channel.SMS, ID: "+442079460000"}
)

func newRegistry(t *testing.T, cfg optout.Config) *optout.Registry {
	t.Helper()
	if cfg.Store == nil {
		cfg.Store = memory.NewOptOutStore()
	}
	r, err := optout.NewRegistry(cfg)
	require.NoError(t, err)
	return r
}

func send(r *optout.Registry, from, to channel.Address, body string, at time.Time) error {
	return r.Outbound(ctx, optout.Outbound{From: from, To: to, Body: body, At: at})
}

// TestRegistryScope: an opt-out covers every number of the scope
// and an opt-in clears it for the whole scope.
func TestRegistryScope(t *testing.T) {
	r := newRegistry(t, optout.Config{})
	require.NoError(t, send(r, numA, ana, "hello", t0))

	res, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "Stop.", At: t0})
	require.NoError(t, err)
	assert.Equal(t, optout.OptOut, res.Action)
	assert.Equal(t, "STOP", res.Keyword)
	assert.True(t, res.Changed)
	assert.Equal(t, optout.DefaultScope, res.Scope)
	assert.Equal(t, optout.DefaultReplies(language.English).OptOut, res.Reply)
	assert.Equal(t, optout.Entry{Seq: 1, Scope: optout.DefaultScope, Address: ana, Action: optout.OptOut, At: t0, Keyword: "STOP", Number: numA}, res.Entry)

	for _, n := range []channel.Address{numA, numB} {
		err := send(r, n, ana, "promo", t0.Add(time.Hour))
		assert.ErrorIs(t, err, optout.ErrOptedOut, "from %s", n)
		var oe *optout.OptedOutError
		require.True(t, errors.As(err, &oe))
		assert.Equal(t, optout.OptedOutError{Address: ana, Scope: optout.DefaultScope, Number: n, Since: t0, Keyword: "STOP"}, *oe)
	}
	assert.NoError(t, send(r, numA, ben, "promo", t0.Add(time.Hour)), "other contacts are unaffected")

	res, err = r.Inbound(ctx, optout.Inbound{From: ana, To: numB, Body: "START", At: t0.Add(2 * time.Hour)})
	require.NoError(t, err)
	assert.True(t, res.Changed)
	assert.Equal(t, optout.DefaultReplies(language.English).OptIn, res.Reply)
	assert.NoError(t, send(r, numA, ana, "welcome back", t0.Add(3*time.Hour)), "the opt-in clears the whole scope")

	h, err := r.History(ctx, optout.DefaultScope, ana)
	require.NoError(t, err)
	require.Len(t, h, 2)
	assert.Equal(t, numB, h[1].Number)
	assert.Equal(t, "START", h[1].Keyword)
}

func TestRegistryCustomScopes(t *testing.T) {
	r := newRegistry(t, optout.Config{Scope: func(n channel.Address) optout.Scope {
		if n == numElse {
			return "uk"
		}
		return "us"
	}})
	_, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "STOP", At: t0})
	require.NoError(t, err)
	assert.ErrorIs(t, send(r, numB, ana, "x", t0), optout.ErrOptedOut)
	assert.NoError(t, send(r, numElse, ana, "x", t0), "another scope keeps its own consent")
	out, _, err := r.OptedOut(ctx, "us", ana)
	require.NoError(t, err)
	assert.True(t, out)
}

// TestRegistryConfirmation covers the one exception: the confirmation
// reply to the STOP itself, exactly once.
func TestRegistryConfirmation(t *testing.T) {
	stop := func(t *testing.T) (*optout.Registry, optout.Result) {
		r := newRegistry(t, optout.Config{})
		res, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "STOP", At: t0})
		require.NoError(t, err)
		return r, res
	}
	t.Run("the reply passes once", func(t *testing.T) {
		r, res := stop(t)
		assert.NoError(t, send(r, numA, ana, res.Reply, t0.Add(time.Second)))
		assert.ErrorIs(t, send(r, numA, ana, res.Reply, t0.Add(2*time.Second)), optout.ErrOptedOut)
	})
	t.Run("another text does not pass", func(t *testing.T) {
		r, res := stop(t)
		assert.ErrorIs(t, send(r, numA, ana, "Sorry to see you go! 20% off if you stay", t0), optout.ErrOptedOut)
		assert.NoError(t, send(r, numA, ana, res.Reply, t0), "and does not use up the exception")
	})
	t.Run("from another number does not pass", func(t *testing.T) {
		r, res := stop(t)
		assert.ErrorIs(t, send(r, numB, ana, res.Reply, t0), optout.ErrOptedOut)
	})
	t.Run("late does not pass", func(t *testing.T) {
		r, res := stop(t)
		assert.ErrorIs(t, send(r, numA, ana, res.Reply, t0.Add(optout.DefaultConfirmWithin)), optout.ErrOptedOut)
	})
	t.Run("a repeated STOP is confirmed again but changes nothing", func(t *testing.T) {
		r, res := stop(t)
		require.NoError(t, send(r, numA, ana, res.Reply, t0))
		again, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "stop", At: t0.Add(time.Minute)})
		require.NoError(t, err)
		assert.False(t, again.Changed)
		assert.Equal(t, uint64(1), again.Entry.Seq)
		assert.NoError(t, send(r, numA, ana, again.Reply, t0.Add(time.Minute)))
	})
}

func TestRegistryHelpAndOrdinaryMessages(t *testing.T) {
	store := memory.NewOptOutStore()
	r := newRegistry(t, optout.Config{Store: store})
	res, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "help", At: t0})
	require.NoError(t, err)
	assert.Equal(t, optout.Help, res.Action)
	assert.False(t, res.Changed)
	assert.Contains(t, res.Reply, "STOP")

	res, err = r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "Can I stop by at 5?", At: t0})
	require.NoError(t, err)
	assert.Equal(t, optout.Result{Action: optout.None}, res)

	res, err = r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "YES", At: t0})
	require.NoError(t, err)
	assert.False(t, res.Changed, "opting in an address that never opted out changes nothing")

	h, err := store.History(ctx, optout.DefaultScope, ana)
	require.NoError(t, err)
	assert.Empty(t, h)
}

func TestRegistryLanguages(t *testing.T) {
	r := newRegistry(t, optout.Config{})
	fr := optout.DefaultReplies(language.French)

	res, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "Arrêt", At: t0})
	require.NoError(t, err)
	assert.Equal(t, optout.OptOut, res.Action)
	assert.Equal(t, language.French, res.Lang)
	assert.Equal(t, fr.OptOut, res.Reply)

	res, err = r.Inbound(ctx, optout.Inbound{From: ben, To: numA, Body: "STOP", At: t0, Lang: language.MustParse("fr-CA")})
	require.NoError(t, err)
	assert.Equal(t, fr.OptOut, res.Reply, "the contact's language picks the reply")

	res, err = r.Inbound(ctx, optout.Inbound{From: ben, To: numA, Body: "ayuda", At: t0})
	require.NoError(t, err)
	assert.Equal(t, optout.Help, res.Action)
	assert.Equal(t, optout.DefaultReplies(language.Spanish).Help, res.Reply)
}

func TestRegistryConfiguredReplies(t *testing.T) {
	r := newRegistry(t, optout.Config{Replies: func(s optout.Scope, lang language.Tag) optout.Replies {
		return optout.Replies{OptOut: "Acme: unsubscribed. Reply START to rejoin."}
	}})
	res, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "STOP", At: t0})
	require.NoError(t, err)
	assert.Equal(t, "Acme: unsubscribed. Reply START to rejoin.", res.Reply)
	res, err = r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "HELP", At: t0})
	require.NoError(t, err)
	assert.Equal(t, optout.DefaultReplies(language.English).Help, res.Reply, "empty fields keep the default")
}

func TestRegistryCustomKeywords(t *testing.T) {
	k, err := optout.DefaultKeywords().With(optout.Keyword{Word: "REMOVE", Action: optout.OptOut})
	require.NoError(t, err)
	r := newRegistry(t, optout.Config{Keywords: []*optout.Keywords{k}})
	res, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "remove", At: t0})
	require.NoError(t, err)
	assert.Equal(t, optout.OptOut, res.Action)
	res, err = r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "ARRET", At: t0})
	require.NoError(t, err)
	assert.Equal(t, optout.None, res.Action, "only the configured sets")
}

// TestRegistryInvalid: bad input gets a clear error and changes nothing.
func TestRegistryInvalid(t *testing.T) {
	store := memory.NewOptOutStore()
	r := newRegistry(t, optout.Config{Store: store})
	for name, in := range map[string]optout.Inbound{
		"no contact": {To: numA, Body: "STOP", At: t0},
		"no number":  {From: ana, Body: "STOP", At: t0},
		"no time":    {From: ana, To: numA, Body: "STOP"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := r.Inbound(ctx, in)
			assert.ErrorIs(t, err, optout.ErrInvalidMessage)
		})
	}
	assert.ErrorIs(t, send(r, numA, channel.Address{}, "x", t0), optout.ErrInvalidMessage)
	_, _, err := r.Record(ctx, optout.Change{Address: ana, Action: optout.Help, At: t0})
	assert.ErrorIs(t, err, optout.ErrInvalidMessage)
	_, _, err = r.Record(ctx, optout.Change{Address: ana, Action: optout.OptOut})
	assert.ErrorIs(t, err, optout.ErrInvalidMessage)
	h, err := store.History(ctx, optout.DefaultScope, ana)
	require.NoError(t, err)
	assert.Empty(t, h)

}

func TestNewRegistryConfigErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  optout.Config
		want string
	}{
		{"no store", optout.Config{}, "optout: invalid config: Config.Store is required"},
		{"a nil keyword set", optout.Config{Store: memory.NewOptOutStore(), Keywords: []*optout.Keywords{optout.DefaultKeywords(), nil}},
			"optout: invalid config: Config.Keywords[1] is nil"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := optout.NewRegistry(tt.cfg)
			assert.ErrorIs(t, err, optout.ErrInvalidConfig)
			assert.EqualError(t, err, tt.want)
			assert.Nil(t, r)
		})
	}
}

func TestRegistryRecord(t *testing.T) {
	r := newRegistry(t, optout.Config{})
	e, changed, err := r.Record(ctx, optout.Change{Address: ana, Action: optout.OptOut, At: t0})
	require.NoError(t, err)
	assert.True(t, changed)
	assert.Equal(t, optout.DefaultScope, e.Scope)
	assert.ErrorIs(t, send(r, numA, ana, "x", t0), optout.ErrOptedOut)
	_, changed, err = r.Record(ctx, optout.Change{Address: ana, Action: optout.OptIn, At: t0.Add(time.Hour), Scope: optout.DefaultScope})
	require.NoError(t, err)
	assert.True(t, changed)
	assert.NoError(t, send(r, numA, ana, "x", t0.Add(time.Hour)))
}

// TestRegistryErase: on erasure the ledger keeps only address, scope,
// action and dates, and still honours the STOP.
func TestRegistryErase(t *testing.T) {
	r := newRegistry(t, optout.Config{})
	_, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "STOP", At: t0})
	require.NoError(t, err)
	n, err := r.Erase(ctx, ana)
	require.NoError(t, err)
	assert.Equal(t, 1, n)
	h, err := r.History(ctx, optout.DefaultScope, ana)
	require.NoError(t, err)
	require.Len(t, h, 1)
	assert.Equal(t, optout.Entry{Seq: 1, Scope: optout.DefaultScope, Address: ana, Action: optout.OptOut, At: t0, Redacted: true}, h[0])
	assert.ErrorIs(t, send(r, numA, ana, "x", t0.Add(time.Hour)), optout.ErrOptedOut)

	plain := newRegistry(t, optout.Config{Store: storeOnly{memory.NewOptOutStore()}})
	_, err = plain.Erase(ctx, ana)
	assert.ErrorIs(t, err, optout.ErrRedactUnsupported)
}

// storeOnly hides every method but the Store interface's.
type storeOnly struct{ optout.Store }

// failingStore fails every read, to show the check fails closed.
type failingStore struct{ optout.Store }

func (failingStore) Latest(context.Context, optout.Scope, channel.Address) (optout.Entry, bool, error) {
	return optout.Entry{}, false, errors.New("disk on fire")
}

func TestRegistryFailsClosed(t *testing.T) {
	r := newRegistry(t, optout.Config{Store: failingStore{memory.NewOptOutStore()}})
	assert.ErrorContains(t, send(r, numA, ana, "x", t0), "disk on fire")
	_, err := r.Inbound(ctx, optout.Inbound{From: ana, To: numA, Body: "STOP", At: t0})
	assert.ErrorContains(t, err, "disk on fire")
}

// TestRegistryConcurrent: many goroutines opting the same and different
// addresses in and out; the final state equals the last ledger entry per
// address, the history alternates, and every reported change is in it.
func TestRegistryConcurrent(t *testing.T) {
	store := memory.NewOptOutStore()
	r := newRegistry(t, optout.Config{Store: store})
	const workers, rounds, contacts = 8, 100, 4
	addr := func(i int) channel.Address {
		return channel.Address{Kind: channel.SMS, ID: fmt.Sprintf("+1415555020%d", i)}
	}
	var changes [contacts]int64
	var mu sync.Mutex
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range rounds {
				c := (w + i) % contacts
				body := "STOP"
				if (w+i)%3 == 0 {
					body = "START"
				}
				res, err := r.Inbound(ctx, optout.Inbound{From: addr(c), To: numA, Body: body, At: t0.Add(time.Duration(i) * time.Second)})
				if !assert.NoError(t, err) {
					return
				}
				if res.Changed {
					mu.Lock()
					changes[c]++
					mu.Unlock()
				}
				_ = r.Outbound(ctx, optout.Outbound{From: numB, To: addr(c), Body: res.Reply, At: t0})
			}
		}()
	}
	wg.Wait()
	for c := range contacts {
		h, err := store.History(ctx, optout.DefaultScope, addr(c))
		require.NoError(t, err)
		require.NotEmpty(t, h)
		assert.Equal(t, changes[c], int64(len(h)), "every reported change is in the ledger, once")
		for i, e := range h {
			assert.Equal(t, uint64(i+1), e.Seq)
			want := optout.OptOut
			if i%2 == 1 {
				want = optout.OptIn
			}
			assert.Equal(t, want, e.Action, "the history alternates")
		}
		// The model: consent starts given and each entry of the history, in
		// order, sets it; the registry must agree with the replay both when
		// asked and when it judges a send.
		model := false
		for _, e := range h {
			model = e.Action == optout.OptOut
		}
		out, latest, err := r.OptedOut(ctx, optout.DefaultScope, addr(c))
		require.NoError(t, err)
		assert.Equal(t, h[len(h)-1], latest)
		assert.Equal(t, model, out, "OptedOut is the replayed history")
		err = r.Outbound(ctx, optout.Outbound{From: numB, To: addr(c), Body: "Our sale starts today", At: t0.Add(time.Hour)})
		assert.Equal(t, model, errors.Is(err, optout.ErrOptedOut), "Outbound refuses exactly when the replayed history says opted out: %v", err)
	}
}
