package helpdesk

import (
	"errors"
	"fmt"
	"net/http"
	"regexp"
	"slices"
	"strings"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/session"
)

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
