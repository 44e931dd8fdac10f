package twilio_test

import (
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/providers/twilio"
)

// seedFixtures adds every webhook fixture to the corpus.
func seedFixtures(f *testing.F, add func(body string)) {
	names, _ := filepath.Glob(filepath.Join("testdata", "*.form"))
	for _, n := range names {
		b, err := os.ReadFile(n)
		if err != nil {
			f.Fatal(err)
		}
		add(string(b))
	}
}

// FuzzHandlerPayload: any body Twilio could sign gets an answer from the
// handler's set, never a panic, and what reaches the desk is well formed:
// a touchpoint of the handler, a sender of its kind, attachments with
// URLs, a status report with a message SID.
func FuzzHandlerPayload(f *testing.F) {
	seedFixtures(f, func(b string) { f.Add(b) })
	f.Add("To=%2B14155550000&From=%2B14155550100&NumMedia=-3")
	f.Add("To=whatsapp%3A%2B14155550001&From=whatsapp%3A%2B5511987654321&NumMedia=999999999999&MediaUrl0=x")
	f.Add("MessageStatus=read&From=whatsapp%3A%2B14155550001")
	f.Fuzz(func(t *testing.T, body string) {
		form, err := url.ParseQuery(body)
		if err != nil {
			return // unsigned-able: refused before the signature, tested elsewhere
		}
		desk := &fakeDesk{}
		h := newHandler(t, desk)
		r := httptest.NewRequest(http.MethodPost, "/twilio", strings.NewReader(body))
		r.Header.Set(twilio.SignatureHeader, twilio.Sign(testToken, hookURL, form))
		w := serve(h, r)
		switch w.Code {
		case http.StatusOK, http.StatusBadRequest, http.StatusRequestEntityTooLarge:
		default:
			t.Fatalf("status %d for %q", w.Code, body)
		}
		for _, in := range desk.inbound {
			if in.Touchpoint != "sms" && in.Touchpoint != "wa" {
				t.Fatalf("touchpoint %q", in.Touchpoint)
			}
			want := channel.SMS
			if in.Touchpoint == "wa" {
				want = channel.WhatsApp
			}
			if in.From.Kind != want {
				t.Fatalf("sender %v on touchpoint %q", in.From, in.Touchpoint)
			}
			if len(in.Attachments) > channel.MaxInboundAttachments {
				t.Fatalf("%d attachments", len(in.Attachments))
			}
			for _, a := range in.Attachments {
				if a.URL == "" || a.Name == "" {
					t.Fatalf("attachment %+v", a)
				}
			}
			if !in.Unsupported && strings.TrimSpace(in.Text) == "" && len(in.Attachments) == 0 {
				t.Fatalf("an empty message not marked unsupported: %+v", in)
			}
		}
		for _, rep := range desk.reports {
			if rep.ProviderID == "" || (rep.Touchpoint != "sms" && rep.Touchpoint != "wa") {
				t.Fatalf("report %+v", rep)
			}
		}
	})
}

// FuzzHandlerSignature: a request whose signature is not Twilio's for its
// URL and body never reaches the desk, whatever the body and the header.
func FuzzHandlerSignature(f *testing.F) {
	seedFixtures(f, func(b string) {
		f.Add(b, "", "/twilio")
		f.Add(b, "GvWf1cFY/Q7PnoempGyD5oXAezc=", "/twilio")
		f.Add(b, "not base64", "/twilio?x=1")
	})
	f.Fuzz(func(t *testing.T, body, sig, target string) {
		if !strings.HasPrefix(target, "/") || strings.ContainsAny(target, " \r\n\t#") {
			return
		}
		u, err := url.Parse(target)
		if err != nil || u.Host != "" || u.Scheme != "" {
			return
		}
		form, err := url.ParseQuery(body)
		if err == nil {
			for _, signed := range []string{"https://hooks.example.com" + target, "https://hooks.example.com:443" + target} {
				if sig == twilio.Sign(testToken, signed, form) {
					return // the fuzzer forged HMAC-SHA1: not this test's concern
				}
			}
		}
		desk := &fakeDesk{}
		r := httptest.NewRequest(http.MethodPost, target, strings.NewReader(body))
		if sig != "" {
			r.Header.Set(twilio.SignatureHeader, sig)
		}
		w := serve(newHandler(t, desk), r)
		if desk.calls() != 0 {
			t.Fatalf("an unsigned request reached the desk: %q %q", sig, body)
		}
		if w.Code == http.StatusOK {
			t.Fatalf("an unsigned request was accepted: %q %q", sig, body)
		}
	})
}
