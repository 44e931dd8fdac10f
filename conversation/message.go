package conversation

import (
	"errors"
	"fmt"
	"time"

	"github.com/parleyhq/parley/channel"
)

// AuthorKind says who wrote a message.
type AuthorKind uint8

// The author kinds. The zero value is not valid.
const (
	AuthorContact AuthorKind = iota + 1 // the person the business talks with
	AuthorAgent                         // a human agent
	AuthorBot                           // the host's bot
	AuthorSystem                        // parley or the host itself (notices, automations)
)

var authorNames = [...]string{AuthorContact: "contact", AuthorAgent: "agent", AuthorBot: "bot", AuthorSystem: "system"}

// ErrUnknownAuthorKind is returned for an author kind that is not one of
// the four. Check it with errors.Is.
var ErrUnknownAuthorKind = errors.New("conversation: unknown author kind")

// String returns "contact", "agent", "bot", "system" or "author(N)".
func (k AuthorKind) String() string { return stringOf(authorNames[:], k, "author") }

// ParseAuthorKind returns the author kind named s, as [AuthorKind.String]
// spells it, or an error matching [ErrUnknownAuthorKind].
func ParseAuthorKind(s string) (AuthorKind, error) {
	return parseName[AuthorKind](authorNames[:], s, ErrUnknownAuthorKind)
}

// MarshalText encodes the author kind by name; an invalid one is an error
// matching [ErrUnknownAuthorKind].
func (k AuthorKind) MarshalText() ([]byte, error) {
	return marshalName(authorNames[:], k, ErrUnknownAuthorKind)
}

// UnmarshalText decodes an author kind name, as [ParseAuthorKind] does.
func (k *AuthorKind) UnmarshalText(b []byte) error {
	v, err := ParseAuthorKind(string(b))
	if err != nil {
		return err
	}
	*k = v
	return nil
}

// Author is who wrote a message: its kind and, for contacts, agents and
// bots, their ID.
type Author struct {
	Kind AuthorKind
	ID   string
}

// Attachment is a file carried by a message: what the channel checks need
// to know of it ([channel.Attachment]: name, MIME type, size, duration,
// voice note) and where it is. A voice note is an audio attachment with
// VoiceNote set, at most 5 minutes long; channels without voice notes
// receive it as a plain file attachment.
type Attachment struct {
	channel.Attachment
	// URL is where the file is, as the provider or the host stores it.
	URL string
}

// TemplateRef names the pre-approved template an outbound message was sent
// with: on WhatsApp, the only way to write once the contact's 24-hour
// window has closed.
type TemplateRef struct {
	Name     string  // such as "order_update"
	Language string  // the provider's code, such as "en_US"
	Params   []Param // in body order
}

// Param is one template parameter: Name is "1", "2", … for positional
// templates, or the parameter's name for named ones.
type Param struct {
	Name, Value string
}

// Notice marks a message the system wrote for the agent about the contact.
type Notice uint8

// The notices. The zero value means "not a notice".
const (
	// NoticeUnsupported: the contact sent something the channel or parley
	// cannot show; the message reads [UnsupportedText].
	NoticeUnsupported Notice = iota + 1
)

var noticeNames = [...]string{0: "none", NoticeUnsupported: "unsupported"}

// ErrUnknownNotice is returned for a notice that is not "none" or one of
// the declared notices. Check it with errors.Is.
var ErrUnknownNotice = errors.New("conversation: unknown notice")

// String returns "none" for the zero value, "unsupported", or "notice(N)".
func (n Notice) String() string { return stringOf(noticeNames[:], n, "notice") }

// ParseNotice returns the notice named s, as [Notice.String] spells it, or
// an error matching [ErrUnknownNotice].
func ParseNotice(s string) (Notice, error) {
	return parseName[Notice](noticeNames[:], s, ErrUnknownNotice)
}

// MarshalText encodes the notice by name; an invalid one is an error
// matching [ErrUnknownNotice].
func (n Notice) MarshalText() ([]byte, error) {
	return marshalName(noticeNames[:], n, ErrUnknownNotice)
}

// UnmarshalText decodes a notice name, as [ParseNotice] does.
func (n *Notice) UnmarshalText(b []byte) error {
	v, err := ParseNotice(string(b))
	if err != nil {
		return err
	}
	*n = v
	return nil
}

// Message is one message in a conversation, either way, or an internal note.
type Message struct {
	// ID is a UUIDv7, given by the caller.
	ID ID
	// ConversationID is the conversation it belongs to.
	ConversationID ID
	// Direction: Inbound from the contact, Outbound to the contact. Internal
	// notes are Outbound with Internal set.
	Direction Direction
	// Internal marks an agent's note: it is stored and shown to agents and
	// never sent to the contact.
	Internal bool
	// Imported marks history that preceded the hand-off, such as the host's
	// bot transcript on its own channel; it never counts as unread and is
	// never sent.
	Imported bool
	// Notice marks a system notice for the agent; see [NoticeUnsupported].
	Notice Notice
	// Author is who wrote it.
	Author Author
	// Text is the body; may be empty when there are attachments or a template.
	Text string
	// Attachments are the files it carries, voice notes included.
	Attachments []Attachment
	// Template names the template it was sent with, if any.
	Template *TemplateRef
	// ProviderID is the provider's message ID: inbound messages are
	// idempotent on (touchpoint, sender, ProviderID) and delivery
	// callbacks find outbound messages by (touchpoint, ProviderID) (rule
	// 9). Empty until the transport accepted an outbound message.
	ProviderID string
	// Delivery is the outbound delivery status; zero for inbound messages
	// and notes.
	Delivery Delivery
	// CreatedAt is when it was written (for imported history: when it was
	// originally written).
	CreatedAt time.Time
}

// Sendable reports whether the message goes to the contact: outbound, not a
// note, not imported history.
func (m *Message) Sendable() bool {
	return m.Direction == Outbound && !m.Internal && !m.Imported
}

// Clone returns a deep copy, so changing it never changes m.
func (m *Message) Clone() *Message {
	d := *m
	if m.Attachments != nil {
		d.Attachments = append([]Attachment(nil), m.Attachments...)
	}
	if m.Template != nil {
		t := *m.Template
		t.Params = append([]Param(nil), t.Params...)
		d.Template = &t
	}
	return &d
}

// Validate checks that m is a well-formed message: IDs set, a valid
// direction and author, some content, and no provider ID or delivery status
// on a note. It returns a [*FieldError] matching [ErrInvalid].
func (m *Message) Validate() error {
	switch {
	case m.ID.IsZero():
		return invalid("Message.ID", "is required")
	case m.ConversationID.IsZero():
		return invalid("Message.ConversationID", "is required")
	case !m.Direction.Valid():
		return invalid("Message.Direction", "must be Inbound or Outbound")
	case m.Author.Kind < AuthorContact || m.Author.Kind > AuthorSystem:
		return invalid("Message.Author.Kind", "is not valid")
	case m.Direction == Inbound && m.Author.Kind != AuthorContact && m.Author.Kind != AuthorSystem:
		// Inbound is the contact's, or a system notice about what the
		// contact sent.
		return invalid("Message.Author.Kind", "must be contact or system on an inbound message")
	case m.Direction == Outbound && m.Author.Kind == AuthorContact:
		return invalid("Message.Author.Kind", "cannot be the contact on an outbound message")
	case m.Internal && m.Direction != Outbound:
		return invalid("Message.Internal", "notes are written by the business (Outbound)")
	case m.Internal && (m.ProviderID != "" || m.Delivery.Status != DeliveryNone):
		// Internal notes are never sent, so they have no delivery.
		return invalid("Message.Internal", "notes are never sent: no provider ID or delivery status")
	case m.Notice > NoticeUnsupported:
		return invalid("Message.Notice", "is not valid")
	case !m.Delivery.Status.valid():
		return invalid("Message.Delivery.Status", "is not valid")
	case m.Text == "" && len(m.Attachments) == 0 && m.Template == nil && m.Notice == 0:
		return invalid("Message", "has no text, attachment, template or notice")
	}
	return nil
}

// UnsupportedText is the text of the system notice that replaces a message
// in a format the channel does not support.
const UnsupportedText = "the contact sent an unsupported message"

// UnsupportedNotice returns the system notice that stands for a contact's
// message in an unsupported format. It keeps the provider ID, so a retried
// webhook is still recognised as a duplicate.
func UnsupportedNotice(id, conversationID ID, providerID string, now time.Time) *Message {
	return &Message{
		ID:             id,
		ConversationID: conversationID,
		Direction:      Inbound,
		Notice:         NoticeUnsupported,
		Author:         Author{Kind: AuthorSystem},
		Text:           UnsupportedText,
		ProviderID:     providerID,
		CreatedAt:      now,
	}
}

// Receive records an inbound message on the conversation: it must be open
// (a message after the end starts a follow-up instead, and Receive returns
// an [*EndedError]). It counts the message as unread unless it is imported
// history, and returns the event to publish.
func (c *Conversation) Receive(m *Message) (MessageReceivedEvent, error) {
	if err := c.own(m, Inbound); err != nil {
		return MessageReceivedEvent{}, err
	}
	if !c.Status.Open() {
		return MessageReceivedEvent{}, &EndedError{ID: c.ID, Status: c.Status}
	}
	if !m.Imported {
		c.Unread++
		if m.CreatedAt.After(c.LastInboundAt) {
			c.LastInboundAt = m.CreatedAt
		}
	}
	c.touch(m.CreatedAt)
	return NewMessageReceived(m), nil
}

// NewMessageReceived is the event [Conversation.Receive] reports for m, an
// inbound message recorded in its conversation; for a caller whose store
// applied Receive out of sight (a [Receiver]).
func NewMessageReceived(m *Message) MessageReceivedEvent {
	return MessageReceivedEvent{EventHeader: EventHeader{ConversationID: m.ConversationID, At: m.CreatedAt}, Message: *m}
}

// AwaitsFirstMessage reports that the contact started c and none of the
// contact's messages is recorded in it yet: the next inbound message is the
// first, which a welcome and routing follow.
func (c *Conversation) AwaitsFirstMessage() bool {
	return c.Direction == Inbound && c.LastInboundAt.IsZero()
}

// Post records an outbound message or note written on the conversation.
// Messages to the contact need an open conversation; notes are also allowed
// during WrapUp (the agent is writing them up) but not once closed. Post
// returns no event: [MessageSentEvent] follows when the transport accepted
// the message.
func (c *Conversation) Post(m *Message) error {
	if err := c.own(m, Outbound); err != nil {
		return err
	}
	if !c.Status.Open() && !(m.Internal && c.Status == WrapUp) {
		return &EndedError{ID: c.ID, Status: c.Status}
	}
	c.touch(m.CreatedAt)
	return nil
}

func (c *Conversation) own(m *Message, d Direction) error {
	if err := m.Validate(); err != nil {
		return err
	}
	if m.ConversationID != c.ID {
		return invalid("Message.ConversationID", fmt.Sprintf("is %s, not this conversation %s", m.ConversationID, c.ID))
	}
	if m.Direction != d {
		return invalid("Message.Direction", "must be "+d.String())
	}
	return nil
}

func (c *Conversation) touch(at time.Time) {
	if at.After(c.LastMessageAt) {
		c.LastMessageAt = at
	}
	if at.After(c.UpdatedAt) {
		c.UpdatedAt = at
	}
}
