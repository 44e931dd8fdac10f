package conversation

// CheckStored refuses a conversation no store may keep: nil, or without
// an ID, a valid Status, a Touchpoint or a Contact.ID. It returns a
// *FieldError (ErrInvalid). Stores call it in Create and Update.
func CheckStored(c *Conversation) error {
	switch {
	case c == nil:
		return invalid("Conversation", "is nil")
	case c.ID.IsZero():
		return invalid("ID", "is required")
	case !c.Status.Valid():
		return invalid("Status", "is not valid")
	case c.Touchpoint == "":
		return invalid("Touchpoint", "is required")
	case c.Contact.ID == "":
		return invalid("Contact.ID", "is required")
	}
	return nil
}

// CheckIdentity refuses an update c of stored conversation old that
// changes a field saying which conversation this is: its touchpoint,
// channel, direction, contact, interaction or creation time. It returns a
// *FieldError (ErrInvalid). Stores call it in Update.
func CheckIdentity(old, c *Conversation) error {
	field := ""
	switch {
	case old.Touchpoint != c.Touchpoint:
		field = "Touchpoint"
	case old.Channel != c.Channel:
		field = "Channel"
	case old.Direction != c.Direction:
		field = "Direction"
	case old.Contact.ID != c.Contact.ID:
		field = "Contact.ID"
	case old.InteractionID != c.InteractionID:
		field = "InteractionID"
	case !old.CreatedAt.Equal(c.CreatedAt):
		field = "CreatedAt"
	default:
		return nil
	}
	return invalid(field, "cannot change after create")
}
