package optouttest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/optout/optouttest"
)

// unversioned is a broken store: it appends whatever Seq an entry carries.
type unversioned struct {
	mu      sync.Mutex
	history map[optout.Scope]map[channel.Address][]optout.Entry
}

func (s *unversioned) Append(_ context.Context, e optout.Entry) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.history[e.Scope] == nil {
		s.history[e.Scope] = map[channel.Address][]optout.Entry{}
	}
	s.history[e.Scope][e.Address] = append(s.history[e.Scope][e.Address], e)
	return nil
}

func (s *unversioned) Latest(_ context.Context, scope optout.Scope, addr channel.Address) (optout.Entry, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	h := s.history[scope][addr]
	if len(h) == 0 {
		return optout.Entry{}, false, nil
	}
	return h[len(h)-1], true, nil
}

func (s *unversioned) History(_ context.Context, scope optout.Scope, addr channel.Address) ([]optout.Entry, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]optout.Entry(nil), s.history[scope][addr]...), nil
}

// TestRunNamesTheBrokenRule runs the suite against a broken store in a
// child process and checks that it fails, quoting the rule.
func TestRunNamesTheBrokenRule(t *testing.T) {
	if os.Getenv("OPTOUTTEST_BROKEN_STORE") == "1" {
		optouttest.Run(t, func(*testing.T) optout.Store {
			return &unversioned{history: map[optout.Scope]map[channel.Address][]optout.Entry{}}
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunNamesTheBrokenRule$/^stale_or_skipped_seq_conflicts$")
	cmd.Env = append(os.Environ(), "OPTOUTTEST_BROKEN_STORE=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the suite passed a store that ignores Seq (err %v):\n%s", err, out)
	}
	const want = `rule "an append whose Seq is not the latest plus one fails with ErrConflict and stores nothing" broken`
	if !strings.Contains(string(out), want) {
		t.Errorf("the failure does not quote the broken rule; want %s in:\n%s", want, out)
	}
}
