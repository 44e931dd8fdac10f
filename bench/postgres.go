package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	mrand "math/rand/v2"
	"os"
	"runtime"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/google/uuid"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/store/postgres"
)

// pgWorkers is how many goroutines send webhooks or reserve capacity at
// once, as a busy host's HTTP handlers would.
const pgWorkers = 8

// Key distribution of the webhook rows: pgWarm contacts with an open
// conversation receive the follow-ups; one message in pgNewEvery comes
// from a contact never seen, which starts a conversation.
const (
	pgWarm     = 2000
	pgNewEvery = 10
)

// noPostgres is what the PostgreSQL rows say when no server is given.
const noPostgres = " (no PostgreSQL: set PARLEY_TEST_DSN)"

// postgresRows measures Desk.Receive and the capacity ledger on the
// PostgreSQL stores beside bare-SQL floors run on the same server, tables
// and goroutines in the same run. Each call works in a schema of its own,
// dropped at the end. Without a server the rows say so and pass.
func postgresRows(o options) []row {
	if o.dsn == "" {
		return []row{
			{Path: "Desk.Receive on PostgreSQL, 8 goroutines" + noPostgres, Peer: "—", Ratio: "—", Goal: "≥ 0.6× the floor's messages/s, p99 ≤ 3× the floor's", OK: true},
			{Path: "Ledger Reserve+Release on PostgreSQL, 8 goroutines" + noPostgres, Peer: "—", Ratio: "—", Goal: "≥ 0.6× the floor's pairs/s", OK: true},
		}
	}
	ctx := context.Background()
	db, err := openSchema(ctx, o.dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: postgres:", err)
		os.Exit(1)
	}
	defer db.drop()
	rows, err := db.rows(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: postgres:", err)
		db.drop()
		os.Exit(1)
	}
	return rows
}

// pgDB is a migrated schema of its own on the server.
type pgDB struct {
	admin  *pgxpool.Pool
	pool   *pgxpool.Pool
	schema string
	dsn    string
	mode   string // "fsync off" or "fsync on"
	once   sync.Once
}

// openSchema creates a fresh schema, migrates it and returns a pool of
// pgWorkers connections that use it (then public, for pg_trgm).
func openSchema(ctx context.Context, dsn string) (*pgDB, error) {
	admin, err := pgxpool.New(ctx, dsn)
	if err != nil {
		return nil, err
	}
	var fsync string
	if err := admin.QueryRow(ctx, `SHOW fsync`).Scan(&fsync); err != nil {
		admin.Close()
		return nil, err
	}
	b := make([]byte, 6)
	_, _ = rand.Read(b)
	db := &pgDB{admin: admin, schema: "parley_bench_" + hex.EncodeToString(b), mode: "fsync " + fsync}
	if _, err := admin.Exec(ctx, `CREATE SCHEMA `+db.schema); err != nil {
		admin.Close()
		return nil, err
	}
	db.dsn = dsn
	if db.pool, err = db.newPool(ctx, pgWorkers); err != nil {
		db.drop()
		return nil, err
	}
	if err := postgres.Migrate(ctx, db.pool); err != nil {
		db.drop()
		return nil, err
	}
	return db, nil
}

// newPool returns a pool of n connections that use the schema (then
// public, for pg_trgm); the caller closes it.
func (db *pgDB) newPool(ctx context.Context, n int32) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(db.dsn)
	if err != nil {
		return nil, err
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = db.schema + ",public"
	cfg.MaxConns, cfg.MinConns = n, n
	return pgxpool.NewWithConfig(ctx, cfg)
}

// drop removes the schema and closes the pools; it runs once.
func (db *pgDB) drop() {
	db.once.Do(func() {
		if db.pool != nil {
			db.pool.Close()
		}
		if _, err := db.admin.Exec(context.Background(), `DROP SCHEMA `+db.schema+` CASCADE`); err != nil {
			fmt.Fprintln(os.Stderr, "bench: postgres: drop schema:", err)
		}
		db.admin.Close()
	})
}

func (db *pgDB) rows(ctx context.Context, o options) ([]row, error) {
	dur, warm := 3*time.Second, pgWarm
	if o.quick {
		dur, warm = 200*time.Millisecond, 100
	}
	d, err := db.desk()
	if err != nil {
		return nil, err
	}
	keys := &webhookKeys{warm: warm}
	// The warm contacts' conversations are opened first, on both sides.
	if _, err := drive(warm, 0, func(_, i int) error { return deskReceive(ctx, d, keys.warmContact(i), keys.providerID()) }); err != nil {
		return nil, err
	}
	if err := db.openFloorConversations(ctx, warm); err != nil {
		return nil, err
	}
	floorKeys := &webhookKeys{warm: warm}
	recv, floor, err := alternate(dur,
		func(w, i int) error { return deskReceive(ctx, d, keys.next(w, i), keys.providerID()) },
		func(w, i int) error { return db.floorReceive(ctx, floorKeys.next(w, i), keys.providerID()) })
	if err != nil {
		return nil, fmt.Errorf("receive beside its floor: %w", err)
	}

	if err := db.floorAgents(ctx); err != nil {
		return nil, err
	}
	l := postgres.New(db.pool).Ledger
	reserve, update, err := alternate(dur, func(w, i int) error {
		conv := "c-" + strconv.Itoa(w) + "-" + strconv.Itoa(i)
		if err := l.Reserve(ctx, ledgerAgent(w), conv, 1, 1<<30); err != nil {
			return err
		}
		_, err := l.Release(ctx, conv)
		return err
	}, func(w, _ int) error { return db.floorReserve(ctx, ledgerAgent(w)) })
	if err != nil {
		return nil, fmt.Errorf("capacity ledger beside its floor: %w", err)
	}

	tput, p99 := recv.rate()/floor.rate(), float64(recv.quantile(0.99))/float64(floor.quantile(0.99))
	lt := reserve.rate() / update.rate()
	return []row{
		{
			Path:   "Desk.Receive on PostgreSQL (" + db.mode + "), 8 goroutines: messages/s",
			Parley: recv.figures(), Peer: "bare-SQL floor: lock the open conversation, insert the message, bump its version",
			Other: floor.figures(),
			Ratio: fmt.Sprintf("%.2f× the floor's msg/s (%s vs %s)", tput, perSecond(recv.rate()), perSecond(floor.rate())),
			Goal:  "≥ 0.6× the floor's messages/s",
			OK:    tput >= 0.6,
		},
		{
			Path:   "Desk.Receive on PostgreSQL (" + db.mode + "), 8 goroutines: p50 latency",
			Parley: figures{NsPerOp: float64(recv.quantile(0.5))}, Peer: "the same floor", Other: figures{NsPerOp: float64(floor.quantile(0.5))},
			Ratio: fmt.Sprintf("%.2f× the floor's p50", float64(recv.quantile(0.5))/float64(floor.quantile(0.5))),
			Goal:  "reported", OK: true,
		},
		{
			Path:   "Desk.Receive on PostgreSQL (" + db.mode + "), 8 goroutines: p99 latency",
			Parley: figures{NsPerOp: float64(recv.quantile(0.99))}, Peer: "the same floor", Other: figures{NsPerOp: float64(floor.quantile(0.99))},
			Ratio: fmt.Sprintf("%.2f× the floor's p99", p99),
			Goal:  "≤ 3× the floor's p99",
			OK:    p99 <= 3,
		},
		{
			Path:   "Ledger Reserve+Release on PostgreSQL (" + db.mode + "), 8 goroutines on 4 agents: pairs/s",
			Parley: reserve.figures(), Peer: "bare-SQL floor: conditional UPDATE of the load, then the release UPDATE",
			Other: update.figures(),
			Ratio: fmt.Sprintf("%.2f× the floor's pairs/s (%s vs %s; p99 %s vs %s)", lt, perSecond(reserve.rate()), perSecond(update.rate()),
				reserve.quantile(0.99).Round(time.Microsecond), update.quantile(0.99).Round(time.Microsecond)),
			Goal: "≥ 0.6× the floor's pairs/s",
			OK:   lt >= 0.6,
		},
	}, nil
}

func perSecond(v float64) string { return fmt.Sprintf("%.0f/s", v) }

// desk returns a desk on the schema's stores: one WhatsApp touchpoint,
// four agents whose capacity the ledger shares.
func (db *pgDB) desk() (*parley.Desk, error) {
	s := postgres.New(db.pool)
	return deskOn(s, func(c *parley.Config) { c.Ledger = s.Ledger })
}

// deskOn returns the rows' desk on s, wired by wire: one WhatsApp
// touchpoint, four agents with room for every conversation.
func deskOn(s *postgres.Stores, wire func(*parley.Config)) (*parley.Desk, error) {
	agents := make([]routing.Agent, 4)
	for i := range agents {
		agents[i] = routing.Agent{ID: "agent-" + strconv.Itoa(i), Queues: []string{"support"}, Capacity: 1 << 30}
	}
	cfg := parley.Config{
		Transport:     parleytest.NewTransport(),
		Touchpoints:   []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}}},
		Agents:        agents,
		Conversations: s.Conversations,
		OptOuts:       s.OptOuts,
	}
	wire(&cfg)
	return parley.New(cfg)
}

// webhookKeys is the key distribution both webhook sides follow: worker w
// draws its contacts from a generator seeded by w, so the desk and the
// floor see the same sequence of contacts.
type webhookKeys struct {
	warm int
	rngs [pgWorkers]*mrand.Rand
	news [pgWorkers]int
	// seq numbers the messages of the schema, so that no two share a
	// provider ID (a shared one would be a provider retry).
	seq atomic.Int64
}

// providerID is a provider ID no other message of the schema has.
func (k *webhookKeys) providerID() string { return providerID(int(k.seq.Add(1))) }

// warmContact is the number of warm contact i.
func (k *webhookKeys) warmContact(i int) string {
	return fmt.Sprintf("+1415556%04d", i%k.warm)
}

// next is worker w's contact for its op i: a warm one, or one in
// pgNewEvery a number never seen in this schema.
func (k *webhookKeys) next(w, i int) string {
	if i == 0 {
		k.rngs[w], k.news[w] = mrand.New(mrand.NewPCG(uint64(w), 18)), 0
	}
	r := k.rngs[w]
	if r.IntN(pgNewEvery) == 0 {
		k.news[w]++
		return fmt.Sprintf("+1416%d%06d", w+2, k.news[w]%1_000_000)
	}
	return k.warmContact(r.IntN(k.warm))
}

// deskReceive is one inbound WhatsApp message from number.
func deskReceive(ctx context.Context, d *parley.Desk, number, provider string) error {
	_, err := d.Receive(ctx, parley.Inbound{Touchpoint: "wa", From: channel.Address{Kind: channel.WhatsApp, ID: number},
		ProviderID: provider, Text: "Where is my order?"})
	return err
}

// floorTouchpoint keeps the floor's rows apart from the desk's in the
// same tables.
const floorTouchpoint = "floor"

// openFloorConversations opens the warm contacts' conversations of the
// floor, straight in the table.
func (db *pgDB) openFloorConversations(ctx context.Context, warm int) error {
	for i := range warm {
		if _, err := db.floorOpen(ctx, db.pool, fmt.Sprintf("+1415556%04d", i)); err != nil {
			return err
		}
	}
	return nil
}

// floorOpen inserts an open conversation for number with the columns the
// table requires and returns its ID.
func (db *pgDB) floorOpen(ctx context.Context, q execer, number string) (pgtype.UUID, error) {
	id := pgtype.UUID{Bytes: uuid.Must(uuid.NewV7()), Valid: true}
	_, err := q.Exec(ctx, `INSERT INTO parley_conversations (id, version, touchpoint, channel, direction, status,
		assign_mode, bot_paused, contact_id, contact_name, contact_locale, contact_anonymous, interaction_id,
		subject, assignee_id, priority, unread, closing_note, disposition, created_at,
		search_name, search_addresses, search_text)
		VALUES ($1, 1, $2, 'whatsapp', 'inbound', 'queued', 'auto', false, $3, '', '', false, '',
		'', '', 0, 0, '', '', now(), '', '{}', '')`, id, floorTouchpoint, "whatsapp:"+number)
	return id, err
}

// execer is a pool or a transaction.
type execer interface {
	Exec(ctx context.Context, sql string, args ...any) (pgconn.CommandTag, error)
}

// floorReceive is the least a webhook needs, by hand, in one
// transaction: lock the slot's open conversation (open one if there is
// none), insert the message, bump the conversation's version.
func (db *pgDB) floorReceive(ctx context.Context, number, provider string) error {
	contact := "whatsapp:" + number
	return pgx.BeginFunc(ctx, db.pool, func(tx pgx.Tx) error {
		var id pgtype.UUID
		err := tx.QueryRow(ctx, `SELECT id FROM parley_conversations
			WHERE touchpoint = $1 AND contact_id = $2 AND interaction_id = ''
			AND status IN ('bot', 'queued', 'assigned') FOR UPDATE`, floorTouchpoint, contact).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			id, err = db.floorOpen(ctx, tx, number)
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `INSERT INTO parley_messages (id, conversation_id, touchpoint, sender, direction,
			internal, imported, notice, author_kind, author_id, text, provider_id, delivery_status,
			delivery_reason, delivery_code, created_at)
			VALUES ($1, $2, $3, $4, 'inbound', false, false, 'none', 'contact', '', $5, $6, 'none', '', '', now())`,
			pgtype.UUID{Bytes: uuid.Must(uuid.NewV7()), Valid: true}, id, floorTouchpoint, contact,
			"Where is my order?", provider); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE parley_conversations SET version = version + 1 WHERE id = $1`, id)
		return err
	})
}

// ledgerAgent is worker w's agent: two workers charge each of four.
func ledgerAgent(w int) string { return "agent-" + strconv.Itoa(w%4) }

// floorAgents gives the floor's agents their load rows.
func (db *pgDB) floorAgents(ctx context.Context) error {
	for a := range 4 {
		if _, err := db.pool.Exec(ctx, `INSERT INTO parley_agent_loads (agent_id) VALUES ($1) ON CONFLICT DO NOTHING`, "floor-"+ledgerAgent(a)); err != nil {
			return err
		}
	}
	return nil
}

// floorReserve is the least a reservation and its release can be: one
// conditional UPDATE that charges the load within capacity, and one that
// takes it off, with no reservation recorded.
func (db *pgDB) floorReserve(ctx context.Context, agent string) error {
	agent = "floor-" + agent
	tag, err := db.pool.Exec(ctx, `UPDATE parley_agent_loads SET load = load + $2 WHERE agent_id = $1 AND load + $2 <= $3`, agent, 1, 1<<30)
	if err != nil {
		return err
	}
	if tag.RowsAffected() != 1 {
		return fmt.Errorf("charge of %s refused", agent)
	}
	_, err = db.pool.Exec(ctx, `UPDATE parley_agent_loads SET load = load - $2 WHERE agent_id = $1`, agent, 1)
	return err
}

// load is what drive measured: operations, wall time, latencies and the
// process's allocations while it ran.
type load struct {
	ops           int
	elapsed       time.Duration
	lats          []time.Duration // sorted
	bytes, allocs uint64
}

// rate is operations per second, all workers together.
func (l load) rate() float64 { return float64(l.ops) / l.elapsed.Seconds() }

// quantile is the latency q of the way up, 0.5 for the median.
func (l load) quantile(q float64) time.Duration { return l.lats[int(float64(len(l.lats)-1)*q)] }

// figures are the table's: wall time per operation (the inverse of the
// rate), and the client's bytes and allocations per operation.
func (l load) figures() figures {
	return figures{
		NsPerOp:     float64(l.elapsed.Nanoseconds()) / float64(l.ops),
		BytesPerOp:  int64(l.bytes) / int64(l.ops),
		AllocsPerOp: int64(l.allocs) / int64(l.ops),
	}
}

// add is l and m measured as one.
func (l load) add(m load) load {
	lats := slices.Concat(l.lats, m.lats)
	slices.Sort(lats)
	return load{ops: l.ops + m.ops, elapsed: l.elapsed + m.elapsed, lats: lats, bytes: l.bytes + m.bytes, allocs: l.allocs + m.allocs}
}

// pgSlices is how many turns each side of a comparison gets: the sides
// alternate, so that a burst of other work on the machine, which would
// spoil whichever side ran alone through it, falls on both.
const pgSlices = 6

// alternate runs a and b for dur each, in pgSlices turns of each.
func alternate(dur time.Duration, a, b func(w, i int) error) (la, lb load, err error) {
	var next [2][pgWorkers]int
	for range pgSlices {
		for side, op := range []func(w, i int) error{a, b} {
			l, err := drive(0, dur/pgSlices, func(w, _ int) error {
				i := next[side][w]
				next[side][w]++
				return op(w, i)
			})
			if err != nil {
				return load{}, load{}, err
			}
			if side == 0 {
				la = la.add(l)
			} else {
				lb = lb.add(l)
			}
		}
	}
	return la, lb, nil
}

// drive runs op on pgWorkers goroutines: n operations in all when n > 0,
// else each worker for dur. Worker w's operations are numbered 0, 1, 2 …
// (with n, they share one count).
func drive(n int, dur time.Duration, op func(w, i int) error) (load, error) {
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		next int
		lats [pgWorkers][]time.Duration
		errs [pgWorkers]error
		m0   runtime.MemStats
		m1   runtime.MemStats
	)
	take := func(own int) (int, bool) {
		if n == 0 {
			return own, true
		}
		mu.Lock()
		defer mu.Unlock()
		next++
		return next - 1, next <= n
	}
	runtime.ReadMemStats(&m0)
	start := time.Now()
	for w := range pgWorkers {
		wg.Go(func() {
			lat := make([]time.Duration, 0, 1024)
			for own := 0; n > 0 || time.Since(start) < dur; own++ {
				i, ok := take(own)
				if !ok {
					break
				}
				t := time.Now()
				if err := op(w, i); err != nil {
					errs[w] = err
					return
				}
				lat = append(lat, time.Since(t))
			}
			lats[w] = lat
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	runtime.ReadMemStats(&m1)
	if err := errors.Join(errs[:]...); err != nil {
		return load{}, err
	}
	all := slices.Concat(lats[:]...)
	slices.Sort(all)
	if len(all) == 0 {
		return load{}, errors.New("no operation finished")
	}
	return load{ops: len(all), elapsed: elapsed, lats: all, bytes: m1.TotalAlloc - m0.TotalAlloc, allocs: m1.Mallocs - m0.Mallocs}, nil
}
