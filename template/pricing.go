package template

import (
	"errors"
	"fmt"
)

// Pricing is the category Meta bills a WhatsApp message under. Since 1 July
// 2025 Meta charges per delivered template message, not per conversation.
type Pricing uint8

// The pricing categories. Service is a free-form reply inside the
// customer-service window, which is not a template.
const (
	PricingMarketing Pricing = iota + 1
	PricingUtility
	PricingAuthentication
	PricingService
)

var pricingNames = [...]string{
	PricingMarketing:      "marketing",
	PricingUtility:        "utility",
	PricingAuthentication: "authentication",
	PricingService:        "service",
}

// String returns the pricing category's lower-case name, as Meta's
// pricing analytics name it, or "pricing(N)".
func (p Pricing) String() string {
	if p < PricingMarketing || p > PricingService {
		return fmt.Sprintf("pricing(%d)", uint8(p))
	}
	return pricingNames[p]
}

// ErrUnknownPricing is returned for a pricing category name or value that
// is not one of the constants. Check it with errors.Is.
var ErrUnknownPricing = errors.New("template: unknown pricing category")

// ParsePricing reads a pricing category as Meta writes it ("UTILITY") or as
// String does; ASCII case does not matter. Other text fails with an error
// matching [ErrUnknownPricing].
func ParsePricing(s string) (Pricing, error) {
	for p := PricingMarketing; p <= PricingService; p++ {
		if sameASCIIFold(pricingNames[p], s) {
			return p, nil
		}
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownPricing, s)
}

// MarshalText encodes the pricing category as String's name; a value
// outside the constants is an error matching [ErrUnknownPricing].
func (p Pricing) MarshalText() ([]byte, error) {
	if p < PricingMarketing || p > PricingService {
		return nil, fmt.Errorf("%w: %d", ErrUnknownPricing, uint8(p))
	}
	return []byte(pricingNames[p]), nil
}

// UnmarshalText decodes a pricing category as [ParsePricing] reads it. On
// error p is unchanged.
func (p *Pricing) UnmarshalText(b []byte) error {
	v, err := ParsePricing(string(b))
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Charge says how Meta bills one WhatsApp message, so a host can show what
// a send costs before it happens.
type Charge struct {
	// Pricing is the category the message is billed under.
	Pricing Pricing
	// Billable reports that the message is charged per delivered message;
	// false means it is free.
	Billable bool
}

// String describes the charge: "marketing, charged per delivered message"
// or "utility, free".
func (c Charge) String() string {
	if c.Billable {
		return c.Pricing.String() + ", charged per delivered message"
	}
	return c.Pricing.String() + ", free"
}

// ChargeFor applies Meta's per-message pricing (from 1 July 2025):
// marketing and authentication messages are always charged; utility
// messages are charged outside the customer-service window and free inside
// it; service messages (free-form replies, possible only inside the
// window) are free. inWindow reports whether the contact's 24-hour window
// is open at send time (package session computes it). A 72-hour free
// entry-point window, which makes every message free, is the caller's to
// apply.
func ChargeFor(p Pricing, inWindow bool) Charge {
	switch p {
	case PricingMarketing, PricingAuthentication:
		return Charge{Pricing: p, Billable: true}
	case PricingUtility:
		return Charge{Pricing: p, Billable: !inWindow}
	case PricingService:
		return Charge{Pricing: PricingService}
	}
	return Charge{}
}

// Pricing returns the pricing category of a template in category c.
func (c Category) Pricing() Pricing {
	switch c {
	case Marketing:
		return PricingMarketing
	case Utility:
		return PricingUtility
	case Authentication:
		return PricingAuthentication
	}
	return 0
}

// Charge reports how Meta bills sending w, with inWindow telling whether
// the contact's customer-service window is open.
func (w WhatsApp) Charge(inWindow bool) Charge {
	if p := w.Category.Pricing(); p != 0 {
		return ChargeFor(p, inWindow)
	}
	return Charge{}
}
