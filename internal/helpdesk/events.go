package helpdesk

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"sync"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// event is what the console's event stream carries: the Desk's event by
// name, the conversation and the agent it concerns. The browser reloads
// what it shows; the state stays the Desk's (rule 6).
type event struct {
	Name         string `json:"name"`
	Conversation string `json:"conversation,omitempty"`
	Agent        string `json:"agent,omitempty"`
	From         string `json:"from,omitempty"`
	Text         string `json:"text,omitempty"`
}

// hub is the Desk's Publisher: it keeps the console's offers, tells the
// fake provider which messages the Desk recorded as sent, and fans every
// event out to the open event streams. A slow stream loses events rather
// than slow the Desk down: the browser reloads on the next one.
type hub struct {
	s *Server

	mu   sync.Mutex
	subs map[chan event]struct{}
	done bool
}

var _ parley.Publisher = (*hub)(nil)

func newHub(s *Server) *hub { return &hub{s: s, subs: map[chan event]struct{}{}} }

// Publish implements parley.Publisher.
func (h *hub) Publish(_ context.Context, e parley.Event) error {
	ev := event{Name: e.Name(), Conversation: e.Conversation().String()}
	s := h.s
	switch e := e.(type) {
	case parley.OfferedEvent:
		ev.Agent = e.AgentID
		s.mu.Lock()
		s.offers[e.ConversationID] = offer{Agent: e.AgentID, Deadline: e.Deadline}
		s.mu.Unlock()
	case conversation.AssignedEvent:
		ev.Agent = e.AgentID
		s.dropOffer(e.ConversationID)
	case conversation.TransferredEvent:
		ev.Agent, ev.From = e.ToAgentID, e.FromAgentID
		s.dropOffer(e.ConversationID)
	case conversation.SentToInboxEvent, conversation.ClosedEvent, conversation.EndedEvent:
		s.dropOffer(e.Conversation())
	case conversation.MessageSentEvent:
		if e.Message.ProviderID != "" {
			s.fake.delivered(e.Message.ProviderID)
		}
	}
	h.send(ev)
	return nil
}

// send fans ev out to every stream without waiting for any.
func (h *hub) send(ev event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for c := range h.subs {
		select {
		case c <- ev:
		default:
		}
	}
}

func (h *hub) subscribe() (chan event, bool) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.done {
		return nil, false
	}
	c := make(chan event, 64)
	h.subs[c] = struct{}{}
	return c, true
}

func (h *hub) unsubscribe(c chan event) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if _, ok := h.subs[c]; ok {
		delete(h.subs, c)
		close(c)
	}
}

// close ends every stream: the server is stopping.
func (h *hub) close() {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.done = true
	for c := range h.subs {
		delete(h.subs, c)
		close(c)
	}
}

func (s *Server) dropOffer(id conversation.ID) {
	s.mu.Lock()
	delete(s.offers, id)
	s.mu.Unlock()
}

// events streams the hub's events as server-sent events.
func (s *Server) events(w http.ResponseWriter, r *http.Request) {
	flusher, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusInternalServerError)
		return
	}
	c, ok := s.hub.subscribe()
	if !ok {
		http.Error(w, "stopping", http.StatusServiceUnavailable)
		return
	}
	defer s.hub.unsubscribe(c)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	fmt.Fprint(w, ": connected\n\n")
	flusher.Flush()
	keepAlive := time.NewTicker(15 * time.Second)
	defer keepAlive.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-keepAlive.C:
			fmt.Fprint(w, ": keep-alive\n\n")
		case ev, ok := <-c:
			if !ok {
				return
			}
			b, _ := json.Marshal(ev)
			fmt.Fprintf(w, "data: %s\n\n", b)
		}
		flusher.Flush()
	}
}
