package twilio_test

import (
	"net/http"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/providers/twilio"
)

// A host's whole Twilio wiring: an SMS and a WhatsApp number, the
// transport in the desk's Config, the handler on the mux at the URL the
// numbers' webhooks and status callbacks point to.
func Example() {
	const token = "your-auth-token"
	tps := []parley.Touchpoint{
		{ID: "sms", Kind: channel.SMS, Address: "+14155550000", Queues: []string{"support"}},
		{ID: "wa", Kind: channel.WhatsApp, Address: "+14155550001", Queues: []string{"support"}},
	}
	desk, err := parley.New(parley.Config{Touchpoints: tps, Transport: &twilio.Transport{
		AccountSID: "AC0f4e3c2b1a09f8e7d6c5b4a3f2e1d0c9", AuthToken: token,
		StatusCallback: "https://hooks.example.com/twilio",
	}})
	if err != nil {
		panic(err)
	}
	hook, err := twilio.NewHandler(twilio.HandlerConfig{AuthToken: token, BaseURL: "https://hooks.example.com", Desk: desk, Touchpoints: tps})
	if err != nil {
		panic(err)
	}
	mux := http.NewServeMux()
	mux.Handle("POST /twilio", hook)
	_ = mux // http.ListenAndServe(":8080", mux)
}
