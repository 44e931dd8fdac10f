package template

import (
	"slices"
	"strings"
)

// Template is a parsed body, ready to render many times. It is immutable
// once parsed and safe for concurrent use by any number of goroutines.
type Template struct {
	src    string
	nodes  []node   // literal, then placeholder; the last node is literal only
	vars   []string // distinct paths in order of first appearance
	litLen int      // total literal bytes, so a render can size its output
}

// node is a literal followed by at most one placeholder. A placeholder's
// value is looked up once per render by slot, however often it appears.
type node struct {
	lit    string
	slot   int32 // index into Template.vars; -1 when no placeholder follows
	hasDef bool
	def    string
}

// Variables returns the distinct variable paths in order of first
// appearance. The slice is the caller's to keep.
func (t *Template) Variables() []string { return slices.Clone(t.vars) }

// String returns the source the template was parsed from.
func (t *Template) String() string { return t.src }

// stackSlots is how many distinct variables a render resolves without
// allocating; snippets rarely have more.
const stackSlots = 8

// Render fills the template from vars. A variable whose value is missing or
// empty takes its default; if it has none, Render returns "" and a
// *MissingVariableError naming every such variable (DESIGN.md §3.4).
// Values are written as they are, never parsed: a value containing "{{x}}"
// appears literally. Render allocates once, for the result.
func (t *Template) Render(vars map[string]string) (string, error) {
	var buf [stackSlots]string
	vals := t.slots(buf[:])
	for i, p := range t.vars {
		vals[i] = vars[p]
	}
	return t.render(vals)
}

// RenderFunc is Render with values from lookup, so a host can resolve paths
// from its own contact model without building a map. A path for which
// lookup reports false, or returns "", counts as missing. lookup is called
// once per distinct path.
func (t *Template) RenderFunc(lookup func(path string) (string, bool)) (string, error) {
	var buf [stackSlots]string
	vals := t.slots(buf[:])
	for i, p := range t.vars {
		if v, ok := lookup(p); ok {
			vals[i] = v
		}
	}
	return t.render(vals)
}

// AppendRender is Render appending to dst. It allocates nothing when dst has
// room for the result. On error dst is returned unchanged.
func (t *Template) AppendRender(dst []byte, vars map[string]string) ([]byte, error) {
	var buf [stackSlots]string
	vals := t.slots(buf[:])
	for i, p := range t.vars {
		vals[i] = vars[p]
	}
	return t.appendTo(dst, vals)
}

// AppendRenderFunc is RenderFunc appending to dst. It allocates nothing when
// dst has room for the result. On error dst is returned unchanged.
func (t *Template) AppendRenderFunc(dst []byte, lookup func(path string) (string, bool)) ([]byte, error) {
	var buf [stackSlots]string
	vals := t.slots(buf[:])
	for i, p := range t.vars {
		if v, ok := lookup(p); ok {
			vals[i] = v
		}
	}
	return t.appendTo(dst, vals)
}

func (t *Template) slots(buf []string) []string {
	if len(t.vars) <= len(buf) {
		return buf[:len(t.vars)]
	}
	return make([]string, len(t.vars))
}

// size returns the rendered length, or false when a value is missing.
// Empty counts as missing (DESIGN.md §3.4), so the default applies.
func (t *Template) size(vals []string) (int, bool) {
	n := t.litLen
	for i := range t.nodes {
		nd := &t.nodes[i]
		if nd.slot < 0 {
			continue
		}
		switch v := vals[nd.slot]; {
		case v != "":
			n += len(v)
		case nd.hasDef:
			n += len(nd.def)
		default:
			return 0, false
		}
	}
	return n, true
}

func (t *Template) render(vals []string) (string, error) {
	n, ok := t.size(vals)
	if !ok {
		return "", t.missing(vals)
	}
	// strings.Builder sized exactly: one allocation, not zeroed, and String
	// hands it out without a second copy.
	var b strings.Builder
	b.Grow(n)
	for i := range t.nodes {
		nd := &t.nodes[i]
		b.WriteString(nd.lit)
		if nd.slot < 0 {
			break
		}
		v := vals[nd.slot]
		if v == "" {
			v = nd.def
		}
		b.WriteString(v)
	}
	return b.String(), nil
}

func (t *Template) appendTo(dst []byte, vals []string) ([]byte, error) {
	n, ok := t.size(vals)
	if !ok {
		return dst, t.missing(vals)
	}
	dst = slices.Grow(dst, n)
	for i := range t.nodes {
		nd := &t.nodes[i]
		dst = append(dst, nd.lit...)
		if nd.slot < 0 {
			continue
		}
		if v := vals[nd.slot]; v != "" {
			dst = append(dst, v...)
		} else {
			dst = append(dst, nd.def...)
		}
	}
	return dst, nil
}

// missing lists, in order of first appearance, every path that has an
// occurrence without a default and no value.
func (t *Template) missing(vals []string) error {
	var paths []string
	seen := make([]bool, len(t.vars))
	for i := range t.nodes {
		nd := &t.nodes[i]
		if nd.slot < 0 || nd.hasDef || vals[nd.slot] != "" || seen[nd.slot] {
			continue
		}
		seen[nd.slot] = true
		paths = append(paths, t.vars[nd.slot])
	}
	return &MissingVariableError{Paths: paths}
}
