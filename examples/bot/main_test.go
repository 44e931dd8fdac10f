package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestBotFollowsTheRules runs the two bots as `go run` would and checks
// each rule showed in the output: STOP, HELP and START honoured on SMS, and
// WhatsApp's 24-hour window deciding between free-form and a template.
func TestBotFollowsTheRules(t *testing.T) {
	var out strings.Builder
	require.NoError(t, run(&out))
	story := out.String()
	for _, want := range []string{
		// SMS: an ordinary message, HELP, STOP, START.
		`"Where is my order?": none (consent changed: false)`,
		`bot  → "Your order ships today."`,
		`"help": help (consent changed: false)`,
		`"Stop.": opt-out (consent changed: true)`,
		`bot  → "You have been unsubscribed and will receive no more messages from us.`,
		`bot  ✗ "You have been unsubscribed …" refused: optout: sms:+14155550123 opted out`,
		`bot  ✗ "Flash sale: 20% off today!" refused: optout:`,
		`"START": opt-in (consent changed: true)`,
		`bot  → "Welcome back! Your order ships today."`,
		// WhatsApp: the 24-hour window.
		"composer: never_opened, can reply=false, templates=true",
		"Tue 09:59  WA   23h59m later, 1m0s left",
		"composer: template_only, can reply=false, templates=true",
		"free-form refused: session: whatsapp window closed at 2026-11-03T10:00:00Z",
	} {
		assert.Contains(t, story, want)
	}
	// The confirmation passes exactly once: one sent copy, one refused.
	assert.Equal(t, 1, strings.Count(story, `bot  → "You have been unsubscribed`))
	assert.Equal(t, 3, strings.Count(story, "bot decides: free-form reply"))
	assert.Equal(t, 2, strings.Count(story, "bot decides: approved template"))
}
