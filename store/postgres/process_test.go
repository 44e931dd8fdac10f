package postgres_test

import (
	"context"
	"math/rand/v2"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/stretchr/testify/require"
)

// The tests that need real OS processes re-execute this test binary: a
// child runs only the test function named body, which reads its orders
// from its environment and skips itself when run as a plain test.

// childProcess returns the command that runs test function body of this
// binary as a child process, with env added to its environment. Its
// connections carry the application name app (pgx reads PGAPPNAME), so
// that the parent can wait for them to end.
func childProcess(t *testing.T, body, app string, env ...string) (*exec.Cmd, *strings.Builder) {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^"+body+"$", "-test.count=1")
	cmd.Env = append(append(os.Environ(), env...), "PGAPPNAME="+app)
	out := &strings.Builder{}
	cmd.Stdout, cmd.Stderr = out, out
	return cmd, out
}

// killMidway starts cmd, waits until started reports that it has
// committed some work, lets it run a random while longer (so that nobody
// chooses the moment), kills it with SIGKILL and waits until the server
// has ended its sessions: PostgreSQL finishes, and commits, a statement
// whose client died mid-way, so nothing may be judged before.
func killMidway(t *testing.T, pool *pgxpool.Pool, cmd *exec.Cmd, out *strings.Builder, app string, started func() bool) {
	t.Helper()
	require.NoError(t, cmd.Start())
	require.Eventually(t, started, 20*time.Second, 10*time.Millisecond, "the child did nothing:\n%s", out)
	time.Sleep(time.Duration(50+rand.IntN(300)) * time.Millisecond)
	require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
	err := cmd.Wait()
	var exit *exec.ExitError
	require.ErrorAs(t, err, &exit, "the child ended before the kill:\n%s", out)
	require.Equal(t, syscall.SIGKILL, exit.Sys().(syscall.WaitStatus).Signal(), "the child ended otherwise:\n%s", out)
	awaitSessionsEnd(t, pool, app)
}

// awaitSessionsEnd waits until no session named app is left on the server.
func awaitSessionsEnd(t *testing.T, pool *pgxpool.Pool, app string) {
	t.Helper()
	require.Eventually(t, func() bool {
		var n int
		err := pool.QueryRow(context.Background(), `SELECT count(*) FROM pg_stat_activity WHERE application_name = $1`, app).Scan(&n)
		return err == nil && n == 0
	}, 10*time.Second, 5*time.Millisecond, "the sessions of %s linger", app)
}

// watch runs check about every 20 ms while child processes run, until the
// returned stop is called; stop returns how many checks ran.
func watch(check func()) (stop func() int) {
	done := make(chan struct{})
	var wg sync.WaitGroup
	polls := 0
	wg.Go(func() {
		for {
			select {
			case <-done:
				return
			case <-time.After(20 * time.Millisecond):
				check()
				polls++
			}
		}
	})
	return func() int {
		close(done)
		wg.Wait()
		return polls
	}
}
