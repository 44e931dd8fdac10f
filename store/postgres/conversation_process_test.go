package postgres_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"maps"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The desk every process runs: one WhatsApp and one SMS number routed
// automatically to two agents whose capacity holds two and three WhatsApp
// conversations (weight 20), fewer than the contacts writing, so that
// agents fill up and conversations wait.
var deskAgents = map[string]int{"a0": 40, "a1": 60}

// The desk child process's orders, in its environment.
const (
	envDeskChild = "PARLEY_DESK_CHILD" // the schema to use; set only in a child
	envDeskPlan  = "PARLEY_DESK_PLAN"  // the file of webhooks to send, in order
	envDeskClose = "PARLEY_DESK_CLOSE" // close one received conversation in this many
)

// newDesk returns a desk on pool with the stores of package postgres.
func newDesk(t *testing.T, pool *pgxpool.Pool) *parley.Desk {
	t.Helper()
	st := postgres.New(pool)
	queues := []string{"support"}
	auto := routing.Policy{Mode: routing.Automatic}
	agents := make([]routing.Agent, 0, len(deskAgents))
	for id, capacity := range deskAgents {
		agents = append(agents, routing.Agent{ID: id, Queues: queues, Capacity: capacity})
	}
	d, err := parley.New(parley.Config{
		Transport: providerTransport{parleytest.NewTransport()},
		Touchpoints: []parley.Touchpoint{
			{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: queues, Routing: auto},
			{ID: "sms", Kind: channel.SMS, Address: "+14155550001", Queues: queues, Routing: auto},
		},
		Agents:        agents,
		Conversations: st.Conversations,
		OptOuts:       st.OptOuts,
		Ledger:        st.Ledger,
	})
	require.NoError(t, err)
	return d
}

// providerTransport is parleytest's transport with a provider's message
// IDs: unique across processes, and the same for a message sent again
// (its MessageID is the idempotency key). parleytest's own count from 1 in
// each process, so a second desk would reuse the first one's.
type providerTransport struct{ *parleytest.Transport }

// Send sends out and returns its provider ID.
func (p providerTransport) Send(ctx context.Context, out parley.Outgoing) (string, error) {
	if _, err := p.Transport.Send(ctx, out); err != nil {
		return "", err
	}
	return "prov-" + out.MessageID.String(), nil
}

// webhook is one inbound message as a provider delivers it, and retries it.
type webhook struct {
	touchpoint string
	kind       channel.Kind
	from       string // E.164
	providerID string
	text       string
}

// inbound is the webhook as the host hands it to Desk.Receive.
func (w webhook) inbound() parley.Inbound {
	return parley.Inbound{Touchpoint: w.touchpoint, From: channel.Address{Kind: w.kind, ID: w.from},
		ProviderID: w.providerID, Text: w.text}
}

// key is the webhook's provider key as stored: (touchpoint, sender, provider ID).
func (w webhook) key() string {
	return w.touchpoint + " " + channel.Address{Kind: w.kind, ID: w.from}.String() + " " + w.providerID
}

func (w webhook) String() string {
	return strings.Join([]string{w.touchpoint, w.from, w.providerID, w.text}, "|")
}

func parseWebhook(line string) (webhook, error) {
	f := strings.Split(line, "|")
	if len(f) != 4 {
		return webhook{}, fmt.Errorf("bad plan line %q", line)
	}
	w := webhook{touchpoint: f[0], kind: channel.WhatsApp, from: f[1], providerID: f[2], text: f[3]}
	if w.touchpoint == "sms" {
		w.kind = channel.SMS
	}
	return w, nil
}

// webhooks returns each contact's n messages, in the order each contact
// wrote them: wa contacts on WhatsApp, sms contacts on SMS, the SMS
// contacts' message number stop being STOP.
func webhooks(wa, sms, n, stop int) []webhook {
	var out []webhook
	for i := range n {
		for c := range wa + sms {
			w := webhook{touchpoint: "wa", kind: channel.WhatsApp, from: fmt.Sprintf("+1415555%04d", 100+c),
				providerID: fmt.Sprintf("id.%d.%d", c, i), text: fmt.Sprintf("message %d", i)}
			if c >= wa {
				w.touchpoint, w.kind = "sms", channel.SMS
				if i == stop {
					w.text = "STOP"
				}
			}
			out = append(out, w)
		}
	}
	return out
}

// writePlan writes webhooks to a plan file in dir and returns its path.
func writePlan(t *testing.T, dir, name string, ws []webhook) string {
	t.Helper()
	var b strings.Builder
	for _, w := range ws {
		b.WriteString(w.String() + "\n")
	}
	path := filepath.Join(dir, name+".plan")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o600))
	return path
}

// TestDeskChildProcess is not a test: it is the body of the child
// processes that TestDeskAcrossProcesses and TestDeskSurvivesSIGKILL start
// from this test binary. Each child runs a Desk on its own pool and sends
// its plan's webhooks from two goroutines, and has agents close some of
// the conversations they land in, so that later messages open follow-ups.
func TestDeskChildProcess(t *testing.T) {
	schema := os.Getenv(envDeskChild)
	if schema == "" {
		t.Skip("run as a child process by the multi-process desk tests")
	}
	var every int
	_, err := fmt.Sscan(os.Getenv(envDeskClose), &every)
	require.NoError(t, err)
	f, err := os.Open(os.Getenv(envDeskPlan))
	require.NoError(t, err)
	var plan []webhook
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		w, err := parseWebhook(sc.Text())
		require.NoError(t, err)
		plan = append(plan, w)
	}
	require.NoError(t, sc.Err())
	require.NoError(t, f.Close())

	desk := newDesk(t, pgtest.Pool(t, pgtest.DSN(t), schema))
	var (
		wg      sync.WaitGroup
		mu      sync.Mutex
		retries = map[string]int{}
	)
	for g := range 2 {
		wg.Go(func() {
			for i := g; i < len(plan); i += 2 {
				why, err := deliver(desk, plan[i], every)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				for _, w := range why {
					retries[w]++
				}
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	fmt.Printf("desk child retried: %v\n", retries)
}

// transient lists the errors Desk.Receive may return when other
// processes race it: a conflict that outlasted its retries. The host
// answers the webhook with a server error and the provider sends it
// again, as deliver does; the test counts them. A race on the contact's
// slot (another desk started, routed or closed its conversation a moment
// before) is the Desk's to settle and never surfaces.
var transient = map[string]error{
	"conflict": conversation.ErrConflict,
}

// deliver receives w on desk as a provider does, sending it again after a
// transient error, and one time in every (never when every is 0) has the
// system end and close the conversation it landed in. It returns why it
// sent w again, each time it did.
func deliver(desk *parley.Desk, w webhook, every int) (retried []string, err error) {
	ctx := context.Background()
	var rc parley.Receipt
	for attempt := 0; ; attempt++ {
		if rc, err = desk.Receive(ctx, w.inbound()); err == nil {
			break
		}
		why := ""
		for name, e := range transient {
			if errors.Is(err, e) {
				why = name
			}
		}
		if why == "" || attempt == 20 {
			return retried, fmt.Errorf("receive %s (attempt %d): %w", w, attempt+1, err)
		}
		retried = append(retried, why)
		time.Sleep(time.Duration(rand.IntN(5)) * time.Millisecond)
	}
	if every == 0 || rand.IntN(every) > 0 {
		return retried, nil
	}
	id := rc.Conversation.ID
	if rc.Conversation.Status == conversation.Assigned {
		if err := desk.End(ctx, parley.SystemActor, id); err != nil && !errors.Is(err, conversation.ErrInvalidTransition) {
			return retried, fmt.Errorf("end %s: %w", id, err)
		}
	}
	// Another process may have closed it first: the transition is then
	// refused, and that is all.
	if err := desk.Close(ctx, parley.SystemActor, id, "done"); err != nil && !errors.Is(err, conversation.ErrInvalidTransition) {
		return retried, fmt.Errorf("close %s: %w", id, err)
	}
	return retried, nil
}

// deskChild returns the command that runs one desk child process.
func deskChild(t *testing.T, schema, plan, app string, closeEvery int) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	return childProcess(t, "TestDeskChildProcess", app,
		envDeskChild+"="+schema, envDeskPlan+"="+plan, envDeskClose+"="+fmt.Sprint(closeEvery))
}

// Four OS processes, each a Desk with its own pool, receive webhooks of
// the same nine contacts, most of them sent by several processes (a
// provider retrying at another desk), while agents close conversations so
// that later messages open follow-ups. At the end SQL finds each webhook
// stored once, at most one open conversation per slot, no agent over
// capacity, and every conversation's counters equal to what its messages
// say: no update lost.
func TestDeskAcrossProcesses(t *testing.T) {
	const children = 4
	schema, pool := pgtest.Schema(t)
	dir := t.TempDir()
	all := webhooks(6, 3, 40, -1)

	sent := map[string]int{} // provider key → the processes that sent it
	cmds := make([]*exec.Cmd, children)
	outs := make([]*strings.Builder, children)
	for i := range children {
		// Each child sends three webhooks in four, in its own order.
		var plan []webhook
		for _, w := range all {
			if rand.IntN(4) > 0 {
				plan = append(plan, w)
				sent[w.key()]++
			}
		}
		rand.Shuffle(len(plan), func(a, b int) { plan[a], plan[b] = plan[b], plan[a] })
		app := fmt.Sprintf("parley-desk-test-p%d", i)
		cmds[i], outs[i] = deskChild(t, schema, writePlan(t, dir, app, plan), app, 4)
		require.NoError(t, cmds[i].Start())
	}
	stop := watch(func() {
		checkLoads(t, pool, deskAgents)
		checkSlots(t, pool)
	})
	for i, cmd := range cmds {
		assert.NoError(t, cmd.Wait(), "child %d:\n%s", i, outs[i])
		for line := range strings.Lines(outs[i].String()) {
			if strings.HasPrefix(line, "desk child") {
				t.Logf("child %d: %s", i, strings.TrimSpace(line))
			}
		}
	}
	polls := stop()
	require.False(t, t.Failed())

	retried := 0
	for _, n := range sent {
		if n > 1 {
			retried++
		}
	}
	checkLoads(t, pool, deskAgents)
	checkSlots(t, pool)
	assert.ElementsMatch(t, slices.Collect(maps.Keys(sent)), inboundKeys(t, pool), "each webhook sent stored once")
	checkCounters(t, pool, false)
	convs, followUps, closed, assigned := stats(t, pool)
	t.Logf("%d children: %d webhooks, %d sent by several; %d conversations, %d follow-ups, %d closed, %d assigned to an agent; %d checks while they ran",
		children, len(sent), retried, convs, followUps, closed, assigned, polls)
	assert.Positive(t, assigned, "no conversation reached an agent: capacity was never at stake")
	assert.Positive(t, retried, "no webhook was retried by another process")
	assert.Positive(t, followUps, "no follow-up conversation was opened")
}

// A Desk process killed with SIGKILL in the middle of its webhooks, then a
// provider retrying every webhook it was given at another desk: afterwards
// each webhook is stored once and whole (in a conversation, counted),
// every conversation has its first message, each STOP is in the consent
// ledger once with its one confirmation, and no agent is over capacity.
func TestDeskSurvivesSIGKILL(t *testing.T) {
	ctx := context.Background()
	for round := range 3 {
		t.Run(fmt.Sprintf("round %d", round), func(t *testing.T) {
			schema, pool := pgtest.Schema(t)
			plan := webhooks(4, 3, 120, 5) // enough that the child is still writing when killed
			app := fmt.Sprintf("parley-desk-test-k%d", round)
			cmd, out := deskChild(t, schema, writePlan(t, t.TempDir(), app, plan), app, 6)
			killMidway(t, pool, cmd, out, app, func() bool {
				var n int
				return pool.QueryRow(ctx, `SELECT count(*) FROM parley_messages`).Scan(&n) == nil && n >= 20
			})
			// What the child committed is whole: each message counted in
			// its conversation. A conversation started whose first message
			// the kill stopped is the one thing a retry has to finish.
			var before, empty int
			require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM parley_messages WHERE direction = 'inbound'`).Scan(&before))
			require.Less(t, before, len(plan), "the child finished before it was killed")
			require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM parley_conversations c
				WHERE NOT EXISTS (SELECT FROM parley_messages m WHERE m.conversation_id = c.id)`).Scan(&empty))
			checkCounters(t, pool, true)
			checkLoads(t, pool, deskAgents)

			desk := newDesk(t, pool)
			for _, w := range plan {
				_, err := desk.Receive(ctx, w.inbound())
				require.NoError(t, err, "retry of %s", w)
			}

			keys := make([]string, len(plan))
			for i, w := range plan {
				keys[i] = w.key()
			}
			assert.ElementsMatch(t, keys, inboundKeys(t, pool), "each webhook stored once")
			checkSlots(t, pool)
			checkLoads(t, pool, deskAgents)
			checkCounters(t, pool, false)
			checkStops(t, pool, plan)
			t.Logf("killed after %d of %d webhooks stored, %d conversation(s) without their first message", before, len(plan), empty)
		})
	}
}

// inboundKeys returns the provider key of every inbound message stored.
func inboundKeys(t *testing.T, pool *pgxpool.Pool) []string {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT touchpoint || ' ' || sender || ' ' || provider_id FROM parley_messages WHERE direction = 'inbound'`)
	require.NoError(t, err)
	keys, err := pgx.CollectRows(rows, pgx.RowTo[string])
	require.NoError(t, err)
	return keys
}

// checkSlots checks with SQL that no slot has two open conversations.
func checkSlots(t assert.TestingT, pool *pgxpool.Pool) {
	var n int
	err := pool.QueryRow(context.Background(), `SELECT count(*) FROM (
		SELECT FROM parley_conversations WHERE status IN ('bot', 'queued', 'assigned')
		GROUP BY touchpoint, contact_id, interaction_id HAVING count(*) > 1) s`).Scan(&n)
	if assert.NoError(t, err) {
		assert.Zero(t, n, "slots with two open conversations")
	}
}

// checkCounters checks with SQL that every conversation says what its
// messages say: its unread count is its inbound messages (nobody reads
// them here), its last inbound and last message times are its messages'
// latest, its version counts at least one write per message, and it has
// a first message (unless started may be true: a process killed between
// starting a conversation and storing its first message). A write made
// from a stale copy, or a message stored without its conversation's
// update, breaks one of them.
func checkCounters(t *testing.T, pool *pgxpool.Pool, started bool) {
	t.Helper()
	rows, err := pool.Query(context.Background(), `
		SELECT c.id::text, c.unread, c.version, count(m.id) FILTER (WHERE m.direction = 'inbound'),
			c.last_inbound_at IS NOT DISTINCT FROM max(m.created_at) FILTER (WHERE m.direction = 'inbound'),
			c.last_message_at IS NOT DISTINCT FROM max(m.created_at)
		FROM parley_conversations c LEFT JOIN parley_messages m ON m.conversation_id = c.id
		GROUP BY c.id`)
	require.NoError(t, err)
	var (
		id                     string
		unread, version, recvd int
		lastIn, lastMsg        bool
	)
	_, err = pgx.ForEachRow(rows, []any{&id, &unread, &version, &recvd, &lastIn, &lastMsg}, func() error {
		if recvd == 0 && started {
			return nil
		}
		assert.Positive(t, recvd, "conversation %s has no message", id)
		assert.Equal(t, recvd, unread, "conversation %s: unread count against its inbound messages", id)
		assert.Greater(t, version, recvd, "conversation %s: version against its messages", id)
		assert.True(t, lastIn, "conversation %s: last inbound time is not its latest inbound message's", id)
		assert.True(t, lastMsg, "conversation %s: last message time is not its latest message's", id)
		return nil
	})
	require.NoError(t, err)
}

// checkStops checks that each contact who sent STOP is opted out by one
// entry of the consent ledger, and got one confirmation.
func checkStops(t *testing.T, pool *pgxpool.Pool, plan []webhook) {
	t.Helper()
	ctx := context.Background()
	for _, w := range plan {
		if w.text != "STOP" {
			continue
		}
		var entries, optedOut, replies int
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*), count(*) FILTER (WHERE action = 'opt-out')
			FROM parley_optout_entries WHERE address_id = $1`, w.from).Scan(&entries, &optedOut))
		assert.Equal(t, 1, entries, "%s: consent ledger entries", w.from)
		assert.Equal(t, 1, optedOut, "%s: opt-outs", w.from)
		require.NoError(t, pool.QueryRow(ctx, `SELECT count(*) FROM parley_messages m
			JOIN parley_conversations c ON c.id = m.conversation_id
			WHERE c.contact_id = $1 AND m.direction = 'outbound' AND m.author_kind = 'system'`,
			channel.Address{Kind: w.kind, ID: w.from}.String()).Scan(&replies))
		assert.Equal(t, 1, replies, "%s: confirmations of the STOP", w.from)
	}
}

// stats counts conversations, follow-ups, closed ones and those that
// reached an agent.
func stats(t *testing.T, pool *pgxpool.Pool) (convs, followUps, closed, assigned int) {
	t.Helper()
	require.NoError(t, pool.QueryRow(context.Background(), `SELECT count(*), count(previous),
		count(*) FILTER (WHERE status = 'closed'), count(assigned_at)
		FROM parley_conversations`).Scan(&convs, &followUps, &closed, &assigned))
	return convs, followUps, closed, assigned
}
