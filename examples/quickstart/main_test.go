package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestQuickstartTellsTheWholeStory runs the demo as `go run` would and
// checks each chapter of the story happened.
func TestQuickstartTellsTheWholeStory(t *testing.T) {
	var out strings.Builder
	require.NoError(t, run(&out))
	story := out.String()
	for _, want := range []string{
		"routed automatically (least loaded): assigned to",
		"duplicate=true",
		`"Hi Maria, this is Acme. How can I help?" (sent)`,
		"can reply=false",
		"free-form refused: session: whatsapp window closed",
		"approved template sent instead",
		"keyword opt-out, confirmation sent",
		"reply refused: optout:",
		"they send START: opt-in",
		"wraps up and closes: closed",
		"The transport sent 6 messages",
	} {
		assert.Contains(t, story, want)
	}
}
