package twilio

import (
	"crypto/hmac"
	"crypto/sha1"
	"crypto/subtle"
	"encoding/base64"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
)

// SignatureHeader is the header Twilio puts its request signature in.
const SignatureHeader = "X-Twilio-Signature"

// Sign returns the signature Twilio computes for a request to rawURL with
// the POST parameters params (rule 1 of the package documentation): the
// HMAC-SHA1, keyed with the auth token, of the URL followed by every
// parameter's name and value, sorted by name (and, for a repeated name,
// by value), base64-encoded. A GET webhook has its parameters in rawURL's
// query and none in params. Hosts use it to sign requests in their own
// tests.
func Sign(authToken, rawURL string, params url.Values) string {
	mac := hmac.New(sha1.New, []byte(authToken))
	mac.Write([]byte(rawURL))
	for _, name := range slices.Sorted(maps.Keys(params)) {
		values := params[name]
		if len(values) > 1 {
			values = slices.Sorted(slices.Values(values))
		}
		for _, v := range values {
			mac.Write([]byte(name))
			mac.Write([]byte(v))
		}
	}
	return base64.StdEncoding.EncodeToString(mac.Sum(nil))
}

// validSignature reports whether sig is Twilio's signature of rawURL and
// params, comparing in constant time. Twilio has signed the same URL with
// and without the scheme's default port, so both forms are tried (rule 2).
func validSignature(authToken, sig, rawURL string, params url.Values) bool {
	if sig == "" || authToken == "" {
		return false
	}
	ok := false
	for _, u := range portForms(rawURL) {
		want := Sign(authToken, u, params)
		if subtle.ConstantTimeCompare([]byte(want), []byte(sig)) == 1 {
			ok = true
		}
	}
	return ok
}

// portForms returns rawURL and, when its port is the scheme's default or
// absent, the other form: "https://h/p" and "https://h:443/p". Only the
// authority is rewritten; path and query stay byte for byte.
func portForms(rawURL string) []string {
	scheme, rest, ok := strings.Cut(rawURL, "://")
	if !ok {
		return []string{rawURL}
	}
	var def string
	switch strings.ToLower(scheme) {
	case "https":
		def = "443"
	case "http":
		def = "80"
	default:
		return []string{rawURL}
	}
	end := strings.IndexAny(rest, "/?#")
	if end < 0 {
		end = len(rest)
	}
	authority, tail := rest[:end], rest[end:]
	userinfo := ""
	if at := strings.LastIndexByte(authority, '@'); at >= 0 {
		userinfo, authority = authority[:at+1], authority[at+1:]
	}
	host, port := authority, ""
	if i := strings.LastIndexByte(authority, ':'); i >= 0 && !strings.Contains(authority[i:], "]") {
		host, port = authority[:i], authority[i+1:]
	}
	switch port {
	case "":
		return []string{rawURL, scheme + "://" + userinfo + host + ":" + def + tail}
	case def:
		return []string{rawURL, scheme + "://" + userinfo + host + tail}
	}
	return []string{rawURL}
}

// requestTarget is the path and query the request arrived with, as sent:
// r.RequestURI on a server request, which path-rewriting middleware such
// as http.StripPrefix leaves alone.
func requestTarget(r *http.Request) string {
	t := r.RequestURI
	if t == "" {
		return r.URL.RequestURI()
	}
	if strings.HasPrefix(t, "http://") || strings.HasPrefix(t, "https://") {
		if u, err := url.Parse(t); err == nil {
			return u.RequestURI()
		}
	}
	return t
}

// firstField returns the first comma-separated field of a header value
// that proxies append to ("https, http"), trimmed.
func firstField(v string) string {
	f, _, _ := strings.Cut(v, ",")
	return strings.TrimSpace(f)
}
