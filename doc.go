// Package parley is an embeddable library for customer-messaging
// conversations: the rules a helpdesk, contact centre or bot must get right
// when it talks to people over WhatsApp, SMS, Messenger, Instagram, web
// chat, e-mail and its own channels.
//
// The [Desk] ties the domain packages together. Hand it every inbound
// webhook with [Desk.Receive] and call it for agent actions ([Desk.Reply],
// [Desk.SendSnippet], [Desk.SendTemplate], [Desk.Assign], [Desk.Transfer],
// [Desk.End], [Desk.Close], …); it applies every rule and calls your
// [Transport] only when a message may really go out:
//
//   - 24-hour WhatsApp customer-service windows: free-form replies only
//     while open, approved templates always (package session);
//   - SMS opt-out, opt-in and help keywords for the whole scope of numbers,
//     with the confirmation reply and an append-only consent ledger
//     (package optout);
//   - weighted capacity routing: 100 points per agent, voice 51, SMS and
//     e-mail 5, web chat 30, other chats 20; simplified, dedicated or
//     automatic modes with offers (package routing);
//   - the conversation lifecycle Bot → Queued → Assigned → WrapUp → Closed,
//     idempotent inbound messages and monotonic delivery status (package
//     conversation);
//   - channel limits: text lengths, attachments, WhatsApp's blocked
//     countries, SMS segments (package channel).
//
// Every refusal is an error to branch on with errors.Is (ErrBlockedCountry,
// optout.ErrOptedOut, session.ErrWindowClosed, routing.ErrOverCapacity,
// routing.ErrNotVisible, template.ErrMissingVariable, …), and the refused
// message is returned failed with its reason and stored as failed — but
// for routing.ErrNotVisible, where it is only returned, the conversation
// not being the agent's to write into: nothing is silently dropped.
// Failed is terminal: a retry with the same [Draft] ID gets the stored
// failure back ([ErrAlreadyFailed]) and sends nothing; a resend takes a
// new ID.
//
// # Who acts
//
// Every method that reads or acts on a conversation takes the acting
// agent's ID after ctx and applies the same visibility rules an agent's
// inbox does:
//
//  1. An agent sees an unassigned conversation of one of its queues and a
//     conversation assigned to it; anything else is refused with
//     routing.ErrNotVisible and changes nothing.
//  2. A supervisor (Config.Supervisors) sees every conversation.
//  3. [SystemActor] is the host's automations (a bot handing off, a
//     scheduler closing stale conversations): it sees every conversation
//     but is no agent, so it sends nothing and has no inbox.
//  4. A transfer's target must serve one of the conversation's queues or
//     supervise.
//  5. Only a supervisor or SystemActor erases a contact ([ErrForbidden]).
//  6. An offer is accepted or rejected by the agent it was made to.
//
// # Wiring a real provider
//
// Packages providers/twilio and providers/meta are ready-made: a webhook
// handler that checks the provider's signature before anything reaches
// the Desk, and a Transport that maps the provider's error codes
// ([Transports] gives each touchpoint its own). For another provider, a
// Transport sends through its API and returns its message ID; webhooks
// come back through Receive and UpdateDelivery:
//
//	desk, err := parley.New(parley.Config{
//		Transport: parley.TransportFunc(func(ctx context.Context, out parley.Outgoing) (string, error) {
//			id, err := whatsappClient.SendText(ctx, out.From, out.To.ID, out.Text)
//			if isInvalidNumber(err) {
//				return "", &parley.SendError{Reason: "invalid number", Permanent: true, Err: err}
//			}
//			return id, err
//		}),
//		Touchpoints: []parley.Touchpoint{{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000",
//			Queues: []string{"support"}, Routing: routing.Policy{Mode: routing.Automatic}}},
//		Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
//	})
//	http.HandleFunc("/webhook", func(w http.ResponseWriter, r *http.Request) {
//		msg := parseWebhook(r) // your provider's payload
//		_, err := desk.Receive(r.Context(), parley.Inbound{Touchpoint: "wa",
//			From: channel.Address{Kind: channel.WhatsApp, ID: msg.From}, ProviderID: msg.ID, Text: msg.Body})
//		if err != nil { http.Error(w, err.Error(), http.StatusInternalServerError) } // the provider retries
//	})
//
// Without other settings the Desk keeps everything in memory (package
// memory); give Config.Conversations, Config.OptOuts and Config.Ledger your
// own stores to persist and to share capacity between processes. The
// page docs/storage.md in the repository tells a store's implementer which
// interfaces are required, which are optional, and which conformance
// suite proves each.
//
// A Desk is safe for concurrent use. Domain packages never read the clock:
// the Desk's Config.Clock (time.Now by default) is the only one.
package parley
