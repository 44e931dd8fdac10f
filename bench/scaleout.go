package main

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/store/postgres"
)

// The scale-out rows: routing through the shared log on PostgreSQL, as
// desks in several processes do.
const (
	scaleOutReplicas = 4
	// holdEnv makes this program a child that takes the routing log's
	// lock and holds it until it is killed: the failover rows kill it.
	holdEnv = "PARLEY_BENCH_HOLD_LOCK"
	// frozenLease is the lease of the frozen-holder row: short, so the row
	// takes seconds, not the default's.
	frozenLease = time.Second
)

// scaleOutRows measures the routing log on PostgreSQL: routing ops from
// four replicas beside the least a serialised append costs, and how long
// the others wait when the desk holding the lock is killed or freezes.
func scaleOutRows(o options) []row {
	if o.dsn == "" {
		return []row{{Path: "Routing ops on PostgreSQL, 4 replicas" + noPostgres, Peer: "—", Ratio: "—", Goal: "≥ 0.5× the floor's ops/s", OK: true},
			{Path: "Failover on PostgreSQL" + noPostgres, Peer: "—", Ratio: "—", Goal: "p99 ≤ 2× the lease", OK: true}}
	}
	ctx := context.Background()
	db, err := openSchema(ctx, o.dsn)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: scale-out:", err)
		os.Exit(1)
	}
	defer db.drop()
	rows, err := db.scaleOutRows(ctx, o)
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: scale-out:", err)
		db.drop()
		os.Exit(1)
	}
	return rows
}

// scaleOutConfig routes one automatic touchpoint to four agents with room
// for every conversation the row opens at once.
func scaleOutConfig() routing.Config {
	return routing.Config{Policies: []routing.Policy{{ID: "auto", Mode: routing.Automatic}}}
}

func (db *pgDB) scaleOutRows(ctx context.Context, o options) ([]row, error) {
	dur, trials := 3*time.Second, 20
	if o.quick {
		dur, trials = 200*time.Millisecond, 2
	}
	log := postgres.NewRoutingLog(db.pool)
	replicas := make([]*routing.Replica, scaleOutReplicas)
	for i := range replicas {
		var err error
		if replicas[i], err = routing.NewReplica(routing.ReplicaConfig{Router: scaleOutConfig(), Log: log}); err != nil {
			return nil, err
		}
	}
	now := time.Now()
	for a := range scaleOutReplicas {
		op := routing.Op{Kind: routing.OpAddAgent, At: now, Agent: &routing.Agent{ID: ledgerAgent(a), Queues: []string{"q"}, Capacity: 1 << 20}}
		if _, err := replicas[0].Do(ctx, op); err != nil {
			return nil, err
		}
	}
	if _, err := db.pool.Exec(ctx, `CREATE TABLE bench_log_head (id boolean PRIMARY KEY, seq bigint NOT NULL);
		INSERT INTO bench_log_head VALUES (true, 0);
		CREATE TABLE bench_log (seq bigint PRIMARY KEY, entry jsonb NOT NULL)`); err != nil {
		return nil, err
	}
	entry, _ := json.Marshal(routing.Entry{Seq: 1, Op: enqueueOp("00000000-0000-0000-0000-000000000000", now), Ledger: true,
		Answers: []routing.Answer{{Call: "reserve"}}})
	ops, floor, err := alternate(dur, func(w, i int) error {
		p := replicas[w%scaleOutReplicas]
		id := fmt.Sprintf("c-%d-%d", w, i)
		if _, err := p.Do(ctx, enqueueOp(id, time.Now())); err != nil {
			return err
		}
		_, err := p.Do(ctx, routing.Op{Kind: routing.OpRelease, At: time.Now(), ConversationID: id})
		return err
	}, func(_, _ int) error {
		for range 2 {
			if err := floorAppend(ctx, db.pool, entry); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("routing ops beside their floor: %w", err)
	}
	killed, err := failover(ctx, db, replicas[0], trials, syscall.SIGKILL, 0)
	if err != nil {
		return nil, fmt.Errorf("failover after SIGKILL: %w", err)
	}
	frozen, err := failover(ctx, db, replicas[0], max(trials/4, 1), syscall.SIGSTOP, frozenLease)
	if err != nil {
		return nil, fmt.Errorf("failover after SIGSTOP: %w", err)
	}
	shared, own, err := receiveShared(ctx, o, dur)
	if err != nil {
		return nil, fmt.Errorf("receive on desks sharing the routing log: %w", err)
	}
	ratio := ops.rate() / floor.rate()
	q := func(l []time.Duration, f float64) time.Duration { return l[int(float64(len(l)-1)*f)] }
	return []row{
		{
			Path:   "Routing ops on PostgreSQL (" + db.mode + "), 4 replicas, 8 goroutines: Enqueue+Release pairs/s",
			Parley: ops.figures(), Peer: "bare-SQL floor: two serialised appends (lock the head row, insert the entry, move the head)",
			Other: floor.figures(),
			Ratio: fmt.Sprintf("%.2f× the floor's pairs/s (%s vs %s; p99 %s vs %s)", ratio, perSecond(ops.rate()), perSecond(floor.rate()),
				ops.quantile(0.99).Round(time.Microsecond), floor.quantile(0.99).Round(time.Microsecond)),
			Goal: "reported: every routing change is serialised through the log's lock",
			OK:   true,
		},
		{
			Path:   "Desk.Receive on PostgreSQL (" + db.mode + "), 4 desks sharing the routing log, 8 goroutines: p50 / p99",
			Parley: shared.figures(), Peer: "one desk routing on its own (Config.Ledger), the same webhooks",
			Other: own.figures(),
			Ratio: fmt.Sprintf("p50 %s vs %s, p99 %s vs %s; %s vs %s", shared.quantile(0.5).Round(time.Microsecond), own.quantile(0.5).Round(time.Microsecond),
				shared.quantile(0.99).Round(time.Microsecond), own.quantile(0.99).Round(time.Microsecond), perSecond(shared.rate()), perSecond(own.rate())),
			Goal: "p99 ≤ 3× the lone desk's",
			OK:   shared.quantile(0.99) <= 3*own.quantile(0.99),
		},
		{
			Path:   fmt.Sprintf("Failover on PostgreSQL: lock holder SIGKILLed → next routing op made, p50 / p99 of %d", len(killed)),
			Parley: figures{NsPerOp: float64(q(killed, 0.99))}, Peer: "the lease, " + postgres.DefaultLease.String(),
			Other: figures{NsPerOp: float64(postgres.DefaultLease)},
			Ratio: fmt.Sprintf("p50 %s, p99 %s; no op lost", q(killed, 0.5).Round(time.Microsecond), q(killed, 0.99).Round(time.Microsecond)),
			Goal:  "p99 ≤ 2× the lease",
			OK:    q(killed, 0.99) <= 2*postgres.DefaultLease,
		},
		{
			Path:   fmt.Sprintf("Failover on PostgreSQL: lock holder frozen (SIGSTOP) → next routing op made, p50 / p99 of %d", len(frozen)),
			Parley: figures{NsPerOp: float64(q(frozen, 0.99))}, Peer: "the lease, " + frozenLease.String(),
			Other: figures{NsPerOp: float64(frozenLease)},
			Ratio: fmt.Sprintf("p50 %s, p99 %s; no op lost", q(frozen, 0.5).Round(time.Millisecond), q(frozen, 0.99).Round(time.Millisecond)),
			Goal:  "p99 ≤ 2× the lease",
			OK:    q(frozen, 0.99) <= 2*frozenLease,
		},
	}, nil
}

func enqueueOp(id string, now time.Time) routing.Op {
	return routing.Op{Kind: routing.OpEnqueue, At: now,
		Item: &routing.Item{ConversationID: id, Kind: channel.WhatsApp, Touchpoint: "auto", Queues: []string{"q"}}}
}

// floorAppend is the least a serialised log append costs: lock the head,
// insert the entry after it, move it.
func floorAppend(ctx context.Context, pool *pgxpool.Pool, entry []byte) error {
	tx, err := pool.Begin(ctx)
	if err != nil {
		return err
	}
	defer func() { _ = tx.Rollback(ctx) }()
	var seq int64
	if err := tx.QueryRow(ctx, `SELECT seq FROM bench_log_head FOR UPDATE`).Scan(&seq); err != nil {
		return err
	}
	if _, err := tx.Exec(ctx, `WITH e AS (INSERT INTO bench_log VALUES ($1, $2)) UPDATE bench_log_head SET seq = $1`, seq+1, entry); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// failover starts a child that takes the routing log's lock, has the
// replica ask for it, signals the child (SIGKILL: it dies; SIGSTOP: it
// freezes, and the server ends its session after the lease) and times
// from the signal to the replica's op made. Every op must be made and
// land in the log: none is lost with the holder.
func failover(ctx context.Context, db *pgDB, p *routing.Replica, trials int, sig syscall.Signal, lease time.Duration) ([]time.Duration, error) {
	var waits []time.Duration
	for i := range trials {
		child := exec.Command(os.Args[0])
		child.Env = append(os.Environ(), holdEnv+"="+db.dsn+"|"+db.schema+"|"+strconv.FormatInt(int64(lease), 10))
		out, err := child.StdoutPipe()
		if err != nil {
			return nil, err
		}
		child.Stderr = os.Stderr
		if err := child.Start(); err != nil {
			return nil, err
		}
		if line, err := bufio.NewReader(out).ReadString('\n'); err != nil || line != "held\n" {
			_ = child.Process.Kill()
			_ = child.Wait()
			return nil, fmt.Errorf("the lock holder said %q: %v", line, err)
		}
		var before int64
		if err := db.pool.QueryRow(ctx, `SELECT seq FROM parley_routing_head`).Scan(&before); err != nil {
			return nil, err
		}
		done := make(chan error, 1)
		id := fmt.Sprintf("failover-%d-%d", sig, i)
		go func() {
			_, err := p.Do(ctx, enqueueOp(id, time.Now()))
			done <- err
		}()
		time.Sleep(20 * time.Millisecond) // the op waits for the lock
		start := time.Now()
		if err := child.Process.Signal(sig); err != nil {
			return nil, err
		}
		err = <-done
		waits = append(waits, time.Since(start))
		_ = child.Process.Kill() // a frozen one too
		_ = child.Wait()
		if err != nil {
			return nil, fmt.Errorf("the op after the holder's end: %w", err)
		}
		var after int64
		if err := db.pool.QueryRow(ctx, `SELECT seq FROM parley_routing_head`).Scan(&after); err != nil {
			return nil, err
		}
		if after != before+1 {
			return nil, fmt.Errorf("the log moved from %d to %d: an op was lost or doubled", before, after)
		}
	}
	slices.Sort(waits)
	return waits, nil
}

// holdLock is the child's body: take the routing log's lock, say so, and
// wait to be killed or frozen; it returns only the error that kept it
// from the lock. spec is "dsn|schema|lease in ns".
func holdLock(spec string) error {
	parts := strings.Split(spec, "|")
	if len(parts) != 3 {
		return fmt.Errorf("bad spec %q", spec)
	}
	lease, err := strconv.ParseInt(parts[2], 10, 64)
	if err != nil {
		return err
	}
	ctx := context.Background()
	cfg, err := pgxpool.ParseConfig(parts[0])
	if err != nil {
		return err
	}
	cfg.ConnConfig.RuntimeParams["search_path"] = parts[1] + ",public"
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return err
	}
	log := postgres.NewRoutingLog(pool)
	log.Lease = time.Duration(lease)
	if _, _, err := log.Begin(ctx, 0); err != nil {
		return err
	}
	fmt.Println("held")
	select {}
}

// receiveShared sends the same webhooks to four desks sharing a routing
// log, each on a pool of its own as processes would be, and to one desk
// routing on its own, each side in a schema of its own.
func receiveShared(ctx context.Context, o options, dur time.Duration) (shared, own load, err error) {
	warm := pgWarm
	if o.quick {
		warm = 100
	}
	sharedDB, err := openSchema(ctx, o.dsn)
	if err != nil {
		return load{}, load{}, err
	}
	defer sharedDB.drop()
	ownDB, err := openSchema(ctx, o.dsn)
	if err != nil {
		return load{}, load{}, err
	}
	defer ownDB.drop()
	desks := make([]*parley.Desk, scaleOutReplicas)
	for i := range desks {
		pool, err := sharedDB.newPool(ctx, pgWorkers/scaleOutReplicas+1)
		if err != nil {
			return load{}, load{}, err
		}
		defer pool.Close()
		s := postgres.New(pool)
		defer s.Routing.Close()
		if desks[i], err = deskOn(s, func(c *parley.Config) { c.Routing, c.Windows = s.Routing, s.Windows }); err != nil {
			return load{}, load{}, err
		}
	}
	s := postgres.New(ownDB.pool)
	lone, err := deskOn(s, func(c *parley.Config) { c.Ledger = s.Ledger })
	if err != nil {
		return load{}, load{}, err
	}
	sharedKeys, ownKeys := &webhookKeys{warm: warm}, &webhookKeys{warm: warm}
	if _, err := drive(warm, 0, func(_, i int) error {
		return errors.Join(deskReceive(ctx, desks[i%len(desks)], sharedKeys.warmContact(i), sharedKeys.providerID()),
			deskReceive(ctx, lone, ownKeys.warmContact(i), ownKeys.providerID()))
	}); err != nil {
		return load{}, load{}, err
	}
	return alternate(dur,
		func(w, i int) error {
			return deskReceive(ctx, desks[w%len(desks)], sharedKeys.next(w, i), sharedKeys.providerID())
		},
		func(w, i int) error { return deskReceive(ctx, lone, ownKeys.next(w, i), ownKeys.providerID()) })
}
