package routing

import (
	"cmp"
	"context"
	"errors"
	"sync"
	"time"
)

// Log is the ordered record of the ops made by every router that shares
// one storage: desks in several processes, or one desk restarted. A
// [Replica] appends its ops under the log's lock and makes, before each,
// the ops the others appended; a new or restarted replica starts from the
// newest snapshot and the entries after it. package memory has the
// in-process Log; store/postgres the one shared between processes.
type Log interface {
	// Begin starts one change: it waits for the log's lock and holds it
	// until Commit or Rollback, so that one replica at a time appends,
	// whichever process it is in, and returns what a replica at position
	// after lacks, read under the lock.
	Begin(ctx context.Context, after uint64) (LogTx, Catchup, error)
	// Read returns what a replica at position after lacks, without the
	// lock: for reads that need not wait for a change in progress.
	Read(ctx context.Context, after uint64) (Catchup, error)
}

// LogTx is one change to a [Log], holding its lock.
type LogTx interface {
	// Ledger is where this change reserves capacity, committed or rolled
	// back with it; nil leaves capacity to the routers' own memory.
	Ledger() Ledger
	// Append adds e, whose Seq follows the last entry's. A log may check
	// and write it only at Commit, which then fails for it.
	Append(ctx context.Context, e Entry) error
	// SaveSnapshot keeps s as the state at position seq, an entry this
	// change appended; the log may then forget the entries up to seq.
	SaveSnapshot(ctx context.Context, seq uint64, s Snapshot) error
	// Commit makes the change's entries and reservations visible and
	// releases the lock; Rollback drops them and releases it, and does
	// nothing once the change has committed.
	Commit(ctx context.Context) error
	Rollback(ctx context.Context) error
}

// Entry is one op in a [Log], at position Seq (the first is 1).
type Entry struct {
	Seq uint64
	Op  Op
	// Answers are what the Ledger answered the op, in order: a replay is
	// given the same answers rather than asking again.
	Answers []Answer `json:",omitempty"`
	// Ledger: the op was made with the log's Ledger, Answers its answers.
	Ledger bool `json:",omitempty"`
	// Failed: the op returned an error (after reserving or releasing
	// something), which its replay must return too.
	Failed bool `json:",omitempty"`
}

// Answer is one Ledger call and its outcome, as an [Entry] keeps it.
type Answer struct {
	// Call is "reserve", "release" or "load", for Agent or Conversation:
	// a replay that asks about another has decided otherwise.
	Call         string
	Agent        string `json:",omitempty"`
	Conversation string `json:",omitempty"`
	// Refused is "over_capacity" or "already_reserved" for a refused
	// Reserve, any other failure's text after "error: ", or empty.
	Refused string `json:",omitempty"`
	// N is what Release or Load returned.
	N int `json:",omitempty"`
}

// Catchup is what a replica must make to be current.
type Catchup struct {
	// Snapshot, when set, is the state at position SnapshotSeq: the log no
	// longer keeps every entry after the one asked for, so the replica
	// starts again from it.
	Snapshot    *Snapshot
	SnapshotSeq uint64
	// Entries follow, in order, the position asked for or SnapshotSeq.
	Entries []Entry
}

// DefaultSnapshotEvery is how many entries a replica appends between
// snapshots when ReplicaConfig.SnapshotEvery is zero.
const DefaultSnapshotEvery = 1000

// ReplicaConfig describes a [Replica].
type ReplicaConfig struct {
	// Router is every replica's router configuration, the same on each:
	// touchpoint policies, strategies, drain grace, offline rule, trace.
	// Agents come from the log (add them with an OpAddAgent), and capacity
	// is reserved through the log's Ledger, so Agents and Ledger must be
	// empty.
	Router Config
	// Log is the shared log.
	Log Log
	// SnapshotEvery is how many entries go between snapshots;
	// zero means DefaultSnapshotEvery.
	SnapshotEvery int
}

// Replica is a [Router] kept in step with every other replica of the same
// [Log], so that desks in many processes, and a desk after a restart,
// route as one: the same agents and presence, the same offers and
// deadlines, one waiting order.
//
// Each change takes the log's lock, makes the entries other replicas
// appended since this one's last, then makes the change and appends it,
// all before releasing the lock. The router is deterministic — the same
// state and op give the same decisions, the Ledger's answers being
// recorded — so every replica holds the same state after the same
// entries. A host's own Strategy must be deterministic too (a function
// of the candidates, as the built-in ones are) for this to hold. A
// replay that asks the Ledger about another agent or conversation than
// the entry recorded, or fails where it did not, has decided otherwise:
// the replica then refuses to go on (ErrInternal) rather than route from
// another state.
type Replica struct {
	cfg   Config
	log   Log
	every uint64

	mu    sync.Mutex
	r     *Router
	seq   uint64 // the last entry r has made
	stale bool   // r may differ from the log: rebuild before use
}

// NewReplica returns a replica of cfg.Log. It reads nothing yet: the
// first call catches up. It refuses a configuration New refuses, a nil
// Log, or Agents or a Ledger in the router's Config (ErrInvalid).
func NewReplica(cfg ReplicaConfig) (*Replica, error) {
	switch {
	case cfg.Log == nil:
		return nil, invalidf("replica without a log")
	case len(cfg.Router.Agents) > 0:
		return nil, invalidf("replica with agents in its config: add them through the log")
	case cfg.Router.Ledger != nil:
		return nil, invalidf("replica with its own ledger: it reserves through the log's")
	case cfg.SnapshotEvery < 0:
		return nil, invalidf("negative snapshot interval %d", cfg.SnapshotEvery)
	}
	r, err := New(cfg.Router)
	if err != nil {
		return nil, err
	}
	every := uint64(cfg.SnapshotEvery)
	if every == 0 {
		every = DefaultSnapshotEvery
	}
	return &Replica{cfg: cfg.Router, log: cfg.Log, every: every, r: r, stale: true}, nil
}

// Do makes op on every replica: here at once, elsewhere at their next
// call. It returns op's decisions and error as Router.Apply does; an
// error from the log (or its Ledger) means op was not made anywhere.
func (p *Replica) Do(ctx context.Context, op Op) ([]Decision, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tx, err := p.begin(ctx)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	decs, opErr, appended, err := p.make(ctx, tx, op)
	if err != nil || !appended {
		return decs, cmp.Or(err, opErr)
	}
	if err := tx.Commit(ctx); err != nil {
		return nil, err
	}
	p.stale = false
	return decs, opErr
}

// make makes op on the router and appends it to tx, reporting whether it
// did: an op refused before it touched anything is not recorded. The
// router is then ahead of the log until tx commits: the caller clears
// p.stale once it has.
func (p *Replica) make(ctx context.Context, tx LogTx, op Op) (decs []Decision, opErr error, appended bool, err error) {
	// Every replica but this one reads op back from the log, where its
	// instants have no monotonic clock reading: decide by the wall clock
	// here too, or a clock step makes the replays differ.
	op = op.wall()
	var rec *recorder
	p.r.ledger = nil
	if ledger := tx.Ledger(); ledger != nil {
		rec = &recorder{inner: ledger}
		p.r.ledger = rec
	}
	p.r.trace = p.cfg.Trace
	decs, opErr = p.r.Apply(ctx, op)
	p.r.ledger = nil
	e := Entry{Seq: p.seq + 1, Op: op, Ledger: rec != nil, Failed: opErr != nil}
	if rec != nil {
		e.Answers = rec.answers
	}
	if opErr != nil && len(e.Answers) == 0 {
		// Refused before touching anything: there is nothing to record.
		return decs, opErr, false, nil
	}
	p.stale = true // until the entry is committed, r is ahead of the log
	if err := tx.Append(ctx, e); err != nil {
		return nil, nil, false, err
	}
	p.seq = e.Seq
	if e.Seq%p.every == 0 {
		if err := tx.SaveSnapshot(ctx, e.Seq, p.r.Snapshot()); err != nil {
			return nil, nil, false, err
		}
	}
	return decs, opErr, true, nil
}

// Seed makes an OpAddAgent for each of agents at now, in one change, if
// and only if the log is new (no entry, no snapshot): a desk's configured
// agents join the first time any desk starts, and never again, so an
// agent removed since is not brought back by the next desk to start. It
// reports whether it seeded.
func (p *Replica) Seed(ctx context.Context, agents []Agent, now time.Time) (bool, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	tx, err := p.begin(ctx)
	if err != nil {
		return false, err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if p.seq != 0 || len(agents) == 0 {
		return false, nil
	}
	for _, a := range agents {
		if _, opErr, _, err := p.make(ctx, tx, Op{Kind: OpAddAgent, At: now, Agent: &a}); err != nil || opErr != nil {
			p.stale = true
			return false, cmp.Or(err, opErr)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return false, err
	}
	p.stale = false
	return true, nil
}

// Checkpoint saves a snapshot of the log's state as of its last entry, so
// that a replica started afterwards replays nothing. Routing configuration
// (touchpoints' policies, strategies) is not in the log: a desk started
// with another one must not replay entries made under the old one, so
// change it by stopping the desks, checkpointing from one of them, and
// starting them all with the new configuration.
func (p *Replica) Checkpoint(ctx context.Context) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	tx, err := p.begin(ctx)
	if err != nil {
		return err
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	if err := tx.SaveSnapshot(ctx, p.seq, p.r.Snapshot()); err != nil {
		return err
	}
	return tx.Commit(ctx)
}

// begin takes the log's lock and brings the router up to date under it.
// The caller defers the change's Rollback, which does nothing once it
// has committed.
func (p *Replica) begin(ctx context.Context) (LogTx, error) {
	tx, c, err := p.log.Begin(ctx, p.from())
	if err != nil {
		return nil, err
	}
	if err := p.catchUp(ctx, c); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return nil, err
	}
	return tx, nil
}

// View calls fn with the router brought up to date with the log, for
// reads (Conversation, Agent, Load, Held, Inbox). fn must not change the
// router: a change made outside Do reaches no other replica.
func (p *Replica) View(ctx context.Context, fn func(r *Router)) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	c, err := p.log.Read(ctx, p.from())
	if err != nil {
		return err
	}
	if err := p.catchUp(ctx, c); err != nil {
		return err
	}
	fn(p.r)
	return nil
}

// from is the position the replica reads the log after: its last entry,
// or the start when its router may differ from the log.
func (p *Replica) from() uint64 {
	if p.stale {
		return 0
	}
	return p.seq
}

// catchUp makes c, read after p.from(): starting afresh, from its
// snapshot if it has one, when p.r may differ from the log.
func (p *Replica) catchUp(ctx context.Context, c Catchup) error {
	if p.stale || c.Snapshot != nil {
		r, err := New(p.cfg)
		if err != nil {
			return err
		}
		seq := uint64(0)
		if c.Snapshot != nil {
			if err := r.Restore(*c.Snapshot); err != nil {
				p.stale = true
				return err
			}
			seq = c.SnapshotSeq
		}
		p.r, p.seq, p.stale = r, seq, false
	}
	p.r.trace = false // nobody reads a replayed decision's trace
	for _, e := range c.Entries {
		if e.Seq != p.seq+1 {
			p.stale = true
			return errorf(ErrInternal, "routing log: entry %d follows %d", e.Seq, p.seq)
		}
		if err := p.replay(ctx, e); err != nil {
			p.stale = true
			return err
		}
		p.seq = e.Seq
	}
	return nil
}

// replay makes entry e as its replica made it, with the Ledger's recorded
// answers, and reports a replay that goes otherwise: a Config or
// Strategy that differs between replicas.
func (p *Replica) replay(ctx context.Context, e Entry) error {
	var t *tape
	p.r.ledger = nil
	if e.Ledger {
		t = &tape{answers: e.Answers}
		p.r.ledger = t
	}
	_, err := p.r.Apply(ctx, e.Op)
	p.r.ledger = nil
	switch {
	case (err != nil) != e.Failed:
		return errorf(ErrInternal, "routing log: entry %d (%s) replayed with error %v", e.Seq, e.Op.Kind, err)
	case t != nil && (t.err != nil || t.i != len(t.answers)):
		return errorf(ErrInternal, "routing log: entry %d (%s) asked the ledger otherwise than when made: %v", e.Seq, e.Op.Kind, t.err)
	}
	return nil
}

// recorder is a Ledger that keeps the answers of the one it wraps.
type recorder struct {
	inner   Ledger
	answers []Answer
}

func (l *recorder) Reserve(ctx context.Context, agentID, conversationID string, weight, capacity int) error {
	err := l.inner.Reserve(ctx, agentID, conversationID, weight, capacity)
	a := Answer{Call: "reserve", Agent: agentID, Conversation: conversationID}
	switch {
	case err == nil:
	case errors.Is(err, ErrOverCapacity):
		a.Refused = "over_capacity"
	case errors.Is(err, ErrAlreadyReserved):
		a.Refused = "already_reserved"
	default:
		a.Refused = "error: " + err.Error()
	}
	l.answers = append(l.answers, a)
	return err
}

func (l *recorder) Release(ctx context.Context, conversationID string) (int, error) {
	n, err := l.inner.Release(ctx, conversationID)
	a := answerOf("release", n, err)
	a.Conversation = conversationID
	l.answers = append(l.answers, a)
	return n, err
}

func (l *recorder) Load(ctx context.Context, agentID string) (int, error) {
	n, err := l.inner.Load(ctx, agentID)
	a := answerOf("load", n, err)
	a.Agent = agentID
	l.answers = append(l.answers, a)
	return n, err
}

func answerOf(call string, n int, err error) Answer {
	if err != nil {
		return Answer{Call: call, Refused: "error: " + err.Error()}
	}
	return Answer{Call: call, N: n}
}

// tape is a Ledger that gives back recorded answers in order.
type tape struct {
	answers []Answer
	i       int
	err     error // the first call that did not match the record
}

func (t *tape) next(call, agent, conversation string) (Answer, error) {
	if t.err == nil {
		if t.i >= len(t.answers) {
			t.err = errorf(ErrInternal, "ledger call %d (%s %q %q) was not made when recorded", t.i+1, call, agent, conversation)
		} else if a := t.answers[t.i]; a.Call != call || a.Agent != agent || a.Conversation != conversation {
			t.err = errorf(ErrInternal, "ledger call %d is %s %q %q, recorded as %s %q %q", t.i+1, call, agent, conversation, a.Call, a.Agent, a.Conversation)
		}
	}
	if t.err != nil {
		return Answer{}, t.err
	}
	a := t.answers[t.i]
	t.i++
	switch a.Refused {
	case "":
		return a, nil
	case "over_capacity":
		return a, ErrOverCapacity
	case "already_reserved":
		return a, ErrAlreadyReserved
	}
	return a, errors.New(a.Refused)
}

func (t *tape) Reserve(_ context.Context, agentID, conversationID string, _, _ int) error {
	_, err := t.next("reserve", agentID, conversationID)
	return err
}

func (t *tape) Release(_ context.Context, conversationID string) (int, error) {
	a, err := t.next("release", "", conversationID)
	return a.N, err
}

func (t *tape) Load(_ context.Context, agentID string) (int, error) {
	a, err := t.next("load", agentID, "")
	return a.N, err
}
