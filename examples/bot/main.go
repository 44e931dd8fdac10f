// Command bot shows a bot builder using parley's session and optout
// packages alone, without a Desk: an SMS bot that honours STOP, HELP and
// START through an optout.Registry, and a WhatsApp bot that tracks the
// 24-hour customer-service window with a session.Tracker before each
// message it wants to send. Time is a fixed, advancing value; nothing here
// reads the clock: session and optout take the time from their caller.
//
//	go run ./examples/bot
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"time"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/session"
)

func main() {
	if err := run(os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bot:", err)
		os.Exit(1)
	}
}

func run(w io.Writer) error {
	start := time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)
	if err := smsBot(context.Background(), w, start); err != nil {
		return err
	}
	fmt.Fprintln(w)
	return whatsAppBot(w, start)
}

// smsBot answers a contact's texts. Every inbound SMS goes through
// Registry.Inbound (which recognises the keywords and records consent) and
// every outbound one through Registry.Outbound (which refuses an opted-out
// contact): consent is checked on both sides of every SMS.
func smsBot(ctx context.Context, w io.Writer, now time.Time) error {
	reg, err := optout.NewRegistry(optout.Config{Store: memory.NewOptOutStore()})
	if err != nil {
		return err
	}
	bot := channel.MustParseAddress("sms:+14155550100")
	contact := channel.MustParseAddress("sms:+14155550123")

	// send checks consent first; a refusal is reported, not fatal: it is
	// exactly what the registry is for.
	send := func(body string) error {
		err := reg.Outbound(ctx, optout.Outbound{From: bot, To: contact, Body: body, At: now})
		if errors.Is(err, optout.ErrOptedOut) {
			fmt.Fprintf(w, "           bot  ✗ %q refused: %v\n", clip(body), err)
			return nil
		}
		if err == nil {
			fmt.Fprintf(w, "           bot  → %q\n", body)
		}
		return err
	}

	for _, text := range []string{"Where is my order?", "help", "Stop.", "START"} {
		now = now.Add(time.Minute)
		res, err := reg.Inbound(ctx, optout.Inbound{From: contact, To: bot, Body: text, At: now})
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "%s  SMS  ← %q: %s (consent changed: %v)\n", now.Format("Mon 15:04"), text, res.Action, res.Changed)
		switch res.Action {
		case optout.None:
			// An ordinary message: the bot's own conversation.
			if err := send("Your order ships today."); err != nil {
				return err
			}
		case optout.OptOut:
			// The confirmation passes once; a second copy and any later
			// message are refused until the contact opts in again.
			for _, body := range []string{res.Reply, res.Reply, "Flash sale: 20% off today!"} {
				if err := send(body); err != nil {
					return err
				}
			}
		default:
			// HELP and START: send the automatic reply, then, after START,
			// show that messages flow again.
			if err := send(res.Reply); err != nil {
				return err
			}
			if res.Action == optout.OptIn {
				if err := send("Welcome back! Your order ships today."); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// whatsAppBot decides, before each message, whether it may be free-form
// or must be an approved template: WhatsApp allows free-form only within
// 24 hours of the contact's last message, and only the contact's messages
// open or refresh the window. The bot is not a human, so it never gets the
// HUMAN_AGENT tag.
func whatsAppBot(w io.Writer, now time.Time) error {
	tracker := session.NewTracker(nil) // nil: the default Policies
	key := session.Key{
		Business: channel.MustParseAddress("whatsapp:+14155550100"),
		Contact:  channel.MustParseAddress("whatsapp:+525512345678"),
	}
	// decide prints the composer state, asks Policies.Check (through the
	// tracker) about a free-form message, and falls back to a template
	// when the window is closed.
	decide := func(what string) {
		c := tracker.Composer(key, false, now)
		fmt.Fprintf(w, "%s  WA   %s\n           composer: %s, can reply=%v, templates=%v\n",
			now.Format("Mon 15:04"), what, c.Reason, c.CanReply, c.Templates)
		err := tracker.Check(key, session.Outbound{Form: session.FreeForm, Human: false}, now)
		var closed *session.WindowClosedError
		switch {
		case err == nil:
			fmt.Fprintln(w, "           bot decides: free-form reply")
		case errors.As(err, &closed) && closed.Templates:
			// The refusal says what may still be sent.
			fmt.Fprintf(w, "           free-form refused: %v\n", err)
			if err := tracker.Check(key, session.Outbound{Form: session.ApprovedTemplate}, now); err == nil {
				fmt.Fprintln(w, "           bot decides: approved template")
			}
		default:
			fmt.Fprintf(w, "           bot decides: nothing (%v)\n", err)
		}
	}

	decide("bot wants to message a contact who never wrote")
	now = now.Add(time.Hour)
	if _, err := tracker.Touch(key, now); err != nil {
		return err
	}
	decide("contact writes \"Hi!\": the window opens")

	now = now.Add(23*time.Hour + 59*time.Minute)
	remaining := tracker.Composer(key, false, now).Until.Sub(now)
	decide(fmt.Sprintf("23h59m later, %s left", remaining))

	now = now.Add(time.Minute)
	decide("exactly 24h after the contact's message")
	// The bot sends its approved template now. Business messages never
	// refresh the window, so there is no Touch here.
	now = now.Add(2 * time.Hour)
	if _, err := tracker.Touch(key, now); err != nil {
		return err
	}
	decide("contact answers the template: the window opens again")
	return nil
}

// clip shortens a long message for the narration.
func clip(s string) string {
	if r := []rune(s); len(r) > 28 {
		return string(r[:27]) + "…"
	}
	return s
}
