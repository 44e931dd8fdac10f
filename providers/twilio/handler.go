package twilio

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// DefaultMaxBodyBytes is the largest webhook body read when
// HandlerConfig.MaxBodyBytes is zero: far above what Twilio sends (a
// 1 600-character SMS or a 4 096-character WhatsApp text, ten media URLs
// and some thirty short parameters), low enough that a flood of large
// unsigned bodies costs little.
const DefaultMaxBodyBytes = 1 << 20

// ErrInvalidConfig is returned by [NewHandler] for a configuration it
// cannot work with. Check it with errors.Is.
var ErrInvalidConfig = errors.New("twilio: invalid config")

// Desk is what the handler needs of a [parley.Desk]: the two calls a
// webhook turns into. *parley.Desk implements it; tests pass a fake.
type Desk interface {
	Receive(ctx context.Context, in parley.Inbound) (parley.Receipt, error)
	UpdateDelivery(ctx context.Context, r parley.DeliveryReport) (bool, error)
}

var _ Desk = (*parley.Desk)(nil)

// HandlerConfig configures a [Handler]. AuthToken, Desk and Touchpoints
// are required; every other field's zero value is the default stated on it.
type HandlerConfig struct {
	// AuthToken is the account's auth token, the key Twilio signs
	// webhooks with.
	AuthToken string
	// BaseURL is the scheme, host, port (if any) and path prefix of the
	// public URL Twilio calls, such as "https://hooks.example.com" or
	// "https://hooks.example.com:8443/twilio" when a proxy strips
	// "/twilio". The handler appends the path and query the request
	// reached this server with. Empty means the request's own: the scheme
	// from r.TLS, the host from r.Host, or the forwarded ones with
	// TrustForwardedHeaders. Set it behind a proxy (rule 3).
	BaseURL string
	// TrustForwardedHeaders takes the scheme, host and port from
	// X-Forwarded-Proto, X-Forwarded-Host and X-Forwarded-Port when
	// BaseURL is empty. Set it only behind a proxy that overwrites them.
	TrustForwardedHeaders bool
	// URL, when set, returns the URL Twilio signed for r, replacing
	// BaseURL and the forwarded headers: for layouts they cannot describe.
	URL func(r *http.Request) string
	// Desk receives the messages and delivery reports; a *parley.Desk.
	Desk Desk
	// Touchpoints are the desk's touchpoints; those of kind SMS and
	// WhatsApp are found by their number (To of an inbound message, From
	// of a status callback). Others are ignored.
	Touchpoints []parley.Touchpoint
	// MaxBodyBytes bounds the body read; zero means DefaultMaxBodyBytes.
	MaxBodyBytes int64
	// Logger receives one record per refused or failed webhook; nil
	// discards them.
	Logger *slog.Logger
}

// Handler is the http.Handler for Twilio's messaging webhooks: incoming
// SMS, MMS and WhatsApp messages, and the status callbacks of messages
// sent with [Transport]. One handler serves both on one URL. It verifies
// the signature before anything else (rule 1) and answers as the package
// documentation's rules 4 to 9 say. It is safe for concurrent use.
type Handler struct {
	cfg         HandlerConfig
	touchpoints map[channel.Address]parley.Touchpoint
	log         *slog.Logger
}

// NewHandler checks cfg and returns its handler. Errors match
// ErrInvalidConfig; a touchpoint whose address does not parse also
// matches channel.ErrInvalidAddress.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	switch {
	case cfg.AuthToken == "":
		return nil, fmt.Errorf("%w: empty AuthToken", ErrInvalidConfig)
	case cfg.Desk == nil:
		return nil, fmt.Errorf("%w: nil Desk", ErrInvalidConfig)
	case cfg.MaxBodyBytes < 0:
		return nil, fmt.Errorf("%w: negative MaxBodyBytes", ErrInvalidConfig)
	}
	if cfg.BaseURL != "" {
		u, err := url.Parse(cfg.BaseURL)
		if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "" {
			return nil, fmt.Errorf("%w: BaseURL %q is not an http(s) URL of scheme, host, port and path only", ErrInvalidConfig, cfg.BaseURL)
		}
	}
	if cfg.MaxBodyBytes == 0 {
		cfg.MaxBodyBytes = DefaultMaxBodyBytes
	}
	h := &Handler{cfg: cfg, touchpoints: make(map[channel.Address]parley.Touchpoint), log: cfg.Logger}
	if h.log == nil {
		h.log = slog.New(slog.DiscardHandler)
	}
	for _, tp := range cfg.Touchpoints {
		if tp.Kind != channel.SMS && tp.Kind != channel.WhatsApp {
			continue
		}
		addr, err := tp.Addr()
		if err != nil {
			return nil, fmt.Errorf("%w: touchpoint %q: %w", ErrInvalidConfig, tp.ID, err)
		}
		if other, dup := h.touchpoints[addr]; dup {
			return nil, fmt.Errorf("%w: touchpoints %q and %q share %s", ErrInvalidConfig, other.ID, tp.ID, addr)
		}
		h.touchpoints[addr] = tp
	}
	if len(h.touchpoints) == 0 {
		return nil, fmt.Errorf("%w: no SMS or WhatsApp touchpoint", ErrInvalidConfig)
	}
	return h, nil
}

// emptyTwiML answers an incoming message: the reply, if any, goes later
// through the Transport, once an agent or the desk writes it.
const emptyTwiML = `<?xml version="1.0" encoding="UTF-8"?><Response></Response>`

// ServeHTTP verifies the request's signature, then hands the message or
// the status to the Desk.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost && r.Method != http.MethodGet {
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	sig := r.Header.Get(SignatureHeader)
	if sig == "" {
		h.refuse(w, r, http.StatusForbidden, "missing signature", nil)
		return
	}
	params, fields, err := h.readParams(w, r)
	if err != nil {
		status := http.StatusBadRequest
		if _, ok := errors.AsType[*http.MaxBytesError](err); ok {
			status = http.StatusRequestEntityTooLarge
		}
		h.refuse(w, r, status, "unreadable body", err)
		return
	}
	if !validSignature(h.cfg.AuthToken, sig, h.signedURL(r), params) {
		h.refuse(w, r, http.StatusForbidden, "invalid signature", nil)
		return
	}

	p := parsePayload(fields)
	if p.isStatus() {
		h.status(w, r, p)
		return
	}
	h.inbound(w, r, p)
}

// readParams returns the signed POST parameters (none for a GET, whose
// query is part of the signed URL) and the fields of the payload.
func (h *Handler) readParams(w http.ResponseWriter, r *http.Request) (signed, fields url.Values, err error) {
	if r.Method == http.MethodGet {
		q, err := url.ParseQuery(r.URL.RawQuery)
		return url.Values{}, q, err
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, h.cfg.MaxBodyBytes))
	if err != nil {
		return nil, nil, err
	}
	form, err := url.ParseQuery(string(body))
	return form, form, err
}

// signedURL is the URL Twilio signed, as configured (rule 3).
func (h *Handler) signedURL(r *http.Request) string {
	if h.cfg.URL != nil {
		return h.cfg.URL(r)
	}
	base := h.cfg.BaseURL
	if base == "" {
		scheme, host := "http", r.Host
		if r.TLS != nil {
			scheme = "https"
		}
		if h.cfg.TrustForwardedHeaders {
			if p := firstField(r.Header.Get("X-Forwarded-Proto")); p != "" {
				scheme = strings.ToLower(p)
			}
			if fh := firstField(r.Header.Get("X-Forwarded-Host")); fh != "" {
				host = fh
			}
			if port := firstField(r.Header.Get("X-Forwarded-Port")); port != "" && !hasPort(host) {
				host += ":" + port
			}
		}
		base = scheme + "://" + host
	}
	return strings.TrimSuffix(base, "/") + requestTarget(r)
}

// hasPort reports whether a host ("h", "h:1", "[::1]", "[::1]:1") names a port.
func hasPort(host string) bool {
	i := strings.LastIndexByte(host, ':')
	return i >= 0 && !strings.Contains(host[i:], "]")
}

// inbound hands an incoming message to the Desk (rules 4 to 6).
func (h *Handler) inbound(w http.ResponseWriter, r *http.Request, p payload) {
	in, err := h.inboundOf(p)
	if err != nil {
		h.refuse(w, r, http.StatusBadRequest, "message refused", err)
		return
	}
	if _, err := h.cfg.Desk.Receive(r.Context(), in); err != nil {
		h.deskFailed(w, r, "receive", err)
		return
	}
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	_, _ = io.WriteString(w, emptyTwiML)
}

// inboundOf builds the Desk's Inbound from a message payload.
func (h *Handler) inboundOf(p payload) (parley.Inbound, error) {
	tp, err := h.touchpoint(p.to)
	if err != nil {
		return parley.Inbound{}, err
	}
	from, err := channel.ParseAddressAs(tp.Kind, p.from)
	if err != nil {
		return parley.Inbound{}, fmt.Errorf("twilio: sender: %w", err)
	}
	return p.inbound(tp.ID, from), nil
}

// status applies a status callback (rules 7 and 8).
func (h *Handler) status(w http.ResponseWriter, r *http.Request, p payload) {
	report, ok := p.report()
	if !ok { // a status parley has no step for: nothing to record
		h.log.DebugContext(r.Context(), "twilio: status ignored", "status", p.status, "sid", p.sid)
		w.WriteHeader(http.StatusOK)
		return
	}
	tp, err := h.touchpoint(p.from)
	if err != nil { // a sender this desk does not know sent no message of ours
		h.log.InfoContext(r.Context(), "twilio: status for an unknown sender acknowledged", "from", p.from, "sid", p.sid)
		w.WriteHeader(http.StatusOK)
		return
	}
	report.Touchpoint = tp.ID
	if _, err := h.cfg.Desk.UpdateDelivery(r.Context(), report); err != nil {
		if errors.Is(err, conversation.ErrNotFound) {
			h.log.InfoContext(r.Context(), "twilio: status for an unknown message acknowledged", "sid", p.sid, "status", p.status)
			w.WriteHeader(http.StatusOK)
			return
		}
		h.deskFailed(w, r, "update delivery", err)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// errUnknownNumber: the business number is no SMS or WhatsApp touchpoint
// of the handler.
var errUnknownNumber = errors.New("twilio: number is no touchpoint")

// touchpoint finds the touchpoint with the business number raw, as Twilio
// writes it: "+14155550100" for SMS, "whatsapp:+14155550100".
func (h *Handler) touchpoint(raw string) (parley.Touchpoint, error) {
	kind := channel.SMS
	if name, _, ok := strings.Cut(raw, ":"); ok && strings.EqualFold(name, "whatsapp") {
		kind = channel.WhatsApp
	}
	addr, err := channel.ParseAddressAs(kind, raw)
	if err != nil {
		return parley.Touchpoint{}, fmt.Errorf("%w: %q: %w", errUnknownNumber, raw, err)
	}
	tp, ok := h.touchpoints[addr]
	if !ok {
		return parley.Touchpoint{}, fmt.Errorf("%w: %s", errUnknownNumber, addr)
	}
	return tp, nil
}

// deskFailed answers a Desk error: a refusal of the payload is a client
// error, which a retry would meet again (rule 9); anything else is the
// host's failure, worth a retry, which the Desk's idempotency makes safe.
func (h *Handler) deskFailed(w http.ResponseWriter, r *http.Request, op string, err error) {
	if refusal(err) {
		h.refuse(w, r, http.StatusBadRequest, op+" refused", err)
		return
	}
	h.log.ErrorContext(r.Context(), "twilio: "+op+" failed", "err", err)
	http.Error(w, "temporary failure", http.StatusServiceUnavailable)
}

// refusal reports whether a Desk error refuses the payload itself.
func refusal(err error) bool {
	for _, target := range [...]error{conversation.ErrInvalid, channel.ErrInvalidAddress, parley.ErrUnknownTouchpoint, parley.ErrWrongChannel, conversation.ErrDuplicateID} {
		if errors.Is(err, target) {
			return true
		}
	}
	return false
}

// refuse answers with status and logs why. The body names the refusal,
// never the expected signature.
func (h *Handler) refuse(w http.ResponseWriter, r *http.Request, status int, what string, err error) {
	h.log.WarnContext(r.Context(), "twilio: webhook "+what, "status", status, "err", err, "remote", r.RemoteAddr)
	http.Error(w, what, status)
}
