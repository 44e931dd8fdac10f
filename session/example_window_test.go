package session_test

import (
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/session"
)

// A WhatsApp window is open for 24 hours after the contact's message, to the
// millisecond, and a late event never moves it back.
func ExampleWindow() {
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	w := session.Window{Channel: channel.WhatsApp}.Touch(at)

	fmt.Println(w.ExpiresAt().Format(time.RFC3339))
	fmt.Println(w.Open(at.Add(24*time.Hour - time.Millisecond)))
	fmt.Println(w.Open(at.Add(24 * time.Hour)))
	fmt.Println(w.Touch(at.Add(-time.Hour)).LastInbound.Equal(at))
	// Output:
	// 2025-03-02T10:00:00Z
	// true
	// false
	// true
}

// Outside the window only an approved template may be sent on WhatsApp; the
// refusal carries when the window closed.
func ExampleWindow_Check() {
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	w := session.Window{Channel: channel.WhatsApp, LastInbound: at}
	now := at.Add(30 * time.Hour)

	err := w.Check(session.Outbound{Form: session.FreeForm, Human: true}, now)
	var closed *session.WindowClosedError
	if errors.Is(err, session.ErrWindowClosed) && errors.As(err, &closed) {
		fmt.Println("closed at", closed.ClosedAt.Format(time.Kitchen))
	}
	fmt.Println(w.Check(session.Outbound{Form: session.ApprovedTemplate}, now))
	// Output:
	// closed at 10:00AM
	// <nil>
}

// On Messenger a human agent may reply with the HUMAN_AGENT tag for 7 days;
// a bot may not.
func ExampleWindow_Composer() {
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	w := session.Window{Channel: channel.Messenger, LastInbound: at}
	now := at.Add(48 * time.Hour)

	agent := w.Composer(true, now)
	fmt.Println(agent.CanReply, agent.Reason, agent.Tag, agent.Until.Format("Jan 2"))
	bot := w.Composer(false, now)
	fmt.Println(bot.CanReply, bot.Reason, bot.Since.Format("Jan 2 15:04"))
	// Output:
	// true human_agent_only true Mar 8
	// false window_closed Mar 2 10:00
}

// Expiring lists the windows about to close, to warn agents.
func ExampleExpiring() {
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	ws := []session.Window{
		{Channel: channel.WhatsApp, LastInbound: at},
		{Channel: channel.WhatsApp, LastInbound: at.Add(-50 * time.Minute)},
		{Channel: channel.SMS, LastInbound: at},
	}
	for _, e := range session.Expiring(ws, at.Add(23*time.Hour), time.Hour) {
		fmt.Printf("window %d closes in %s\n", e.Index, e.Remaining)
	}
	// Output:
	// window 1 closes in 10m0s
	// window 0 closes in 1h0m0s
}

// The free entry point makes a conversation free of charge for 72 hours; it
// does not make free-form messages possible outside the 24-hour window.
func ExamplePolicy_FreeUntil() {
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	p := session.DefaultPolicy(channel.WhatsApp)
	until, ok := p.FreeUntil(at, at.Add(10*time.Minute))
	fmt.Println(ok, until.Format(time.RFC3339))
	// Output:
	// true 2025-03-04T10:10:00Z
}

// A host overrides one kind's policy; the others keep their defaults.
func ExamplePolicies() {
	ps := session.Policies{channel.SMS: {Window: 12 * time.Hour}}
	at := time.Date(2025, 3, 1, 10, 0, 0, 0, time.UTC)
	w := session.Window{Channel: channel.SMS, LastInbound: at}
	fmt.Println(ps.Open(w, at.Add(13*time.Hour)), w.Open(at.Add(13*time.Hour)))
	// Output:
	// false true
}
