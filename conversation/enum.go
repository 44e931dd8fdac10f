package conversation

import "fmt"

// The enums of this package encode as their lower-case names, so a host's
// JSON or database reads "delivered", not 2. Each keeps its names in a table
// indexed by value, where "" marks a value that is not valid; the helpers
// below are the one implementation of String, ParseX and MarshalText.

// name returns v's name in names, or "" when v is not valid.
func name[T ~uint8](names []string, v T) string {
	if int(v) < len(names) {
		return names[v]
	}
	return ""
}

// stringOf returns v's name, or "kind(N)" for a value that is not valid.
func stringOf[T ~uint8](names []string, v T, kind string) string {
	if n := name(names, v); n != "" {
		return n
	}
	return fmt.Sprintf("%s(%d)", kind, uint8(v))
}

// parseName returns the value named s, or an error wrapping errUnknown.
func parseName[T ~uint8](names []string, s string, errUnknown error) (T, error) {
	if s != "" {
		for i, n := range names {
			if n == s {
				return T(i), nil
			}
		}
	}
	return 0, fmt.Errorf("%w: %q", errUnknown, s)
}

// marshalName returns v's name, or an error wrapping errUnknown for a value
// that is not valid.
func marshalName[T ~uint8](names []string, v T, errUnknown error) ([]byte, error) {
	if n := name(names, v); n != "" {
		return []byte(n), nil
	}
	return nil, fmt.Errorf("%w: %d", errUnknown, uint8(v))
}
