package twilio_test

import (
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/providers/twilio"
)

// TestHandlerSignature: only a request Twilio signed over the URL it
// called and the body it sent reaches the Desk; every other answer is 403
// and the Desk sees nothing.
func TestHandlerSignature(t *testing.T) {
	body := fixture(t, "inbound_sms.form")
	const (
		proxied = "https://hooks.example.com:8443/twilio/sms?tenant=acme&v=2"
		target  = "/twilio/sms?tenant=acme&v=2"
	)
	behindProxy := func(r *http.Request) {
		r.Host = "10.0.0.5:8080" // the proxy's upstream, not what Twilio called
		r.Header.Set("X-Forwarded-Proto", "https")
		r.Header.Set("X-Forwarded-Host", "hooks.example.com:8443")
	}
	tests := []struct {
		name   string
		config func(*twilio.HandlerConfig)
		req    func(t *testing.T) *http.Request
		want   int
	}{
		{"valid", nil, func(t *testing.T) *http.Request {
			return signedPost(t, testToken, hookURL, "/twilio", body)
		}, http.StatusOK},
		{"wrong token", nil, func(t *testing.T) *http.Request {
			return signedPost(t, "another-accounts-token", hookURL, "/twilio", body)
		}, http.StatusForbidden},
		{"header missing", nil, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, hookURL, "/twilio", body)
			r.Header.Del(twilio.SignatureHeader)
			return r
		}, http.StatusForbidden},
		{"header empty", nil, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, hookURL, "/twilio", body)
			r.Header.Set(twilio.SignatureHeader, "")
			return r
		}, http.StatusForbidden},
		{"header not base64", nil, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, hookURL, "/twilio", body)
			r.Header.Set(twilio.SignatureHeader, "not a signature")
			return r
		}, http.StatusForbidden},
		{"body changed: replayed with another text", nil, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, hookURL, "/twilio", body)
			return withBody(r, strings.Replace(body, "Body=Hi", "Body=Refund+me", 1))
		}, http.StatusForbidden},
		{"body changed: a parameter added", nil, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, hookURL, "/twilio", body)
			return withBody(r, body+"&MediaUrl0=https%3A%2F%2Fevil.example%2Fx&NumMedia=1")
		}, http.StatusForbidden},
		{"body changed: a parameter removed", nil, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, hookURL, "/twilio", body)
			return withBody(r, strings.Replace(body, "&ToZip=94105", "", 1))
		}, http.StatusForbidden},
		{"body changed: parameters reordered is the same request", nil, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, hookURL, "/twilio", body)
			i := strings.Index(body, "&")
			return withBody(r, body[i+1:]+"&"+body[:i])
		}, http.StatusOK},
		{"signed for another path", nil, func(t *testing.T) *http.Request {
			return signedPost(t, testToken, "https://hooks.example.com/other", "/twilio", body)
		}, http.StatusForbidden},
		{"trailing slash differs from the signed URL", nil, func(t *testing.T) *http.Request {
			return signedPost(t, testToken, hookURL+"/", "/twilio", body)
		}, http.StatusForbidden},
		{"signed with http where the host configured https", nil, func(t *testing.T) *http.Request {
			return signedPost(t, testToken, "http://hooks.example.com/twilio", "/twilio", body)
		}, http.StatusForbidden},
		{"default port written by Twilio, not by the config", nil, func(t *testing.T) *http.Request {
			return signedPost(t, testToken, "https://hooks.example.com:443/twilio", "/twilio", body)
		}, http.StatusOK},
		{"default port written by the config, not by Twilio", func(c *twilio.HandlerConfig) { c.BaseURL = "https://hooks.example.com:443" }, func(t *testing.T) *http.Request {
			return signedPost(t, testToken, hookURL, "/twilio", body)
		}, http.StatusOK},
		{"query and port behind a proxy, BaseURL set", func(c *twilio.HandlerConfig) { c.BaseURL = "https://hooks.example.com:8443" }, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, proxied, target, body)
			behindProxy(r)
			return r
		}, http.StatusOK},
		{"query and port behind a proxy, forwarded headers trusted", func(c *twilio.HandlerConfig) { c.BaseURL, c.TrustForwardedHeaders = "", true }, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, proxied, target, body)
			behindProxy(r)
			return r
		}, http.StatusOK},
		{"query and port behind a proxy, X-Forwarded-Port", func(c *twilio.HandlerConfig) { c.BaseURL, c.TrustForwardedHeaders = "", true }, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, proxied, target, body)
			behindProxy(r)
			r.Header.Set("X-Forwarded-Host", "hooks.example.com")
			r.Header.Set("X-Forwarded-Port", "8443")
			return r
		}, http.StatusOK},
		{"behind a proxy with nothing configured: the upstream URL is not the signed one", func(c *twilio.HandlerConfig) { c.BaseURL = "" }, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, proxied, target, body)
			behindProxy(r)
			return r
		}, http.StatusForbidden},
		{"forwarded headers ignored unless trusted", func(c *twilio.HandlerConfig) { c.BaseURL = "" }, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, proxied, target, body)
			behindProxy(r)
			r.Host = "hooks.example.com:8443" // the host is right, the scheme is not: TLS ended at the proxy
			return r
		}, http.StatusForbidden},
		{"query changed", func(c *twilio.HandlerConfig) { c.BaseURL = "https://hooks.example.com:8443" }, func(t *testing.T) *http.Request {
			return signedPost(t, testToken, proxied, "/twilio/sms?tenant=other&v=2", body)
		}, http.StatusForbidden},
		{"query kept as sent, not re-encoded", func(c *twilio.HandlerConfig) { c.BaseURL = "https://hooks.example.com" }, func(t *testing.T) *http.Request {
			return signedPost(t, testToken, "https://hooks.example.com/twilio?name=a%20b&x=1", "/twilio?name=a%20b&x=1", body)
		}, http.StatusOK},
		{"no proxy: TLS and Host of the request", func(c *twilio.HandlerConfig) { c.BaseURL = "" }, func(t *testing.T) *http.Request {
			r := signedPost(t, testToken, hookURL, "/twilio", body)
			r.Host, r.TLS = "hooks.example.com", &tls.ConnectionState{}
			return r
		}, http.StatusOK},
		{"a URL function for any other layout", func(c *twilio.HandlerConfig) {
			c.URL = func(r *http.Request) string { return "https://hooks.example.com/custom" + r.URL.Path }
		}, func(t *testing.T) *http.Request {
			return signedPost(t, testToken, "https://hooks.example.com/custom/twilio", "/twilio", body)
		}, http.StatusOK},
		{"GET webhook signed over its query", nil, func(t *testing.T) *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/twilio?"+body, nil)
			r.Header.Set(twilio.SignatureHeader, twilio.Sign(testToken, hookURL+"?"+body, nil))
			return r
		}, http.StatusOK},
		{"GET webhook with its query changed", nil, func(t *testing.T) *http.Request {
			r := httptest.NewRequest(http.MethodGet, "/twilio?"+strings.Replace(body, "Body=Hi", "Body=Yo", 1), nil)
			r.Header.Set(twilio.SignatureHeader, twilio.Sign(testToken, hookURL+"?"+body, nil))
			return r
		}, http.StatusForbidden},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			desk := &fakeDesk{}
			var edits []func(*twilio.HandlerConfig)
			if tt.config != nil {
				edits = append(edits, tt.config)
			}
			w := serve(newHandler(t, desk, edits...), tt.req(t))
			assert.Equal(t, tt.want, w.Code, "body %q", w.Body.String())
			if tt.want == http.StatusForbidden {
				assert.Zero(t, desk.calls(), "a refused request reached the desk")
			} else {
				assert.Equal(t, 1, desk.calls())
			}
		})
	}
}

// withBody replaces r's body, keeping its headers: a replay with another
// payload.
func withBody(r *http.Request, body string) *http.Request {
	r2 := httptest.NewRequest(r.Method, r.RequestURI, strings.NewReader(body))
	r2.Header = r.Header.Clone()
	return r2
}

// TestHandlerStripPrefix: the signed path is the one the request arrived
// with, even when the host mounts the handler under http.StripPrefix.
func TestHandlerStripPrefix(t *testing.T) {
	desk := &fakeDesk{}
	h := http.StripPrefix("/hooks", newHandler(t, desk))
	w := serve(h, signedPost(t, testToken, "https://hooks.example.com/hooks/twilio", "/hooks/twilio", fixture(t, "inbound_sms.form")))
	assert.Equal(t, http.StatusOK, w.Code)
	assert.Equal(t, 1, desk.calls())
}

// TestHandlerSignatureValuesDecoded: a parameter is signed as Twilio sent
// it decoded, so a body encoding the same values differently is the same
// request, and one value changed is not.
func TestHandlerSignatureValuesDecoded(t *testing.T) {
	form := url.Values{"MessageSid": {"SM1"}, "From": {"+14155550100"}, "To": {"+14155550000"}, "Body": {"a b+c"}}
	sig := twilio.Sign(testToken, hookURL, form)
	for _, tt := range []struct {
		body string
		want int
	}{
		{"MessageSid=SM1&From=%2B14155550100&To=%2B14155550000&Body=a+b%2Bc", http.StatusOK},
		{"MessageSid=SM1&From=%2B14155550100&To=%2B14155550000&Body=a%20b%2bc", http.StatusOK},
		{"MessageSid=SM1&From=%2B14155550100&To=%2B14155550000&Body=a+b+c", http.StatusForbidden},
	} {
		desk := &fakeDesk{}
		r := httptest.NewRequest(http.MethodPost, "/twilio", strings.NewReader(tt.body))
		r.Header.Set(twilio.SignatureHeader, sig)
		w := serve(newHandler(t, desk), r)
		assert.Equal(t, tt.want, w.Code, tt.body)
	}
}
