package helpdesk

import (
	"cmp"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/routing"
)

// item is a conversation in a list.
type item struct {
	ID       string `json:"id"`
	Contact  string `json:"contact"`
	Address  string `json:"address"`
	Email    string `json:"email,omitempty"`
	Channel  string `json:"channel"`
	Status   string `json:"status"`
	Assignee string `json:"assignee,omitempty"`
	Priority int    `json:"priority"`
	Unread   int    `json:"unread"`
	Preview  string `json:"preview"`
	At       string `json:"at"`
	Queues   string `json:"queues"`
}

// itemOf describes c, with the contact's name and e-mail from the
// directory where the channel gave none, and its last message.
func (s *Server) itemOf(ctx context.Context, agent string, c *conversation.Conversation) item {
	it := item{ID: c.ID.String(), Contact: c.Contact.Name, Channel: c.Channel.String(), Status: c.Status.String(),
		Assignee: c.AssigneeID, Priority: c.Priority, Unread: c.Unread, At: stamp(c.LastMessageAt), Queues: strings.Join(c.Queues, ", ")}
	if len(c.Contact.Addresses) > 0 {
		it.Address = c.Contact.Addresses[0].ID
		if d, ok := contactByAddress(c.Contact.Addresses[0]); ok {
			it.Email = d.Email
			if it.Contact == "" {
				it.Contact = d.Name
			}
		}
	}
	if it.Contact == "" {
		it.Contact = it.Address
	}
	if p, err := s.desk.Messages(ctx, agent, conversation.MessageQuery{ConversationID: c.ID, Sort: conversation.Newest, Limit: 5}); err == nil {
		for _, m := range p.Messages {
			if !m.Internal {
				it.Preview = preview(m)
				break
			}
		}
	}
	return it
}

func preview(m *conversation.Message) string {
	t := m.Text
	if t == "" && len(m.Attachments) > 0 {
		t = "⇩ " + m.Attachments[0].Name
	}
	if r := []rune(t); len(r) > 80 {
		t = string(r[:79]) + "…"
	}
	switch {
	case m.Direction == conversation.Inbound:
	case m.Author.Kind == conversation.AuthorAgent:
		t = m.Author.ID + ": " + t
	default:
		t = "Auto: " + t
	}
	return t
}

// matches is the list search: the contact's name, any address (number,
// PSID) or the e-mail the directory has for them.
func matches(it item, q string) bool {
	if q == "" {
		return true
	}
	return conversation.MatchText(it.Contact, q) || conversation.MatchText(it.Address, q) || conversation.MatchText(it.Email, q)
}

func sortParam(r *http.Request) string {
	if r.URL.Query().Get("sort") == "newest" {
		return "newest"
	}
	return "oldest"
}

// inbox lists the conversations waiting in the agent's queues.
func (s *Server) inbox(w http.ResponseWriter, r *http.Request) {
	agent, err := agentParam(r)
	if err != nil {
		fail(w, err)
		return
	}
	order := routing.OldestFirst
	if sortParam(r) == "newest" {
		order = routing.NewestFirst
	}
	cs, err := s.desk.Inbox(r.Context(), agent, order)
	if err != nil {
		fail(w, err)
		return
	}
	s.writeItems(w, r, agent, cs)
}

// assigned lists the agent's own open and wrapping-up conversations.
func (s *Server) assigned(w http.ResponseWriter, r *http.Request) {
	agent, err := agentParam(r)
	if err != nil {
		fail(w, err)
		return
	}
	sort := conversation.Oldest
	if sortParam(r) == "newest" {
		sort = conversation.Newest
	}
	page, err := s.desk.Search(r.Context(), agent, conversation.Query{AssigneeID: agent,
		Statuses: []conversation.Status{conversation.Assigned, conversation.WrapUp}, Sort: sort, Limit: conversation.MaxLimit})
	if err != nil {
		fail(w, err)
		return
	}
	s.writeItems(w, r, agent, page.Conversations)
}

func (s *Server) writeItems(w http.ResponseWriter, r *http.Request, agent string, cs []*conversation.Conversation) {
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	out := []item{}
	for _, c := range cs {
		if it := s.itemOf(r.Context(), agent, c); matches(it, q) {
			out = append(out, it)
		}
	}
	writeJSON(w, http.StatusOK, out)
}

// listOffers lists the agent's standing offers with the wall-clock time
// left, which the console counts down.
func (s *Server) listOffers(w http.ResponseWriter, r *http.Request) {
	agent, err := agentParam(r)
	if err != nil {
		fail(w, err)
		return
	}
	now := s.clock.Now()
	type offerJSON struct {
		Conversation string `json:"conversation"`
		Contact      string `json:"contact"`
		Channel      string `json:"channel"`
		Preview      string `json:"preview"`
		RemainingMS  int64  `json:"remaining_ms"`
	}
	mine := map[conversation.ID]time.Time{}
	s.mu.Lock()
	for id, o := range s.offers {
		if o.Agent == agent && o.Deadline.After(now) {
			mine[id] = o.Deadline
		}
	}
	s.mu.Unlock()
	out := []offerJSON{}
	for id, deadline := range mine {
		c, err := s.desk.Conversation(r.Context(), parley.SystemActor, id)
		if err != nil {
			continue
		}
		it := s.itemOf(r.Context(), parley.SystemActor, c)
		out = append(out, offerJSON{Conversation: it.ID, Contact: it.Contact, Channel: it.Channel, Preview: it.Preview,
			RemainingMS: s.clock.Real(deadline.Sub(now)).Milliseconds()})
	}
	slices.SortFunc(out, func(a, b offerJSON) int { return cmp.Compare(a.RemainingMS, b.RemainingMS) })
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) answerOffer(w http.ResponseWriter, r *http.Request) {
	a, err := body(r)
	if err == nil {
		err = checkAgent(a.Agent)
	}
	id, idErr := conversationID(r)
	err = errors.Join(err, idErr)
	if err == nil {
		switch r.PathValue("verb") {
		case "accept":
			err = s.desk.Accept(r.Context(), a.Agent, id)
		case "reject":
			err = s.desk.Reject(r.Context(), a.Agent, id)
		default:
			err = &RequestError{Field: "verb", Reason: "accept or reject"}
		}
	}
	if err != nil {
		fail(w, err)
		return
	}
	s.dropOffer(id)
	s.hub.send(event{Name: "offer." + r.PathValue("verb") + "ed", Conversation: id.String(), Agent: a.Agent})
	writeJSON(w, http.StatusOK, map[string]string{"ok": "true"})
}
