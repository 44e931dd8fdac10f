package template

import (
	"encoding/binary"
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
	parts  []part   // nodes flattened for fill, empty literals left out
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

// part is one piece of the output: literal text (slot -1), or a
// placeholder's value with text as its default. fill walks parts rather
// than nodes, so that each step is one copy.
type part struct {
	text string
	slot int32
}

// index computes litLen, uses and parts from nodes and vars once they are
// complete; every constructor of a Template calls it last.
func (t *Template) index() {
	t.litLen = 0
	t.uses = make([]use, len(t.vars))
	for i, p := range t.vars {
		t.uses[i].path = p
	}
	t.parts = make([]part, 0, 2*len(t.nodes))
	for _, nd := range t.nodes {
		t.litLen += len(nd.lit)
		if nd.lit != "" {
			t.parts = append(t.parts, part{text: nd.lit, slot: -1})
		}
		if nd.slot < 0 {
			continue
		}
		t.parts = append(t.parts, part{text: nd.def, slot: nd.slot})
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

// stackSlots is how many distinct variables' values a render keeps in a
// fixed array; snippets rarely have more.
const stackSlots = 8

// Render fills the template from vars. A variable whose value is missing or
// empty takes its default; if it has none, Render returns "" and a
// *MissingVariableError naming every such variable: nothing is sent
// half-filled. Values are written as they are, never parsed: a value
// containing "{{x}}" appears literally.
// Render allocates only the result (up to 8 variables): see TestRenderAllocs.
func (t *Template) Render(vars map[string]string) (string, error) {
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
// as missing, so the defaults apply.
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

// result is the end of Render and RenderFunc: the missing error, or the
// text rendered from vals.
func (t *Template) result(vals []string, n int, ok bool) (string, error) {
	if !ok {
		return "", t.missing(vals)
	}
	return t.render(vals, n), nil
}

// appendResult is result for the Append methods; on error dst is
// returned as it came.
func (t *Template) appendResult(dst []byte, vals []string, n int, ok bool) ([]byte, error) {
	if !ok {
		return dst, t.missing(vals)
	}
	return t.appendTo(dst, vals, n), nil
}

// render returns the text, n bytes long.
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
// fromFunc computed. A part of up to 16 bytes is copied as two overlapping
// words (or bytes) rather than by copy, on purpose: see BenchmarkRender.
// Every store is into d, a slice of exactly the part's length, so a wrong
// length panics rather than writing past it, and the final check catches a
// length that disagrees with the parts.
func (t *Template) fill(buf []byte, vals []string) {
	at := 0
	for _, pt := range t.parts {
		s := pt.text
		if pt.slot >= 0 {
			if v := vals[pt.slot]; v != "" {
				s = v
			}
		}
		n := len(s)
		d := buf[at : at+n : at+n]
		switch {
		case n > 16:
			copy(d, s)
		case n >= 8:
			binary.LittleEndian.PutUint64(d, le64(s))
			binary.LittleEndian.PutUint64(d[n-8:], le64(s[n-8:]))
		case n >= 4:
			binary.LittleEndian.PutUint32(d, le32(s))
			binary.LittleEndian.PutUint32(d[n-4:], le32(s[n-4:]))
		case n > 0:
			d[0] = s[0]
			d[n/2] = s[n/2]
			d[n-1] = s[n-1]
		}
		at += n
	}
	if at != len(buf) {
		panic("template: rendered " + strconv.Itoa(at) + " bytes, sized " + strconv.Itoa(len(buf)))
	}
}

// le64 reads s[:8] as one little-endian word.
func le64(s string) uint64 {
	_ = s[7]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// le32 is le64 for s[:4].
func le32(s string) uint32 {
	_ = s[3]
	return uint32(s[0]) | uint32(s[1])<<8 | uint32(s[2])<<16 | uint32(s[3])<<24
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
