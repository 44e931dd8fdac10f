package conversation

import (
	"context"
	"time"
)

// Store persists conversations and their messages. A host keeps
// conversations in its own database by implementing Store and proving it
// with one call: conversationtest.Run(t, newStore). Package
// memory holds the embedded default.
//
// Implementations must be safe for concurrent use by multiple goroutines,
// from several processes when the storage is shared. Every method returns
// copies: changing a returned value never changes the store, and the store
// never keeps the caller's pointers. A failed call changes nothing.
//
// The contract, which the conformance suite checks rule by rule:
//
//   - Create stores a new conversation and sets c.Version to 1. It fails with
//     ErrInvalid (zero ID, invalid status, no touchpoint or contact),
//     ErrDuplicateID, ErrOpenExists when c is open and another open
//     conversation has the same [Key], or ErrOutboundExists when c is open
//     and Outbound and another open Outbound conversation has the same
//     touchpoint and contact (the host's own channel allows one at a time).
//     These checks and the insert
//     are atomic: two concurrent creates for one slot never both succeed.
//   - Get returns the conversation, or ErrNotFound.
//   - Update stores c if c.Version equals the stored version, then sets
//     c.Version to the new version (one more). A stale Version fails with
//     ErrConflict (a [*ConflictError]) and changes nothing: no lost updates.
//     It fails with ErrNotFound for an unknown ID, ErrInvalid when an
//     identity field changed (Touchpoint, Channel, Direction, Contact.ID,
//     InteractionID, CreatedAt), and ErrOpenExists or ErrOutboundExists as
//     Create does when the update would reopen into an occupied slot.
//   - FindOpen returns the open (Bot, Queued or Assigned) conversation in
//     slot k, or ErrNotFound.
//   - Search returns one page of the conversations q selects that
//     q.Viewer may see (see [Query]).
//   - Record stores message m and the change it made to its conversation c
//     (m.ConversationID == c.ID; [Conversation.Receive] or
//     [Conversation.Post] applied to c) as one atomic step, so a failure
//     never leaves a message its conversation does not count. It is
//     AppendMessage and Update together: when m's provider key (see
//     MessageStore) is already stored it returns that message, created ==
//     false, and stores neither; otherwise it fails as either would (ErrConflict
//     for a stale c.Version, ErrDuplicateID, ErrInvalid, ErrNotFound) and
//     stores neither, or stores both and sets c.Version.
type Store interface {
	Create(ctx context.Context, c *Conversation) error
	Get(ctx context.Context, id ID) (*Conversation, error)
	Update(ctx context.Context, c *Conversation) error
	FindOpen(ctx context.Context, k Key) (*Conversation, error)
	Search(ctx context.Context, q Query) (Page, error)
	Record(ctx context.Context, c *Conversation, m *Message) (stored *Message, created bool, err error)
	MessageStore
}

// MessageStore is the message half of [Store]. Its methods, like Store's,
// are safe for concurrent use, return copies and change nothing on failure.
//
// A message with a provider ID has a provider key, on every channel: an
// inbound message's is (touchpoint, sender, provider ID), the sender being
// its conversation's Contact.ID, because on web chat and the host's own
// channel the client picks IDs and two contacts may pick the same one; an
// outbound message's is (touchpoint, provider ID), the ID the provider
// assigned and quotes in delivery callbacks. An inbound and an outbound
// key never match each other, so an inbound ID that equals an outbound
// provider ID is neither's duplicate.
//
//   - AppendMessage stores m (checked with [Message.Validate]) in its
//     conversation. It is idempotent on m's provider key: when a message
//     with that key is already stored it returns that message and
//     created == false, and stores nothing (a provider retrying a webhook
//     never duplicates a message, and another contact's message reusing
//     the ID is stored as its own); concurrent duplicates store exactly
//     one. Messages with an empty ProviderID are always appended. When
//     created it returns m itself. Errors: ErrInvalid, ErrNotFound (no
//     such conversation), ErrDuplicateID (m.ID taken).
//   - UpdateDelivery applies u to one message with [Delivery.Apply], so
//     the status only moves forward and a failure keeps its Reason and
//     Code; a late or duplicate update returns the message with changed ==
//     false and no error. By (Touchpoint, ProviderID) it finds the
//     outbound message with that key, never an inbound one. Errors:
//     ErrInvalid, ErrNotFound, ErrDuplicateID (u records a provider ID
//     whose key another message has).
//   - MessageByProvider returns the message with provider key
//     (touchpoint, from, providerID): with from, a contact ID, the inbound
//     message that contact sent; with from empty, the outbound message the
//     provider gave that ID, including IDs UpdateDelivery recorded. It
//     reads the index AppendMessage deduplicates on and UpdateDelivery
//     finds callbacks by. The Desk asks it before starting a conversation
//     for a webhook, so a provider retry that arrives after the
//     conversation ended is recognised instead of opening a follow-up.
//     Errors: ErrInvalid (empty touchpoint or provider ID), ErrNotFound.
//   - Messages returns one page of a conversation's messages (see
//     [MessageQuery]). Errors: ErrNotFound (no such conversation),
//     ErrBadCursor, ErrInvalid.
//
// conversationtest.Run proves these methods with the rest of Store.
type MessageStore interface {
	AppendMessage(ctx context.Context, m *Message) (stored *Message, created bool, err error)
	UpdateDelivery(ctx context.Context, u DeliveryUpdate) (m *Message, changed bool, err error)
	MessageByProvider(ctx context.Context, touchpoint, from, providerID string) (*Message, error)
	Messages(ctx context.Context, q MessageQuery) (MessagePage, error)
}

// Receiver is implemented by stores that can take an inbound message into
// its slot's open conversation in one atomic step (for a SQL store, one
// transaction); the Desk uses it for nearly every webhook in place of
// FindOpen, [Conversation.Receive] and Record. conversationtest.Run checks
// it when it is there. A store that wraps another must forward ReceiveOpen
// or hide it: a promoted ReceiveOpen bypasses the wrapper's overrides.
type Receiver interface {
	// ReceiveOpen takes inbound message m into the open conversation of
	// slot k. It is safe for concurrent use, and a failure stores nothing.
	// It checks in this order; the first check that decides ends the call:
	//
	//  1. No open (Bot, Queued or Assigned) conversation in slot k:
	//     ErrNotFound (the caller starts one). Otherwise it sets
	//     m.ConversationID to that conversation's ID, even when a later
	//     check fails.
	//  2. [Message.Validate]: ErrInvalid.
	//  3. A provider retry, m's provider key (k's touchpoint, k's
	//     contact, m.ProviderID) already stored, in any conversation: that
	//     message as Received.Message, Created false, no Conversation, no
	//     error.
	//  4. A taken message ID: ErrDuplicateID.
	//  5. [Conversation.Receive] refuses m (an Outbound one): ErrInvalid.
	//
	// Then it stores m and the change as Record does, both or neither, and
	// returns m itself as Received.Message, Created set, and a copy of the
	// conversation as stored (its Version one more). A store that checks
	// versions rather than locking may return ErrConflict, having stored
	// nothing; the Desk then takes FindOpen, Receive and Record, retrying
	// Record.
	ReceiveOpen(ctx context.Context, k Key, m *Message) (Received, error)
}

// Received is what [Receiver.ReceiveOpen] did with an inbound message.
type Received struct {
	// Conversation is a copy of the conversation as stored with the
	// message; nil unless Created.
	Conversation *Conversation
	// Message is the stored message: the one given, or the one a provider
	// retry repeats.
	Message *Message
	// Created reports that the message was stored now.
	Created bool
	// First reports that the message is the contact's first in a
	// conversation the contact started ([Conversation.AwaitsFirstMessage]
	// before it): its start was stored but its message was not, so what
	// follows a first message (a welcome, routing) is still to do.
	First bool
}

// Eraser is implemented by stores that can forget a contact (the right to
// be forgotten). Erase removes every conversation of the
// contact, their messages, and the contact's comments when the store also
// implements [CommentStore]; afterwards Get, FindOpen, Search, Messages and
// Comments find none of them. Erasing an unknown contact is not an error.
// The opt-out ledger, kept by package optout, is not touched.
// conversationtest.Run checks Erase when the store implements it.
type Eraser interface {
	Erase(ctx context.Context, contactID string) (Erasure, error)
}

// Erasure counts what [Eraser.Erase] removed.
type Erasure struct {
	Conversations, Messages, Comments int
}

// CommentStore is implemented by stores that keep comments on contacts.
// AddComment stores c (checked with [Comment.Validate]; ErrInvalid,
// ErrDuplicateID); Comments returns the contact's comments oldest first,
// none (and no error) for an unknown contact.
// conversationtest.Run checks both when the store implements them.
type CommentStore interface {
	AddComment(ctx context.Context, c *Comment) error
	Comments(ctx context.Context, contactID string) ([]*Comment, error)
}

// DeliveryUpdate is one delivery report for [MessageStore.UpdateDelivery].
// It addresses the message either by MessageID or, when MessageID is zero,
// by (Touchpoint, ProviderID), the way a provider's status callback names
// an outbound message.
type DeliveryUpdate struct {
	MessageID  ID
	Touchpoint string
	// ProviderID addresses the message with Touchpoint; with MessageID it
	// records the provider's ID on a message that has none yet (the
	// transport's answer), after which callbacks find it by that ID.
	ProviderID string
	// Status is the new status; DeliveryNone only records ProviderID.
	Status DeliveryStatus
	// Reason says why, for DeliveryFailed.
	Reason string
	// Code classifies the failure, for DeliveryFailed (see [Delivery.Code]).
	Code string
	// At is when the provider says it happened.
	At time.Time
}

// Validate checks that u addresses a message and carries a valid status.
func (u *DeliveryUpdate) Validate() error {
	switch {
	case u.MessageID.IsZero() && (u.Touchpoint == "" || u.ProviderID == ""):
		return invalid("DeliveryUpdate", "needs a MessageID, or a Touchpoint and ProviderID")
	case !u.Status.valid():
		return invalid("DeliveryUpdate.Status", "is not valid")
	case u.Status == DeliveryNone && (u.MessageID.IsZero() || u.ProviderID == ""):
		return invalid("DeliveryUpdate.Status", "is required unless recording a provider ID")
	}
	return nil
}
