package meta

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// MaxBody is the largest webhook body the handler reads; a larger one is
// refused with 413 before its signature is checked. Meta's payloads batch
// at most a few hundred events, far below it.
const MaxBody = 4 << 20

// Desk is what the handler needs of a *parley.Desk.
type Desk interface {
	Receive(ctx context.Context, in parley.Inbound) (parley.Receipt, error)
	UpdateDelivery(ctx context.Context, r parley.DeliveryReport) (bool, error)
}

var _ Desk = (*parley.Desk)(nil)

// HandlerConfig configures [NewHandler]. AppSecret, Desk and Endpoints are
// required; VerifyToken is needed only to answer Meta's subscription check.
type HandlerConfig struct {
	// AppSecret is the Meta app's secret, the key of every webhook's
	// signature.
	AppSecret string
	// VerifyToken is the token set in the app's webhook settings; Meta
	// sends it back in the verification GET. Empty refuses every
	// verification.
	VerifyToken string
	// Desk receives the messages and delivery reports.
	Desk Desk
	// Endpoints map the business's Meta IDs to touchpoints.
	Endpoints []Endpoint
	// Logger logs what is acknowledged without being stored (refused
	// messages, skipped events, statuses of unknown messages); nil
	// discards.
	Logger *slog.Logger
}

// Handler is the webhook endpoint for WhatsApp Cloud API, Messenger and
// Instagram: one URL can serve all three apps' subscriptions. It is safe
// for concurrent use. See the package documentation for the answers it
// gives.
type Handler struct {
	secret      []byte
	verifyToken string
	desk        Desk
	dir         directory
	log         *slog.Logger
}

// NewHandler returns a handler for cfg, or an error matching
// [ErrInvalidConfig] naming what is missing.
func NewHandler(cfg HandlerConfig) (*Handler, error) {
	switch {
	case cfg.AppSecret == "":
		return nil, fmt.Errorf("%w: AppSecret is required: unsigned webhooks are never accepted", ErrInvalidConfig)
	case cfg.Desk == nil:
		return nil, fmt.Errorf("%w: Desk is required", ErrInvalidConfig)
	}
	dir, err := newDirectory(cfg.Endpoints)
	if err != nil {
		return nil, err
	}
	log := cfg.Logger
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Handler{secret: []byte(cfg.AppSecret), verifyToken: cfg.VerifyToken, desk: cfg.Desk, dir: dir, log: log}, nil
}

// ServeHTTP answers the verification GET and handles a signed POST.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		h.verify(w, r)
	case http.MethodPost:
		h.post(w, r)
	default:
		w.Header().Set("Allow", "GET, POST")
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// verify answers Meta's subscription check: the challenge echoed when the
// mode is "subscribe" and the token matches (rule 2).
func (h *Handler) verify(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	token := q.Get("hub.verify_token")
	if q.Get("hub.mode") != "subscribe" || h.verifyToken == "" ||
		subtle.ConstantTimeCompare([]byte(token), []byte(h.verifyToken)) != 1 {
		http.Error(w, "verification refused", http.StatusForbidden)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	_, _ = io.WriteString(w, q.Get("hub.challenge"))
}

// post verifies the signature over the raw body before anything else
// (rule 1), then passes each message and report to the Desk.
func (h *Handler) post(w http.ResponseWriter, r *http.Request) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, MaxBody))
	if err != nil {
		var tooLarge *http.MaxBytesError
		if errors.As(err, &tooLarge) {
			http.Error(w, "body too large", http.StatusRequestEntityTooLarge)
			return
		}
		http.Error(w, "cannot read body", http.StatusBadRequest)
		return
	}
	if err := VerifySignature(h.secret, body, r.Header.Get(SignatureHeader)); err != nil {
		h.log.WarnContext(r.Context(), "meta: webhook refused", "error", err, "remote", r.RemoteAddr)
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	b, err := h.dir.parse(body)
	if err != nil {
		h.log.ErrorContext(r.Context(), "meta: signed webhook not understood", "error", err)
		http.Error(w, "malformed payload", http.StatusBadRequest)
		return
	}
	if retry := h.deliver(r.Context(), b); retry != nil {
		http.Error(w, "try again later", http.StatusInternalServerError)
		return
	}
	w.WriteHeader(http.StatusOK)
}

// deliver hands every message and report to the Desk, all of them even
// after a failure, and returns the first failure Meta should retry for
// (rule 7). Retrying the whole payload is safe: the Desk deduplicates
// messages by provider ID, and a status only moves forward.
func (h *Handler) deliver(ctx context.Context, b Batch) error {
	for _, s := range b.Skipped {
		h.log.InfoContext(ctx, "meta: event skipped", "kind", s.Kind, "endpoint", s.Endpoint, "id", s.ID, "reason", s.Reason)
	}
	var retry error
	for _, in := range b.Messages {
		_, err := h.desk.Receive(ctx, in)
		if err == nil {
			continue
		}
		if permanentReceive(err) {
			h.log.WarnContext(ctx, "meta: message refused", "touchpoint", in.Touchpoint, "from", in.From, "id", in.ProviderID, "error", err)
			continue
		}
		h.log.ErrorContext(ctx, "meta: message not stored, asking for a retry", "touchpoint", in.Touchpoint, "id", in.ProviderID, "error", err)
		retry = firstErr(retry, err)
	}
	for _, rep := range b.Reports {
		_, err := h.desk.UpdateDelivery(ctx, rep)
		switch {
		case err == nil:
		case errors.Is(err, conversation.ErrNotFound):
			// Not a message the Desk sent (another system's, or erased):
			// acknowledged, or Meta would retry it for days.
			h.log.DebugContext(ctx, "meta: status for an unknown message", "touchpoint", rep.Touchpoint, "id", rep.ProviderID, "status", rep.Status)
		case errors.Is(err, conversation.ErrInvalid):
			h.log.WarnContext(ctx, "meta: status refused", "touchpoint", rep.Touchpoint, "id", rep.ProviderID, "error", err)
		default:
			h.log.ErrorContext(ctx, "meta: status not stored, asking for a retry", "touchpoint", rep.Touchpoint, "id", rep.ProviderID, "error", err)
			retry = firstErr(retry, err)
		}
	}
	return retry
}

// permanentReceive reports whether Receive refused the message for what it
// is, so that a retry would be refused alike: answering 200 stops Meta from
// retrying it for days. Any other error (a store or network failure) may
// pass later.
func permanentReceive(err error) bool {
	return errors.Is(err, conversation.ErrInvalid) ||
		errors.Is(err, channel.ErrInvalidAddress) ||
		errors.Is(err, parley.ErrUnknownTouchpoint) ||
		errors.Is(err, parley.ErrWrongChannel) ||
		errors.Is(err, parley.ErrEmpty)
}

func firstErr(a, b error) error {
	if a != nil {
		return a
	}
	return b
}
