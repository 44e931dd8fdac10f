package routingtest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"

	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/routing/routingtest"
)

// uncapped is a broken ledger: it never checks capacity.
type uncapped struct {
	mu    sync.Mutex
	agent map[string]string // conversation → agent
	held  map[string]int    // conversation → weight
}

func (l *uncapped) Reserve(_ context.Context, agentID, conversationID string, weight, capacity int) error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if weight < 1 || capacity < 1 {
		return routing.ErrInvalid
	}
	if a, ok := l.agent[conversationID]; ok && a != agentID {
		return routing.ErrAlreadyReserved
	}
	l.agent[conversationID], l.held[conversationID] = agentID, weight
	return nil
}

func (l *uncapped) Release(_ context.Context, conversationID string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	w := l.held[conversationID]
	delete(l.agent, conversationID)
	delete(l.held, conversationID)
	return w, nil
}

func (l *uncapped) Load(_ context.Context, agentID string) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	load := 0
	for c, a := range l.agent {
		if a == agentID {
			load += l.held[c]
		}
	}
	return load, nil
}

// TestRunNamesTheBrokenRule runs the suite against a broken ledger in a
// child process and checks that it fails, quoting the rule.
func TestRunNamesTheBrokenRule(t *testing.T) {
	if os.Getenv("ROUTINGTEST_BROKEN_LEDGER") == "1" {
		routingtest.Run(t, func(*testing.T) routing.Ledger {
			return &uncapped{agent: map[string]string{}, held: map[string]int{}}
		})
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunNamesTheBrokenRule$/^refuse_over_capacity$")
	cmd.Env = append(os.Environ(), "ROUTINGTEST_BROKEN_LEDGER=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the suite passed a ledger that never checks capacity (err %v):\n%s", err, out)
	}
	const want = `rule "over capacity returns ErrOverCapacity and changes nothing" broken`
	if !strings.Contains(string(out), want) {
		t.Errorf("the failure does not quote the broken rule; want %s in:\n%s", want, out)
	}
}
