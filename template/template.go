package template

import (
	"slices"
	"strconv"
	"unsafe"
)

// Template is a parsed body, ready to render many times. It is immutable
// once parsed and safe for concurrent use by any number of goroutines.
type Template struct {
	src    string
	nodes  []node   // literal, then placeholder; the last node is literal only
	vars   []string // distinct paths in order of first appearance
	uses   []use    // per distinct path, parallel to vars
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

// use summarises one distinct path's placeholders, so that a render sizes
// its output while it looks the values up, without a pass over the nodes.
type use struct {
	path   string
	count  int  // placeholders naming the path
	bare   bool // one of them has no default, so an empty value is missing
	defLen int  // bytes of their defaults together, written when the value is empty
}

// index computes litLen and uses from nodes and vars once they are
// complete; every constructor of a Template calls it last.
func (t *Template) index() {
	t.litLen = 0
	t.uses = make([]use, len(t.vars))
	for i, p := range t.vars {
		t.uses[i].path = p
	}
	for _, nd := range t.nodes {
		t.litLen += len(nd.lit)
		if nd.slot < 0 {
			continue
		}
		u := &t.uses[nd.slot]
		u.count++
		if nd.hasDef {
			u.defLen += len(nd.def)
		} else {
			u.bare = true
		}
	}
}

// Variables returns the distinct variable paths in order of first
// appearance. The slice is the caller's to keep.
func (t *Template) Variables() []string { return slices.Clone(t.vars) }

// String returns the source the template was parsed from.
func (t *Template) String() string { return t.src }

// stackSlots is how many distinct variables a render resolves into an
// array on its stack; snippets rarely have more, and a template with more
// resolves into one extra slice.
const stackSlots = 8

// Render fills the template from vars. A variable whose value is missing or
// empty takes its default; if it has none, Render returns "" and a
// *MissingVariableError naming every such variable (DESIGN.md §3.4).
// Values are written as they are, never parsed: a value containing "{{x}}"
// appears literally. Render allocates once, for the result.
func (t *Template) Render(vars map[string]string) (string, error) {
	// The values go into an array the compiler knows is on the stack, so
	// storing them needs no write barrier while the collector runs, and
	// each is looked up straight from the map, not through a closure: the
	// lookups are most of what a render costs beyond the copy (DESIGN.md
	// §6). The branches repeat the call so that each inlines with its own
	// slice.
	if len(t.uses) > stackSlots {
		vals := make([]string, len(t.uses))
		n, ok := t.fromMap(vals, vars)
		return t.result(vals, n, ok)
	}
	var buf [stackSlots]string
	vals := buf[:len(t.uses)]
	n, ok := t.fromMap(vals, vars)
	return t.result(vals, n, ok)
}

// RenderFunc is Render with values from lookup, so a host can resolve paths
// from its own contact model without building a map. A path for which
// lookup reports false, or returns "", counts as missing. lookup is called
// once per distinct path.
func (t *Template) RenderFunc(lookup func(path string) (string, bool)) (string, error) {
	if len(t.uses) > stackSlots {
		vals := make([]string, len(t.uses))
		n, ok := t.fromFunc(vals, lookup)
		return t.result(vals, n, ok)
	}
	var buf [stackSlots]string
	vals := buf[:len(t.uses)]
	n, ok := t.fromFunc(vals, lookup)
	return t.result(vals, n, ok)
}

// AppendRender is Render appending to dst. It allocates nothing when dst has
// room for the result. On error dst is returned unchanged.
func (t *Template) AppendRender(dst []byte, vars map[string]string) ([]byte, error) {
	if len(t.uses) > stackSlots {
		vals := make([]string, len(t.uses))
		n, ok := t.fromMap(vals, vars)
		return t.appendResult(dst, vals, n, ok)
	}
	var buf [stackSlots]string
	vals := buf[:len(t.uses)]
	n, ok := t.fromMap(vals, vars)
	return t.appendResult(dst, vals, n, ok)
}

// AppendRenderFunc is RenderFunc appending to dst. It allocates nothing when
// dst has room for the result. On error dst is returned unchanged.
func (t *Template) AppendRenderFunc(dst []byte, lookup func(path string) (string, bool)) ([]byte, error) {
	if len(t.uses) > stackSlots {
		vals := make([]string, len(t.uses))
		n, ok := t.fromFunc(vals, lookup)
		return t.appendResult(dst, vals, n, ok)
	}
	var buf [stackSlots]string
	vals := buf[:len(t.uses)]
	n, ok := t.fromFunc(vals, lookup)
	return t.appendResult(dst, vals, n, ok)
}

// fromMap sets vals[i] to the value of the i-th distinct path and returns
// the rendered length; ok is false when a value is missing. Empty counts
// as missing (DESIGN.md §3.4), so the defaults apply. Sizing here saves a
// pass over the nodes.
func (t *Template) fromMap(vals []string, vars map[string]string) (n int, ok bool) {
	n, ok = t.litLen, true
	for i := range t.uses {
		u := &t.uses[i]
		v := vars[u.path]
		vals[i] = v
		n, ok = u.size(v, n, ok)
	}
	return n, ok
}

// fromFunc is fromMap through a lookup function; a false report is "".
func (t *Template) fromFunc(vals []string, lookup func(string) (string, bool)) (n int, ok bool) {
	n, ok = t.litLen, true
	for i := range t.uses {
		u := &t.uses[i]
		v, found := lookup(u.path)
		if !found {
			v = ""
		}
		vals[i] = v
		n, ok = u.size(v, n, ok)
	}
	return n, ok
}

// size adds to n what the path's placeholders write for value v.
func (u *use) size(v string, n int, ok bool) (int, bool) {
	switch {
	case v != "":
		return n + len(v)*u.count, ok
	case u.bare:
		return n, false
	default:
		return n + u.defLen, ok
	}
}

func (t *Template) result(vals []string, n int, ok bool) (string, error) {
	if !ok {
		return "", t.missing(vals)
	}
	return t.render(vals, n), nil
}

func (t *Template) appendResult(dst []byte, vals []string, n int, ok bool) ([]byte, error) {
	if !ok {
		return dst, t.missing(vals)
	}
	return t.appendTo(dst, vals, n), nil
}

// render returns the text, n bytes long, in one allocation.
func (t *Template) render(vals []string, n int) string {
	// The bytes are handed out as the string without a second copy, as
	// strings.Builder.String does; buf is never written again.
	buf := make([]byte, n)
	t.fill(buf, vals)
	return unsafe.String(unsafe.SliceData(buf), n)
}

// appendTo appends the text, n bytes long, to dst.
func (t *Template) appendTo(dst []byte, vals []string, n int) []byte {
	dst = slices.Grow(dst, n)
	at := len(dst)
	dst = dst[:at+n]
	t.fill(dst[at:], vals)
	return dst
}

// fill writes the rendered text into buf, whose length fromMap or
// fromFunc computed: plain copies at a running offset, no capacity check
// per part. copy never writes past buf, so a length that disagreed with
// the nodes would truncate or leave zero bytes; the final check turns that
// bug into a panic the fuzz target sees, for one comparison.
func (t *Template) fill(buf []byte, vals []string) {
	at := 0
	for i := range t.nodes {
		nd := &t.nodes[i]
		at += copy(buf[at:], nd.lit)
		if nd.slot < 0 {
			break // the last node: no placeholder follows
		}
		v := vals[nd.slot]
		if v == "" {
			v = nd.def
		}
		at += copy(buf[at:], v)
	}
	if at != len(buf) {
		panic("template: rendered " + strconv.Itoa(at) + " bytes, sized " + strconv.Itoa(len(buf)))
	}
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
