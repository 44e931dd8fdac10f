package sessiontest_test

import (
	"context"
	"errors"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"

	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/session/sessiontest"
)

// forgetful is a broken store: it never records a notice dealt with, so
// every desk would announce every window at each tick.
type forgetful struct{ *memory.WindowStore }

func (forgetful) Noticed(context.Context, session.Key, time.Time, bool) (bool, error) {
	return false, nil
}

// TestRunNamesTheBrokenRule runs the suite against a broken store in a
// child process and checks that it fails, quoting the rule.
func TestRunNamesTheBrokenRule(t *testing.T) {
	if os.Getenv("SESSIONTEST_BROKEN_STORE") == "1" {
		sessiontest.Run(t, func(*testing.T) session.Store { return forgetful{memory.NewWindowStore(nil)} })
		return
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestRunNamesTheBrokenRule$/^notices_expiring_then_closed$")
	cmd.Env = append(os.Environ(), "SESSIONTEST_BROKEN_STORE=1")
	out, err := cmd.CombinedOutput()
	var exit *exec.ExitError
	if !errors.As(err, &exit) {
		t.Fatalf("the suite passed a store that never records a notice (err %v):\n%s", err, out)
	}
	const want = `rule "Notices lists window expiring within the warning and window closed once closed, each until Noticed" broken`
	if !strings.Contains(string(out), want) {
		t.Errorf("the failure does not quote the broken rule; want %s in:\n%s", want, out)
	}
}
