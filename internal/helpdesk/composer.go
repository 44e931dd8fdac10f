package helpdesk

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	ptemplate "github.com/parleyhq/parley/template"
)

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
