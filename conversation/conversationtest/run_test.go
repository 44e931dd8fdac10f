package conversationtest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/conversation/conversationtest"
	"github.com/parleyhq/parley/memory"
)

// lostUpdates is a broken store: on a stale Version it overwrites instead of
// failing with ErrConflict.
type lostUpdates struct{ conversation.Store }

func (s lostUpdates) Update(ctx context.Context, c *conversation.Conversation) error {
	err := s.Store.Update(ctx, c)
	if !errors.Is(err, conversation.ErrConflict) {
		return err
	}
	cur, err := s.Store.Get(ctx, c.ID)
	if err != nil {
		return err
	}
	c.Version = cur.Version
	return s.Store.Update(ctx, c)
}

// TestRunNamesTheBrokenRule runs the suite against a broken store in a
// child process and checks that it fails, quoting the rule.
func TestRunNamesTheBrokenRule(t *testing.T) {
	if os.Getenv("CONVERSATIONTEST_BROKEN_STORE") == "1" {
		conversationtest.Run(t, func(*testing.T) conversation.Store { return lostUpdates{memory.NewConversationStore()} })
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunNamesTheBrokenRule$/^StaleUpdateConflicts$")
	cmd.Env = append(os.Environ(), "CONVERSATIONTEST_BROKEN_STORE=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the suite passed a store that loses updates (err %v):\n%s", err, out)
	}
	const want = `rule "an Update based on a stale Version fails with ErrConflict and changes nothing" broken`
	if !strings.Contains(string(out), want) {
		t.Errorf("the failure does not quote the broken rule; want %s in:\n%s", want, out)
	}
}
