package helpdesk

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
)

func (s *Server) routes() {
	m := s.mux
	m.HandleFunc("GET /{$}", s.page("index.html"))
	m.HandleFunc("GET /console", s.page("console.html"))
	m.HandleFunc("GET /supervisor", s.page("supervisor.html"))
	m.HandleFunc("GET /phone", s.page("phone.html"))

	m.HandleFunc("GET /api/events", s.events)
	m.HandleFunc("GET /api/clock", s.clockNow)
	m.HandleFunc("POST /api/clock/advance", s.advance)
	m.HandleFunc("POST /api/presence", s.setPresence)
	m.HandleFunc("GET /api/inbox", s.inbox)
	m.HandleFunc("GET /api/assigned", s.assigned)
	m.HandleFunc("GET /api/offers", s.listOffers)
	m.HandleFunc("POST /api/offers/{id}/{verb}", s.answerOffer)
	m.HandleFunc("GET /api/conversations/{id}", s.conversationView)
	m.HandleFunc("POST /api/conversations/{id}/attachments", s.attach)
	m.HandleFunc("POST /api/conversations/{id}/{verb}", s.act)
	m.HandleFunc("GET /api/snippets", s.snippetList)
	m.HandleFunc("GET /api/templates", s.templateList)
	m.HandleFunc("POST /api/sms-count", s.smsCount)
	m.HandleFunc("GET /api/supervisor", s.supervisorView)
	m.HandleFunc("GET /media/{id}/{name}", s.serveMedia)

	m.HandleFunc("GET /phone/api/thread", s.phoneThread)
	m.HandleFunc("POST /phone/api/log", s.phoneLog)
	m.HandleFunc("POST /phone/api/read", s.phoneRead)
}

// writeJSON answers v as JSON with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// fail answers err with the status a browser can act on and a code the
// console branches on (rule 8).
func fail(w http.ResponseWriter, err error) { failWith(w, err, nil) }

// failWith is fail with the refused message, when the Desk returned one.
func failWith(w http.ResponseWriter, err error, msg *messageJSON) {
	status, code := http.StatusInternalServerError, "internal"
	for _, c := range []struct {
		err    error
		status int
		code   string
	}{
		{ErrBadRequest, http.StatusBadRequest, "bad_request"},
		{errUnknownAgent, http.StatusBadRequest, "unknown_agent"},
		{routing.ErrUnknownAgent, http.StatusBadRequest, "unknown_agent"},
		{routing.ErrNotVisible, http.StatusForbidden, "not_visible"},
		{conversation.ErrNotFound, http.StatusNotFound, "not_found"},
		{session.ErrWindowClosed, http.StatusConflict, "window_closed"},
		{optout.ErrOptedOut, http.StatusConflict, "opted_out"},
		{routing.ErrOverCapacity, http.StatusConflict, "over_capacity"},
		{parley.ErrEmpty, http.StatusBadRequest, "empty"},
		{parley.ErrForbidden, http.StatusForbidden, "forbidden"},
		{conversation.ErrInvalid, http.StatusBadRequest, "invalid"},
	} {
		if errors.Is(err, c.err) {
			status, code = c.status, c.code
			break
		}
	}
	if status == http.StatusInternalServerError {
		var te *conversation.TransitionError
		if errors.As(err, &te) {
			status, code = http.StatusConflict, "transition"
		} else if errors.Is(err, parley.ErrPermanent) || errors.Is(err, parley.ErrTemporary) {
			status, code = http.StatusBadGateway, "send_failed"
		} else if !errors.Is(err, context.Canceled) {
			status, code = http.StatusUnprocessableEntity, "refused"
		}
	}
	out := map[string]any{"error": err.Error(), "code": code}
	if msg != nil {
		out["message"] = msg
	}
	writeJSON(w, status, out)
}

// body decodes the request's action.
func body(r *http.Request) (action, error) {
	defer r.Body.Close()
	return decodeAction(r.Body)
}

// agentParam reads the acting agent from the query.
func agentParam(r *http.Request) (string, error) {
	a := r.URL.Query().Get("agent")
	return a, checkAgent(a)
}

func conversationID(r *http.Request) (conversation.ID, error) {
	id, err := conversation.ParseID(r.PathValue("id"))
	if err != nil {
		return conversation.ID{}, &RequestError{Field: "id", Reason: "not a conversation ID"}
	}
	return id, nil
}

// stamp is the console's format for a time of the Desk's clock.
func stamp(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	return t.UTC().Format("Mon 15:04")
}

func (s *Server) clockNow(w http.ResponseWriter, _ *http.Request) {
	now := s.clock.Now()
	writeJSON(w, http.StatusOK, map[string]any{"now": stamp(now), "unix_ms": now.UnixMilli(), "speed": s.clock.Speed()})
}

// advance jumps the clock: how the console shows a 24-hour window close
// without waiting a day (rule 5).
func (s *Server) advance(w http.ResponseWriter, r *http.Request) {
	a, err := body(r)
	if err == nil && a.Hours == 0 {
		err = &RequestError{Field: "hours", Reason: "is required"}
	}
	if err != nil {
		fail(w, err)
		return
	}
	s.clock.Advance(time.Duration(a.Hours * float64(time.Hour)))
	if err := s.desk.Tick(r.Context()); err != nil {
		s.log.Warn("helpdesk: tick", "err", err)
	}
	s.hub.send(event{Name: "clock.advanced"})
	s.clockNow(w, r)
}

func (s *Server) setPresence(w http.ResponseWriter, r *http.Request) {
	a, err := body(r)
	if err == nil {
		err = checkAgent(a.Agent)
	}
	var p routing.Presence
	if err == nil {
		if p, err = routing.ParsePresence(a.Presence); err != nil || p == routing.Draining {
			err = &RequestError{Field: "presence", Reason: "not available, away or offline"}
		}
	}
	if err == nil {
		err = s.desk.SetPresence(r.Context(), a.Agent, p)
	}
	if err != nil {
		fail(w, err)
		return
	}
	s.hub.send(event{Name: "agent.presence", Agent: a.Agent, Text: p.String()})
	writeJSON(w, http.StatusOK, map[string]string{"presence": p.String()})
}
