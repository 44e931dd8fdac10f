package routing

// The enums of this package encode as their lower-case names, through
// these helpers: names[v] spells value v.

// parseName returns the value names spells s; any other text is refused
// with an error matching ErrInvalid.
func parseName[T ~uint8](what string, names []string, s string) (T, error) {
	for v, name := range names {
		if name == s {
			return T(v), nil
		}
	}
	return 0, errorf(ErrInvalid, "unknown %s %q", what, s)
}

// marshalName returns v's name, or an error matching ErrInvalid for a
// value names does not spell.
func marshalName[T ~uint8](what string, names []string, v T) ([]byte, error) {
	if int(v) >= len(names) {
		return nil, errorf(ErrInvalid, "unknown %s %d", what, uint8(v))
	}
	return []byte(names[v]), nil
}

// unmarshalName sets *v to the value named b, leaving it unchanged on
// error.
func unmarshalName[T ~uint8](v *T, what string, names []string, b []byte) error {
	x, err := parseName[T](what, names, string(b))
	if err != nil {
		return err
	}
	*v = x
	return nil
}
