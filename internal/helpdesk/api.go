package helpdesk

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"time"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
	"github.com/parleyhq/parley/session"
	ptemplate "github.com/parleyhq/parley/template"
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
	s.mu.Lock()
	s.presence[a.Agent] = p
	s.mu.Unlock()
	s.hub.send(event{Name: "agent.presence", Agent: a.Agent, Text: p.String()})
	writeJSON(w, http.StatusOK, map[string]string{"presence": p.String()})
}

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

// messageJSON is one message of the conversation view.
type messageJSON struct {
	ID        string   `json:"id"`
	Direction string   `json:"direction"`
	Author    string   `json:"author"`
	Note      bool     `json:"note"`
	Text      string   `json:"text"`
	Template  string   `json:"template,omitempty"`
	Media     []string `json:"media,omitempty"`
	Status    string   `json:"status,omitempty"`
	Reason    string   `json:"reason,omitempty"`
	At        string   `json:"at"`
	Mentions  []string `json:"mentions,omitempty"`
}

// composerJSON is the reply box's state: locked or not, why, since and
// until when, in words the agent reads (rule 9).
type composerJSON struct {
	CanReply    bool     `json:"can_reply"`
	Reason      string   `json:"reason"`
	Lock        string   `json:"lock,omitempty"`
	Warning     string   `json:"warning,omitempty"`
	Info        string   `json:"info,omitempty"`
	Until       string   `json:"until,omitempty"`
	Templates   bool     `json:"templates"`
	Attachments bool     `json:"attachments"`
	SMS         bool     `json:"sms"`
	OptedOut    bool     `json:"opted_out"`
	Assigned    bool     `json:"assigned"`
	Agents      []string `json:"agents"`
}

func (s *Server) conversationView(w http.ResponseWriter, r *http.Request) {
	agent, err := agentParam(r)
	id, idErr := conversationID(r)
	if err = errors.Join(err, idErr); err != nil {
		fail(w, err)
		return
	}
	ctx := r.Context()
	c, err := s.desk.Conversation(ctx, agent, id)
	if err != nil {
		fail(w, err)
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	page, err := s.desk.Messages(ctx, agent, conversation.MessageQuery{ConversationID: id, Text: q, Sort: conversation.Oldest, Limit: conversation.MaxLimit})
	if err != nil {
		fail(w, err)
		return
	}
	msgs := []messageJSON{}
	for _, m := range page.Messages {
		msgs = append(msgs, messageOf(m))
	}
	comp, err := s.desk.Composer(ctx, agent, id)
	if err != nil {
		fail(w, err)
		return
	}
	history := []item{}
	if hp, err := s.desk.History(ctx, agent, c.Contact.ID, ""); err == nil {
		for _, h := range hp.Conversations {
			if h.ID != c.ID {
				history = append(history, s.itemOf(ctx, agent, h))
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{
		"conversation": s.itemOf(ctx, agent, c),
		"closing_note": c.ClosingNote, "disposition": c.Disposition,
		"messages": msgs, "composer": composerOf(c, comp), "history": history,
	})
}

func messageOf(m *conversation.Message) messageJSON {
	out := messageJSON{ID: m.ID.String(), Direction: m.Direction.String(), Author: m.Author.ID, Note: m.Internal,
		Text: m.Text, At: stamp(m.CreatedAt)}
	if out.Author == "" {
		out.Author = m.Author.Kind.String()
	}
	if m.Template != nil {
		out.Template = m.Template.Name
	}
	for _, a := range m.Attachments {
		out.Media = append(out.Media, a.URL)
	}
	if m.Sendable() {
		out.Status, out.Reason = m.Delivery.Status.String(), m.Delivery.Reason
	}
	if m.Internal {
		out.Mentions = mentions(m.Text)
	}
	return out
}

func composerOf(c *conversation.Conversation, comp parley.Composer) composerJSON {
	caps := c.Channel.Capabilities()
	out := composerJSON{CanReply: comp.CanReply, Reason: comp.Reason.String(), Until: stamp(comp.Until), Templates: comp.Templates,
		Attachments: caps.Attachments(), SMS: c.Channel == channel.SMS, OptedOut: comp.OptedOut, Assigned: comp.Assigned}
	for _, a := range agents() {
		out.Agents = append(out.Agents, a.ID)
	}
	switch {
	case !c.Status.Open():
		out.Lock = fmt.Sprintf("The conversation is %s: nothing more can be sent in it.", c.Status)
	case comp.OptedOut:
		// Left open on purpose: the Desk refuses the reply, and the
		// refusal is what the agent sees (rule 9).
		out.CanReply = true
		out.Warning = "The contact opted out of SMS (STOP): every reply is refused until they send START."
	case comp.Reason == session.TemplateOnly:
		out.Lock = fmt.Sprintf("The WhatsApp window closed at %s, 24 hours after the contact's last message: only an approved template can be sent until they write again.", stamp(comp.Since))
	case comp.Reason == session.NeverOpened:
		out.Lock = "The contact has never written on this channel: only an approved template can start the conversation."
	case !comp.CanReply:
		out.Lock = fmt.Sprintf("Replies are closed (%s) since %s.", comp.Reason, stamp(comp.Since))
	case comp.Reason == session.WindowOpen && !comp.Until.IsZero():
		out.Info = "WhatsApp window open until " + stamp(comp.Until) + "."
	}
	return out
}

var mentionRE = regexp.MustCompile(`(?:^|\s)@([a-z][a-z0-9_]*)`)

// mentions returns the known agents a note names with @.
func mentions(text string) []string {
	var out []string
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		if agentKnown(m[1]) && !slices.Contains(out, m[1]) {
			out = append(out, m[1])
		}
	}
	return out
}

// act takes an agent's action on a conversation.
func (s *Server) act(w http.ResponseWriter, r *http.Request) {
	a, err := body(r)
	if err == nil {
		err = checkAgent(a.Agent)
	}
	id, idErr := conversationID(r)
	if err = errors.Join(err, idErr); err != nil {
		fail(w, err)
		return
	}
	ctx := r.Context()
	var msg *conversation.Message
	switch r.PathValue("verb") {
	case "reply":
		if err = required([2]string{"text", a.Text}); err == nil {
			msg, err = s.desk.Reply(ctx, a.Agent, id, a.Text)
		}
	case "snippet":
		if err = required([2]string{"shortcut", a.Shortcut}); err == nil {
			msg, err = s.desk.SendSnippet(ctx, a.Agent, id, a.Shortcut, nil)
		}
	case "template":
		var lang language.Tag
		if err = required([2]string{"template", a.Template}, [2]string{"language", a.Language}); err == nil {
			if lang, err = language.Parse(strings.ReplaceAll(a.Language, "_", "-")); err != nil {
				err = &RequestError{Field: "language", Reason: "not a language tag"}
			}
		}
		if err == nil {
			msg, err = s.desk.SendTemplate(ctx, a.Agent, id, a.Template, lang, a.Params)
		}
	case "note":
		if err = required([2]string{"text", a.Text}); err == nil {
			if msg, err = s.desk.Note(ctx, a.Agent, id, a.Text); err == nil {
				for _, m := range mentions(a.Text) {
					s.hub.send(event{Name: "note.mention", Conversation: id.String(), Agent: m, From: a.Agent, Text: a.Text})
				}
			}
		}
	case "take":
		err = s.desk.Assign(ctx, a.Agent, id, a.Agent)
	case "transfer":
		switch {
		case a.ToAgent != "":
			err = s.desk.Transfer(ctx, a.Agent, id, a.ToAgent)
		case a.Queue != "":
			err = s.desk.TransferToQueues(ctx, a.Agent, id, []string{a.Queue})
		default:
			err = &RequestError{Field: "to_agent", Reason: "an agent or a queue is required"}
		}
	case "inbox":
		err = s.desk.SendToInbox(ctx, a.Agent, id)
	case "end":
		err = s.desk.End(ctx, a.Agent, id)
	case "close":
		err = s.desk.CloseWith(ctx, a.Agent, id, conversation.Closing{Note: a.Note, Disposition: a.Disposition})
	case "read":
		err = s.desk.MarkRead(ctx, a.Agent, id)
	default:
		err = &RequestError{Field: "verb", Reason: "unknown action"}
	}
	if err != nil {
		// A refused message is stored failed with its reason: the console
		// shows it in the history as the contact would not see it.
		var m *messageJSON
		if msg != nil {
			mj := messageOf(msg)
			m = &mj
		}
		failWith(w, err, m)
		return
	}
	out := map[string]any{"ok": true}
	if msg != nil {
		out["message"] = messageOf(msg)
	}
	writeJSON(w, http.StatusOK, out)
}

// snippetJSON is one entry of the /shortcut picker: the variant the
// conversation's channel gets, rendered for its contact.
type snippetJSON struct {
	Shortcut string `json:"shortcut"`
	Title    string `json:"title"`
	Variant  string `json:"variant"`
	Text     string `json:"text"`
	Count    string `json:"count,omitempty"`
}

func (s *Server) snippetList(w http.ResponseWriter, r *http.Request) {
	agent, err := agentParam(r)
	if err != nil {
		fail(w, err)
		return
	}
	id, err := conversation.ParseID(r.URL.Query().Get("conversation"))
	if err != nil {
		fail(w, &RequestError{Field: "conversation", Reason: "not a conversation ID"})
		return
	}
	c, err := s.desk.Conversation(r.Context(), agent, id)
	if err != nil {
		fail(w, err)
		return
	}
	lang, _ := language.Parse(c.Contact.Locale)
	out := []snippetJSON{}
	for _, sn := range s.snippets.Find(r.URL.Query().Get("prefix")) {
		res, err := s.snippets.Resolve(sn.Shortcut, c.Channel, lang)
		if err != nil {
			continue
		}
		text, err := res.Template.RenderFunc(snippetVars(c, agent))
		if err != nil {
			text = res.Variant.Body
		}
		v := "default"
		if res.Variant.Channel.Valid() {
			v = res.Variant.Channel.String() + " variant"
		}
		it := snippetJSON{Shortcut: sn.Shortcut, Title: sn.Title, Variant: v, Text: text}
		if c.Channel == channel.SMS {
			it.Count = smsLabel(channel.CountSMS(text))
		}
		out = append(out, it)
	}
	writeJSON(w, http.StatusOK, out)
}

// snippetVars are the values the Desk renders a snippet with, for the
// picker's preview.
func snippetVars(c *conversation.Conversation, agent string) func(string) (string, bool) {
	return func(path string) (string, bool) {
		switch path {
		case "contact.name":
			return c.Contact.Name, true
		case "contact.first_name":
			first, _, _ := strings.Cut(strings.TrimSpace(c.Contact.Name), " ")
			return first, true
		case "agent.id":
			return agent, true
		case "company":
			return "Acme", true
		}
		return "", false
	}
}

// templateList lists the approved WhatsApp templates with their
// parameters, for the picker a closed window leaves.
func (s *Server) templateList(w http.ResponseWriter, _ *http.Request) {
	type tplJSON struct {
		Name     string   `json:"name"`
		Language string   `json:"language"`
		Body     string   `json:"body"`
		Params   []string `json:"params"`
	}
	out := []tplJSON{}
	for _, t := range whatsAppTemplates() {
		if t.Status != ptemplate.Approved {
			continue
		}
		code, _ := ptemplate.LanguageCode(t.Language)
		params, _ := t.Parameters()
		out = append(out, tplJSON{Name: t.Name, Language: code, Body: t.Body, Params: params})
	}
	writeJSON(w, http.StatusOK, out)
}

// smsLabel is the live counter's text: "2 SMS, GSM-7".
func smsLabel(n channel.SMSCount) string {
	return fmt.Sprintf("%d SMS, %s", n.Segments, n.Encoding)
}

func (s *Server) smsCount(w http.ResponseWriter, r *http.Request) {
	a, err := body(r)
	if err != nil {
		fail(w, err)
		return
	}
	n := channel.CountSMS(a.Text)
	writeJSON(w, http.StatusOK, map[string]any{"segments": n.Segments, "encoding": n.Encoding.String(), "units": n.Units, "label": smsLabel(n)})
}

// supervisorView is every agent's load against capacity and every queue's
// waiting count and oldest wait, read from the Desk as SystemActor.
func (s *Server) supervisorView(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	now := s.clock.Now()
	weights := routing.Weights{}
	type agentJSON struct {
		ID       string `json:"id"`
		Presence string `json:"presence"`
		Load     int    `json:"load"`
		Capacity int    `json:"capacity"`
		Open     int    `json:"open"`
		Queues   string `json:"queues"`
	}
	type queueJSON struct {
		Name       string `json:"name"`
		Waiting    int    `json:"waiting"`
		OldestWait string `json:"oldest_wait"`
	}
	agentsOut := []agentJSON{}
	for _, a := range agents() {
		page, err := s.desk.Search(ctx, parley.SystemActor, conversation.Query{AssigneeID: a.ID,
			Statuses: []conversation.Status{conversation.Assigned}, Limit: conversation.MaxLimit})
		if err != nil {
			fail(w, err)
			return
		}
		load := 0
		for _, c := range page.Conversations {
			load += weights.Of(c.Channel)
		}
		capacity := a.Capacity
		if capacity == 0 {
			capacity = 100
		}
		agentsOut = append(agentsOut, agentJSON{ID: a.ID, Presence: s.presenceOf(a.ID).String(), Load: load, Capacity: capacity,
			Open: len(page.Conversations), Queues: strings.Join(a.Queues, ", ")})
	}
	queuesOut := []queueJSON{}
	for _, q := range queues() {
		page, err := s.desk.Search(ctx, parley.SystemActor, conversation.Query{Queues: []string{q},
			Statuses: []conversation.Status{conversation.Queued}, Sort: conversation.Oldest, Limit: conversation.MaxLimit})
		if err != nil {
			fail(w, err)
			return
		}
		qj := queueJSON{Name: q, Waiting: len(page.Conversations), OldestWait: "-"}
		if len(page.Conversations) > 0 {
			qj.OldestWait = now.Sub(page.Conversations[0].CreatedAt).Round(time.Second).String()
		}
		queuesOut = append(queuesOut, qj)
	}
	writeJSON(w, http.StatusOK, map[string]any{"now": stamp(now), "agents": agentsOut, "queues": queuesOut})
}

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

// mediaFile is an uploaded attachment, served to the provider by URL.
type mediaFile struct {
	Name, Type string
	Data       []byte
}

// maxUpload bounds an attachment upload; the channel's own limits apply
// after it.
const maxUpload = 16 << 20

// attach sends an uploaded file (and caption) where the channel allows
// attachments; the Desk checks the channel's limits.
func (s *Server) attach(w http.ResponseWriter, r *http.Request) {
	agent, err := agentParam(r)
	id, idErr := conversationID(r)
	if err = errors.Join(err, idErr); err != nil {
		fail(w, err)
		return
	}
	r.Body = http.MaxBytesReader(w, r.Body, maxUpload)
	f, hdr, err := r.FormFile("file")
	if err != nil {
		fail(w, &RequestError{Field: "file", Reason: err.Error()})
		return
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		fail(w, &RequestError{Field: "file", Reason: err.Error()})
		return
	}
	mime := hdr.Header.Get("Content-Type")
	s.mu.Lock()
	s.mediaSeq++
	key := fmt.Sprintf("m%d", s.mediaSeq)
	s.media[key] = mediaFile{Name: hdr.Filename, Type: mime, Data: data}
	s.mu.Unlock()
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	att := conversation.Attachment{Attachment: channel.Attachment{Name: hdr.Filename, MIMEType: mime, Size: int64(len(data))},
		URL: scheme + "://" + r.Host + "/media/" + key + "/" + hdr.Filename}
	msg, err := s.desk.SendAttachments(r.Context(), agent, id, r.FormValue("caption"), []conversation.Attachment{att})
	if err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"ok": true, "message": messageOf(msg)})
}

func (s *Server) serveMedia(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	f, ok := s.media[r.PathValue("id")]
	s.mu.Unlock()
	if !ok || f.Name != r.PathValue("name") {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", f.Type)
	_, _ = w.Write(f.Data)
}
