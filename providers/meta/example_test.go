package meta_test

import (
	"fmt"
	"net/http"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/providers/meta"
)

// The whole wiring: the transport goes into the desk's Config, the handler
// onto the host's mux. Each endpoint maps a Meta ID (a WhatsApp phone-number
// ID, a page with its page token) to its touchpoint.
func Example() {
	endpoints := []meta.Endpoint{
		{Touchpoint: "wa", Kind: channel.WhatsApp, ID: "106540352242922"},
		{Touchpoint: "fb", Kind: channel.Messenger, ID: "109876543210987", Token: "PAGE_TOKEN"},
	}
	transport, err := meta.NewTransport(meta.TransportConfig{AccessToken: "SYSTEM_USER_TOKEN", Endpoints: endpoints})
	if err != nil {
		panic(err)
	}
	desk, err := parley.New(parley.Config{Transport: transport, Touchpoints: []parley.Touchpoint{
		{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550000", Queues: []string{"support"}},
		{ID: "fb", Kind: channel.Messenger, Address: "109876543210987", Queues: []string{"support"}},
	}})
	if err != nil {
		panic(err)
	}
	webhook, err := meta.NewHandler(meta.HandlerConfig{AppSecret: "APP_SECRET", VerifyToken: "VERIFY_TOKEN", Desk: desk, Endpoints: endpoints})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("/webhooks/meta", webhook)
	fmt.Println("ready")
	// Output: ready
}
