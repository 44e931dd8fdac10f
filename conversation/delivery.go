package conversation

import (
	"errors"
	"time"
)

// DeliveryStatus is how far an outbound message got.
type DeliveryStatus uint8

// The delivery statuses, in the only order they may move: pending → sent →
// delivered → read. Failed is terminal and keeps its reason. The zero value
// DeliveryNone is for inbound messages and notes, which are not delivered.
const (
	DeliveryNone DeliveryStatus = iota
	// DeliveryPending: stored, not yet accepted by the provider.
	DeliveryPending
	// DeliverySent: the provider accepted it.
	DeliverySent
	// DeliveryDelivered: it reached the contact's device.
	DeliveryDelivered
	// DeliveryRead: the contact read it.
	DeliveryRead
	// DeliveryFailed: it will never arrive; see Delivery.Reason.
	DeliveryFailed
)

var deliveryNames = [...]string{
	DeliveryNone:      "none",
	DeliveryPending:   "pending",
	DeliverySent:      "sent",
	DeliveryDelivered: "delivered",
	DeliveryRead:      "read",
	DeliveryFailed:    "failed",
}

func (s DeliveryStatus) valid() bool { return s <= DeliveryFailed }

// ErrUnknownDeliveryStatus is returned for a delivery status that is not
// one of the six. Check it with errors.Is.
var ErrUnknownDeliveryStatus = errors.New("conversation: unknown delivery status")

// String returns the status's lower-case name ("delivered"), or
// "delivery(N)".
func (s DeliveryStatus) String() string { return stringOf(deliveryNames[:], s, "delivery") }

// ParseDeliveryStatus returns the delivery status named s, as
// [DeliveryStatus.String] spells it, or an error matching
// [ErrUnknownDeliveryStatus].
func ParseDeliveryStatus(s string) (DeliveryStatus, error) {
	return parseName[DeliveryStatus](deliveryNames[:], s, ErrUnknownDeliveryStatus)
}

// MarshalText encodes the status by name; an invalid one is an error
// matching [ErrUnknownDeliveryStatus].
func (s DeliveryStatus) MarshalText() ([]byte, error) {
	return marshalName(deliveryNames[:], s, ErrUnknownDeliveryStatus)
}

// UnmarshalText decodes a status name, as [ParseDeliveryStatus] does.
func (s *DeliveryStatus) UnmarshalText(b []byte) error {
	v, err := ParseDeliveryStatus(string(b))
	if err != nil {
		return err
	}
	*s = v
	return nil
}

// Delivery is an outbound message's delivery state.
type Delivery struct {
	Status DeliveryStatus
	// Reason says why it failed (the provider's error); empty otherwise.
	Reason string
	// Code classifies a failure for programs, in the writer's own short
	// vocabulary (the Desk writes "temporary", "permanent", "opted_out",
	// …), so that a retry can report the failure as the first attempt
	// did; empty otherwise. Stores keep it as they keep Reason.
	Code string
	// At is when the status last changed (the provider's timestamp).
	At time.Time
}

// Apply applies u with [Delivery.Advance] and, when u fails the message,
// records u.Code beside the reason. It reports whether anything changed.
func (d *Delivery) Apply(u DeliveryUpdate) bool {
	if !d.Advance(u.Status, u.Reason, u.At) {
		return false
	}
	if d.Status == DeliveryFailed {
		d.Code = u.Code
	}
	return true
}

// Advance moves the delivery status forward to to and reports whether it
// changed. A status never moves back: a late or
// duplicate callback (delivered after read, sent twice) is ignored, not an
// error, and so is any update after Failed, which is terminal. Failed is
// taken only before the message was delivered; a failure reported after
// delivery or read is a late callback and is ignored. DeliveryNone and
// invalid values never change anything.
func (d *Delivery) Advance(to DeliveryStatus, reason string, at time.Time) bool {
	switch {
	case to == DeliveryNone || !to.valid():
		return false
	case d.Status == DeliveryFailed:
		return false
	case to == DeliveryFailed:
		if d.Status >= DeliveryDelivered {
			return false
		}
		d.Reason = reason
	case to <= d.Status:
		return false
	}
	d.Status = to
	d.At = at
	return true
}
