package meta_test

import (
	"fmt"
	"net/http"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/providers/meta"
	"github.com/parleyhq/parley/providers/twilio"
	"github.com/parleyhq/parley/routing"
)

// A host's whole wiring for SMS through Twilio and WhatsApp through the
// Cloud API: each touchpoint's transport, one desk, both signed webhooks
// on one mux.
func Example_withTwilioSMS() {
	tps := []parley.Touchpoint{
		{ID: "sms", Kind: channel.SMS, Address: "+14155550000", Queues: []string{"support"}},
		{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550001", Queues: []string{"support"}},
	}
	endpoints := []meta.Endpoint{{Touchpoint: "wa", Kind: channel.WhatsApp, ID: "106540352242922"}}
	cloud, err := meta.NewTransport(meta.TransportConfig{AccessToken: "SYSTEM_USER_TOKEN", Endpoints: endpoints})
	if err != nil {
		panic(err)
	}
	desk, err := parley.New(parley.Config{Touchpoints: tps, Agents: []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
		Transport: parley.Transports{"sms": &twilio.Transport{AccountSID: "AC0f4e3c2b1a09f8e7d6c5b4a3f2e1d0c9", AuthToken: "TWILIO_TOKEN"}, "wa": cloud}})
	if err != nil {
		panic(err)
	}
	sms, err := twilio.NewHandler(twilio.HandlerConfig{AuthToken: "TWILIO_TOKEN", BaseURL: "https://hooks.example.com", Desk: desk, Touchpoints: tps})
	if err != nil {
		panic(err)
	}
	wa, err := meta.NewHandler(meta.HandlerConfig{AppSecret: "APP_SECRET", VerifyToken: "VERIFY_TOKEN", Desk: desk, Endpoints: endpoints})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /twilio", sms)
	mux.Handle("/meta", wa)
	fmt.Println(mux != nil) // http.ListenAndServe(":8080", mux)
	// Output: true
}
