package helpdesk

import (
	"net/http"

	"github.com/parleyhq/parley/channel"
)

// phoneThread is one phone conversation: what the phone wrote, what the
// business sent back and how far each got.
func (s *Server) phoneThread(w http.ResponseWriter, r *http.Request) {
	kind, err := channel.ParseKind(r.URL.Query().Get("channel"))
	if err != nil {
		fail(w, &RequestError{Field: "channel", Reason: err.Error()})
		return
	}
	msgs := s.fake.thread(kind, r.URL.Query().Get("contact"))
	if msgs == nil {
		msgs = []phoneMessage{}
	}
	writeJSON(w, http.StatusOK, map[string]any{"now_ms": s.clock.Now().UnixMilli(), "messages": msgs})
}

// phoneLog keeps what the phone wrote, with its webhook's answer.
func (s *Server) phoneLog(w http.ResponseWriter, r *http.Request) {
	a, err := body(r)
	var kind channel.Kind
	if err == nil {
		if kind, err = channel.ParseKind(a.Channel); err != nil {
			err = &RequestError{Field: "channel", Reason: err.Error()}
		}
	}
	var c Contact
	if err == nil {
		err = &RequestError{Field: "contact", Reason: "not in the directory"}
		for _, d := range contacts {
			if d.ID == a.Contact {
				c, err = d, nil
			}
		}
	}
	if err != nil {
		fail(w, err)
		return
	}
	s.fake.logInbound(kind, c, a.ID, a.Text, a.Status)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}

// phoneRead is the phone showing a message: the provider reports it read.
func (s *Server) phoneRead(w http.ResponseWriter, r *http.Request) {
	a, err := body(r)
	if err == nil {
		err = required([2]string{"id", a.ID})
	}
	if err != nil {
		fail(w, err)
		return
	}
	s.fake.read(a.ID)
	writeJSON(w, http.StatusOK, map[string]bool{"ok": true})
}
