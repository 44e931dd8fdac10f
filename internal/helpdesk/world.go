package helpdesk

import (
	"time"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/template"
)

// The demo business: one WhatsApp number (Meta's Cloud API), one SMS
// number (Twilio) and one Facebook page (Messenger, Meta), each routed its
// own way (rule 2).
const (
	whatsAppTouchpoint  = "wa"
	smsTouchpoint       = "sms"
	messengerTouchpoint = "fb"

	whatsAppNumber  = "+14155550000"
	whatsAppPhoneID = "106540352242922"
	smsNumber       = "+14155550001"
	pageID          = "109876543210987"

	// The provider credentials the phone signs its webhooks with and the
	// handlers check them against. They are the demo's, not secrets.
	twilioAccountSID = "AC00000000000000000000000000000000"
	twilioAuthToken  = "helpdesk-demo-twilio-token"
	metaAppSecret    = "helpdesk-demo-meta-secret"
	metaAccessToken  = "helpdesk-demo-meta-token"

	// Supervisor is the agent who sees every conversation and the
	// supervisor view's figures.
	Supervisor = "sam"
)

// Contact is one person of the host's contact directory: the phone page
// writes as them, and the console searches them by e-mail, which no
// channel address carries.
type Contact struct {
	ID    string `json:"id"`
	Name  string `json:"name"`
	Phone string `json:"phone"` // E.164: WhatsApp and SMS
	PSID  string `json:"psid"`  // the page-scoped ID Messenger knows them by
	Email string `json:"email"`
}

// contacts is the directory.
var contacts = []Contact{
	{ID: "maria", Name: "Maria Lopez", Phone: "+525512345678", PSID: "6543210987654321", Email: "maria@example.com"},
	{ID: "john", Name: "John Smith", Phone: "+14155550123", PSID: "6543210987650001", Email: "john.smith@example.org"},
	{ID: "aiko", Name: "Aiko Tanaka", Phone: "+819012345678", PSID: "6543210987650002", Email: "aiko@example.jp"},
}

// contactByAddress finds the directory entry of a channel address.
func contactByAddress(a channel.Address) (Contact, bool) {
	for _, c := range contacts {
		switch {
		case (a.Kind == channel.WhatsApp || a.Kind == channel.SMS) && a.ID == c.Phone,
			a.Kind == channel.Messenger && a.ID == c.PSID:
			return c, true
		}
	}
	return Contact{}, false
}

// offerTimeout is how long a Messenger offer stands, in console time.
const offerTimeout = 2 * time.Minute

func touchpoints() []parley.Touchpoint {
	return []parley.Touchpoint{
		{ID: whatsAppTouchpoint, Kind: channel.WhatsApp, Address: whatsAppNumber, Name: "Support WhatsApp",
			Queues: []string{"support"}, Routing: routing.Policy{Mode: routing.Automatic},
			AutoReply:   "Hi! Thanks for writing to Acme. An agent will be with you shortly.",
			BusyMessage: "All our agents are busy right now; we will answer as soon as we can."},
		{ID: smsTouchpoint, Kind: channel.SMS, Address: smsNumber, Name: "Billing SMS",
			Queues: []string{"support", "billing"}},
		{ID: messengerTouchpoint, Kind: channel.Messenger, Address: pageID, Name: "Acme page",
			Queues: []string{"sales"}, Priority: 1,
			Routing: routing.Policy{Mode: routing.Automatic, Offer: true, OfferTimeout: offerTimeout}},
	}
}

func agents() []routing.Agent {
	return []routing.Agent{
		{ID: "ana", Queues: []string{"support", "sales"}},
		{ID: "ben", Queues: []string{"support", "sales"}},
		{ID: "cleo", Queues: []string{"billing"}},
		{ID: Supervisor, Queues: []string{"support", "sales", "billing"}, Presence: routing.Offline},
	}
}

func queues() []string { return []string{"support", "sales", "billing"} }

func whatsAppTemplates() []template.WhatsApp {
	return []template.WhatsApp{
		{Name: "follow_up", Language: language.AmericanEnglish, Category: template.Utility, Status: template.Approved,
			Body: "Hi {{1}}, your ticket {{2}} has an update. Reply to continue."},
		{Name: "order_ready", Language: language.AmericanEnglish, Category: template.Utility, Status: template.Approved,
			Body: "Good news {{1}}: your order is ready for pickup."},
		{Name: "spring_sale", Language: language.AmericanEnglish, Category: template.Marketing, Status: template.Pending,
			Body: "Hi {{1}}, our spring sale starts today!"},
	}
}

func snippets() (*template.Library, error) {
	lib := template.NewLibrary(template.Options{})
	for _, s := range []template.Snippet{
		{Shortcut: "greet", Title: "Greeting", Collection: "Support", Variants: []template.Variant{
			{Body: `Hi {{contact.first_name | default: "there"}}, this is {{agent.id}} from {{company}}. How can I help?`},
			{Channel: channel.SMS, Body: `Hi {{contact.first_name | default: "there"}}, {{company}} here. How can we help?`},
		}},
		{Shortcut: "hours", Title: "Opening hours", Collection: "Support", Variants: []template.Variant{
			{Body: "We are open Monday to Friday, 9:00 to 18:00, and Saturday 10:00 to 14:00. Outside those hours you can leave a message and we will answer the next morning."},
			{Channel: channel.SMS, Body: "Open Mon-Fri 9-18, Sat 10-14."},
		}},
		{Shortcut: "thanks", Title: "Thanks", Collection: "Closing", Variants: []template.Variant{
			{Body: "Thank you for contacting {{company}}! Anything else I can do for you? 🙂"},
			{Channel: channel.SMS, Body: "Thank you for contacting {{company}}!"},
		}},
	} {
		if err := lib.Add(s); err != nil {
			return nil, err
		}
	}
	return lib, nil
}
