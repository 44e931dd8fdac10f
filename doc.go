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
// memory); give Config.Conversations and Config.OptOuts your own stores to
// persist. The page docs/storage.md in the repository tells a store's
// implementer which interfaces are required, which are optional, and which
// conformance suite proves each.
//
// # Several processes
//
// Desks in several processes share the stores and Config.Routing, a
// routing log (store/postgres's Routing on PostgreSQL; memory.RoutingLog
// between desks of one process). Through it they route as one desk does,
// and a restarted desk goes on where routing stood:
//
//   - every routing action works on any desk, whichever desk routed the
//     conversation: accept, reject, assign, transfer, send to inbox, end,
//     close, escalate, presence, agents added, changed and removed;
//   - agents' presence, capacity and load, offers with their deadlines
//     and who declined them, the waiting order (priority, then age),
//     auto-transfer and drain deadlines are the log's, not a process's:
//     an offer whose desk died expires on time at another desk's Tick,
//     and freed room goes to the conversation that has waited longest,
//     whichever desk received it;
//   - no agent is ever over capacity: every reservation is made in the
//     database, in the same transaction as the change that decided it.
//
// Every desk sharing a log must have the same routing configuration
// (touchpoints and their routing, weights, drain grace, the offline rule),
// and a host's own routing.Strategy must decide from the candidates
// alone, as the built-in ones do: each desk replays the others' changes
// and must decide as they did (a desk that finds otherwise refuses to go
// on, with routing.ErrInternal, rather than route from another state).
// Events go to the Publisher of the desk that made the change.
//
// A Desk is safe for concurrent use. Domain packages never read the clock:
// the Desk's Config.Clock (time.Now by default) is the only one.
package parley
