package postgres_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The agents every process hammers, with capacities small enough that
// most reservations are refused: a few weights of 1 to 4 fill them.
var hammeredAgents = map[string]int{"a0": 5, "a1": 8, "a2": 13}

// The child process's orders, in its environment.
const (
	envChild   = "PARLEY_LEDGER_CHILD" // the schema to use; set only in a child
	envJournal = "PARLEY_LEDGER_JOURNAL"
	envPrefix  = "PARLEY_LEDGER_PREFIX"
	envFor     = "PARLEY_LEDGER_FOR" // how long to hammer; 0 until killed
)

// TestLedgerChildProcess is not a test: it is the body of the child
// processes that TestLedgerAcrossProcesses and TestLedgerSurvivesSIGKILL
// start from this test binary. Each child has its own pool.
func TestLedgerChildProcess(t *testing.T) {
	schema := os.Getenv(envChild)
	if schema == "" {
		t.Skip("run as a child process by the multi-process ledger tests")
	}
	d, err := time.ParseDuration(os.Getenv(envFor))
	require.NoError(t, err)
	journal, err := os.OpenFile(os.Getenv(envJournal), os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o600)
	require.NoError(t, err)
	defer journal.Close()
	// The deadline stops the loop, never a call: a call cut short would
	// leave its outcome unknown to the journal.
	stop := make(chan struct{})
	if d > 0 {
		time.AfterFunc(d, func() { close(stop) })
	}
	l := postgres.New(pgtest.Pool(t, pgtest.DSN(t), schema)).Ledger

	var wg sync.WaitGroup
	for w := range 2 {
		wg.Go(func() {
			if err := hammer(l, fmt.Sprintf("%s-w%d", os.Getenv(envPrefix), w), journal, stop); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
}

// hammer reserves, re-weighs and releases its own 12 conversations on the
// shared agents until stop fires, journalling each call before it is made
// ("+") and its outcome after ("="), one write per line so that a SIGKILL
// loses at most the outcome of the call in flight.
func hammer(l *postgres.Ledger, prefix string, journal *os.File, stop <-chan struct{}) error {
	ctx := context.Background()
	agents := []string{"a0", "a1", "a2"}
	held := map[string]string{} // conversation → agent
	write := func(format string, args ...any) error {
		_, err := journal.WriteString(fmt.Sprintf(format, args...) + "\n")
		return err
	}
	for {
		select {
		case <-stop:
			return nil
		default:
		}
		conv := fmt.Sprintf("%s-c%d", prefix, rand.IntN(12))
		w := 1 + rand.IntN(4)
		agent, ok := held[conv]
		if ok && rand.IntN(3) > 0 {
			if err := write("+L %s", conv); err != nil {
				return err
			}
			got, err := l.Release(ctx, conv)
			if err != nil {
				return err
			}
			delete(held, conv)
			if err := write("=L %s %d", conv, got); err != nil {
				return err
			}
			continue
		}
		if !ok {
			agent = agents[rand.IntN(len(agents))]
		}
		if err := write("+R %s %s %d", conv, agent, w); err != nil {
			return err
		}
		outcome := "ok"
		switch err := l.Reserve(ctx, agent, conv, w, hammeredAgents[agent]); {
		case err == nil:
			held[conv] = agent
		case errors.Is(err, routing.ErrOverCapacity):
			outcome = "over"
		default:
			return err
		}
		if err := write("=R %s %s", conv, outcome); err != nil {
			return err
		}
	}
}

// reservation is one row of parley_reservations.
type reservation struct {
	agent  string
	weight int
}

// replay reads a journal and returns what the child held when it stopped,
// and, for a call it started but did not see the end of, the state it
// would have left had it committed. It also checks that every release
// returned exactly the weight charged.
func replay(t *testing.T, path string) (held map[string]reservation, inFlight map[string]*reservation) {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	held, inFlight = map[string]reservation{}, map[string]*reservation{}
	pending := map[string][]string{} // conversation → its call in flight
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := sc.Text()
		if line == "" || (line[0] != '+' && line[0] != '=') {
			continue
		}
		fs := strings.Fields(line[1:])
		require.GreaterOrEqual(t, len(fs), 2, "journal line %q", line)
		conv := fs[1]
		if line[0] == '+' {
			pending[conv] = fs
			continue
		}
		call := pending[conv]
		delete(pending, conv)
		switch {
		case fs[0] == "L":
			got, err := strconv.Atoi(fs[2])
			require.NoError(t, err)
			assert.Equal(t, held[conv].weight, got, "release of %s returned %d, want the weight charged", conv, got)
			delete(held, conv)
		case fs[2] == "ok":
			w, err := strconv.Atoi(call[3])
			require.NoError(t, err)
			held[conv] = reservation{agent: call[2], weight: w}
		}
	}
	require.NoError(t, sc.Err())
	for conv, call := range pending {
		if call[0] == "L" {
			inFlight[conv] = nil
			continue
		}
		w, err := strconv.Atoi(call[3])
		require.NoError(t, err)
		inFlight[conv] = &reservation{agent: call[2], weight: w}
	}
	return held, inFlight
}

// reservations reads parley_reservations of the conversations whose ID
// starts with prefix.
func reservations(t *testing.T, pool *pgxpool.Pool, prefix string) map[string]reservation {
	t.Helper()
	rows, err := pool.Query(context.Background(),
		`SELECT conversation_id, agent_id, weight FROM parley_reservations WHERE starts_with(conversation_id, $1)`, prefix)
	require.NoError(t, err)
	out := map[string]reservation{}
	var (
		conv string
		r    reservation
	)
	_, err = pgx.ForEachRow(rows, []any{&conv, &r.agent, &r.weight}, func() error {
		out[conv] = r
		return nil
	})
	require.NoError(t, err)
	return out
}

// checkLoads checks with SQL, in one snapshot, that every agent's load is
// the sum of its reservations' weights and within its capacity, and
// returns the loads.
func checkLoads(t assert.TestingT, pool *pgxpool.Pool, capacities map[string]int) map[string]int {
	rows, err := pool.Query(context.Background(), `
		SELECT a.agent_id, a.load, coalesce(sum(r.weight), 0)
		FROM parley_agent_loads a LEFT JOIN parley_reservations r USING (agent_id)
		GROUP BY a.agent_id, a.load`)
	if !assert.NoError(t, err) {
		return nil
	}
	loads := map[string]int{}
	var (
		agent     string
		load, sum int
	)
	_, err = pgx.ForEachRow(rows, []any{&agent, &load, &sum}, func() error {
		assert.Equal(t, sum, load, "agent %s: load column %d, sum of reservations %d", agent, load, sum)
		assert.LessOrEqual(t, load, capacities[agent], "agent %s over capacity", agent)
		loads[agent] = load
		return nil
	})
	assert.NoError(t, err)
	return loads
}

// child returns the command that runs one ledger child process on schema.
func child(t *testing.T, schema, prefix, journal string, d time.Duration) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	return childProcess(t, "TestLedgerChildProcess", appName(prefix),
		envChild+"="+schema, envJournal+"="+journal, envPrefix+"="+prefix, envFor+"="+d.String())
}

// appName names the child's connections, so the parent can wait for them
// to end.
func appName(prefix string) string { return "parley-ledger-test-" + prefix }

// Four OS processes, each with its own pool, reserve, re-weigh and release
// on the same three small agents for two seconds. Throughout, and at the
// end, SQL finds no agent over capacity and every load equal to the sum of
// its reservations; at the end the table holds exactly what the children
// believe they hold: no reservation lost or doubled.
func TestLedgerAcrossProcesses(t *testing.T) {
	const children = 4
	schema, pool := pgtest.Schema(t)
	dir := t.TempDir()

	cmds := make([]*exec.Cmd, children)
	outs := make([]*strings.Builder, children)
	for i := range cmds {
		cmds[i], outs[i] = child(t, schema, fmt.Sprintf("p%d", i), filepath.Join(dir, fmt.Sprintf("p%d.journal", i)), 2*time.Second)
		require.NoError(t, cmds[i].Start())
	}
	stop := watch(func() { checkLoads(t, pool, hammeredAgents) })
	for i, cmd := range cmds {
		assert.NoError(t, cmd.Wait(), "child %d:\n%s", i, outs[i].String())
	}
	polls := stop()
	require.False(t, t.Failed())

	checkLoads(t, pool, hammeredAgents)
	refused, granted := 0, 0
	for i := range children {
		path := filepath.Join(dir, fmt.Sprintf("p%d.journal", i))
		held, inFlight := replay(t, path)
		assert.Empty(t, inFlight, "child %d ended with a call unfinished", i)
		assert.Equal(t, held, reservations(t, pool, fmt.Sprintf("p%d-", i)), "child %d: what it holds, against the table", i)
		b, err := os.ReadFile(path)
		require.NoError(t, err)
		refused += strings.Count(string(b), " over\n")
		granted += strings.Count(string(b), " ok\n")
	}
	t.Logf("%d children: %d reservations granted, %d refused over capacity, %d checks while they ran", children, granted, refused, polls)
	assert.Positive(t, refused, "the agents were never full: the test proved nothing")
	assert.Positive(t, granted)
}

// A child killed with SIGKILL in the middle of its reservations leaves
// every agent's load equal to the sum of its reservations: what it
// committed is whole, what it did not is absent. Each round the table
// holds what the child's journal says it held, plus or minus only the
// call in flight; the ledger then serves the next process as usual.
func TestLedgerSurvivesSIGKILL(t *testing.T) {
	schema, pool := pgtest.Schema(t)
	dir := t.TempDir()
	ctx := context.Background()
	l := postgres.New(pool).Ledger

	for round := range 3 {
		prefix := fmt.Sprintf("k%d", round)
		journal := filepath.Join(dir, prefix+".journal")
		cmd, out := child(t, schema, prefix, journal, 0)
		killMidway(t, pool, cmd, out, appName(prefix), func() bool { return len(reservations(t, pool, prefix+"-")) > 0 })

		checkLoads(t, pool, hammeredAgents)
		held, inFlight := replay(t, journal)
		table := reservations(t, pool, prefix+"-")
		for conv, r := range table {
			if want, ok := held[conv]; ok && want == r {
				continue
			}
			if next, ok := inFlight[conv]; ok && next != nil && *next == r {
				continue
			}
			t.Errorf("round %d: table holds %s for %+v; the journal says %+v, in flight %v", round, conv, r, held[conv], inFlight[conv])
		}
		for conv, r := range held {
			if _, ok := table[conv]; !ok {
				if _, flying := inFlight[conv]; !flying {
					t.Errorf("round %d: %s (%+v) committed and lost", round, conv, r)
				}
			}
		}

		// The next process takes over: releasing everything the dead child
		// held frees exactly what it was charged.
		for conv, r := range table {
			w, err := l.Release(ctx, conv)
			require.NoError(t, err)
			assert.Equal(t, int(r.weight), w)
		}
		for agent, load := range checkLoads(t, pool, hammeredAgents) {
			assert.Zero(t, load, "round %d: agent %s keeps load after every release", round, agent)
		}
	}
}
