package template

import (
	"fmt"
	"strings"
)

// Schema is the set of variable paths a host offers, given to ParseWith so
// that a template naming anything else is refused when it is created, not
// when it is sent. It is immutable and safe for concurrent
// use.
type Schema struct {
	exact    map[string]struct{}
	prefixes []string // "contact." for an entry "contact.*"
}

// NewSchema returns a schema allowing paths. An entry ending in ".*" allows
// every path below it: "contact.*" allows "contact.first_name" and
// "contact.address.city", for hosts with custom contact fields. An entry
// that is not a valid path fails with ErrSyntax.
func NewSchema(paths ...string) (*Schema, error) {
	s := &Schema{exact: make(map[string]struct{}, len(paths))}
	for _, p := range paths {
		if base, ok := strings.CutSuffix(p, ".*"); ok {
			if !validPath(base) {
				return nil, fmt.Errorf("template: schema entry %q: %w", p, ErrSyntax)
			}
			s.prefixes = append(s.prefixes, base+".")
			continue
		}
		if !validPath(p) {
			return nil, fmt.Errorf("template: schema entry %q: %w", p, ErrSyntax)
		}
		s.exact[p] = struct{}{}
	}
	return s, nil
}

// Allows reports whether path is in the schema.
func (s *Schema) Allows(path string) bool {
	if _, ok := s.exact[path]; ok {
		return true
	}
	for _, p := range s.prefixes {
		if strings.HasPrefix(path, p) && len(path) > len(p) {
			return true
		}
	}
	return false
}
