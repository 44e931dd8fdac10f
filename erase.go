package parley

import (
	"context"
	"errors"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/optout"
	"github.com/parleyhq/parley/routing"
)

// ErrEraseUnsupported: Erase was asked of a Desk whose conversation store
// cannot forget a contact (it does not implement conversation.Eraser).
// Nothing was erased. Check it with errors.Is.
var ErrEraseUnsupported = errors.New("parley: the conversation store cannot erase a contact")

// Erase forgets a contact (the right to be forgotten): every conversation,
// message and comment; the weight its open conversations held on agents,
// freed (and the waiting work that room lets in, dispatched); the desk's
// record of its customer-service windows and of its address; and the
// opt-out ledger redacted to what the law needs to honour a STOP (the
// address, the scope, the dates). A store that cannot erase (not a
// conversation.Eraser) fails with ErrEraseUnsupported and nothing is
// forgotten.
//
// Only a supervisor or SystemActor erases: anyone else is refused with
// ErrForbidden. contact must be an address as a webhook would give it
// ("+14155550100" for a phone, with its "+"): one that does not parse is
// refused with an error matching channel.ErrInvalidAddress (or the more
// precise channel.ErrInvalidPhoneNumber, channel.ErrInvalidEmail), since
// erasing nothing in silence would leave the contact's data behind while
// the host believes it gone.
//
// Conversations another desk sharing the store routed are freed in the
// shared Ledger here, and in that desk's view at its next Tick.
func (d *Desk) Erase(ctx context.Context, actorID string, contact channel.Address) (conversation.Erasure, error) {
	if err := d.supervising(ctx, actorID, "erase a contact"); err != nil {
		return conversation.Erasure{}, err
	}
	e, ok := d.store.(conversation.Eraser)
	if !ok {
		return conversation.Erasure{}, ErrEraseUnsupported
	}
	// The contact's ID is its normalised address, the form it was stored in.
	contact, err := channel.NewAddress(contact.Kind, contact.ID)
	if err != nil {
		return conversation.Erasure{}, err
	}
	held, err := d.contactConversations(ctx, contact.String())
	if err != nil {
		return conversation.Erasure{}, err
	}
	er, err := e.Erase(ctx, contact.String())
	if err != nil {
		return er, err
	}
	now := d.now()
	var errs []error
	for _, c := range held {
		_, routed, err := d.routes.placement(ctx, c.ID.String())
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if !routed {
			if d.shared() && c.Status == conversation.Assigned {
				_, err := d.ledger.Release(ctx, c.ID.String())
				errs = append(errs, err)
			}
			continue
		}
		decs, err := d.routeConv(ctx, routing.OpRelease, c.ID.String(), "", now)
		errs = append(errs, err)
		d.conclude(ctx, after{decs: decs, now: now})
	}
	if _, err := d.windows.Forget(ctx, contact); err != nil { // its notices with it
		errs = append(errs, err)
	}
	d.addrs.forget(contact)
	if _, err := d.consent.Erase(ctx, contact); err != nil && !errors.Is(err, optout.ErrRedactUnsupported) {
		errs = append(errs, err)
	}
	return er, errors.Join(errs...)
}

// contactConversations returns every conversation of contactID.
func (d *Desk) contactConversations(ctx context.Context, contactID string) ([]*conversation.Conversation, error) {
	var out []*conversation.Conversation
	q := conversation.Query{Viewer: conversation.Viewer{Supervisor: true}, ContactID: contactID, Limit: conversation.MaxLimit}
	for {
		page, err := d.store.Search(ctx, q)
		if err != nil {
			return nil, err
		}
		out = append(out, page.Conversations...)
		if page.Next == "" {
			return out, nil
		}
		q.Cursor = page.Next
	}
}
