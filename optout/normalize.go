package optout

import (
	"strings"
	"sync"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"
)

// Matching ignores case, surrounding white space and control or format
// characters, runs of inner white space, trailing punctuation, full-width
// forms and accents. The canonical form of a text is therefore:
// compatibility-decomposed (NFKD, so "Ｓ" is "S" and "Ö" is "O" plus a
// mark), stripped of nonspacing marks, case-folded, recomposed (NFKC); then
// trailing white space, control or format characters and punctuation cut,
// leading white space and control or format characters cut, and every
// inner run of white space made one ASCII space. Keywords and messages go through the same function, so a
// keyword written "Arrêt" matches "ARRET", "arret." and "ＡＲＲＥＴ".

// foldChains pools the x/text transformer chain: a chain carries state, so
// one may not be shared by goroutines at once.
var foldChains = sync.Pool{New: func() any {
	return transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), cases.Fold(), norm.NFKC)
}}

// canonical returns the canonical form of s (see above). It normalises the
// whole string: callers guard its length first.
func canonical(s string) string {
	t := foldChains.Get().(transform.Transformer)
	out, _, err := transform.String(t, s)
	foldChains.Put(t)
	if err != nil {
		// The chain only fails on invalid UTF-8 it cannot carry through;
		// such text is no keyword.
		return ""
	}
	out = strings.TrimRightFunc(out, trailing)
	out = strings.TrimLeftFunc(out, leading)
	if !hasInnerSpaceRun(out) {
		return out
	}
	return strings.Join(strings.Fields(out), " ")
}

// trailing reports whether r may follow a keyword: white space,
// punctuation ("stop.", "STOP!", "stop !!"), or a control or format
// character ("STOP\x00", "STOP\u200b").
func trailing(r rune) bool { return leading(r) || unicode.IsPunct(r) }

// leading reports whether r may precede a keyword: white space, or a
// control or format character (a NUL, an escape, a byte-order mark, a
// zero-width space), which a gateway or a keyboard may add unseen.
func leading(r rune) bool { return unicode.IsSpace(r) || unicode.In(r, unicode.Cc, unicode.Cf) }

// hasInnerSpaceRun reports whether s holds white space other than single
// ASCII spaces, which canonical must collapse.
func hasInnerSpaceRun(s string) bool {
	prev := false
	for _, r := range s {
		sp := unicode.IsSpace(r)
		if sp && (prev || r != ' ') {
			return true
		}
		prev = sp
	}
	return false
}

// Byte classes for the fast path, derived from package unicode so that the
// fast path and canonical agree by construction.
const (
	classSpace = 1 << iota // ASCII white space
	classPunct             // ASCII punctuation (Unicode category P)
	classCtrl              // ASCII control character other than white space
	classHigh              // not ASCII: the fast path hands over

	// classTrim is what is cut on both sides of a message.
	classTrim = classSpace | classCtrl
)

var byteClass = func() (c [256]uint8) {
	for b := range c {
		r := rune(b)
		switch {
		case b >= 0x80:
			c[b] = classHigh
		case unicode.IsSpace(r):
			c[b] = classSpace
		case unicode.IsControl(r):
			c[b] = classCtrl
		case unicode.IsPunct(r):
			c[b] = classPunct
		}
	}
	return c
}()

// fastFold maps each byte to its case folding (for ASCII, lower-casing,
// from package unicode) with mark set, or to foldSpace for ASCII white space
// and foldHigh for bytes outside ASCII: the fast path's one table load per
// byte.
var fastFold = func() (f [256]uint16) {
	for b := range f {
		switch {
		case b >= 0x80:
			f[b] = foldHigh
		case unicode.IsSpace(rune(b)):
			f[b] = foldSpace
		default:
			f[b] = uint16(unicode.ToLower(rune(b))) | mark
		}
	}
	return f
}()

const (
	foldSpace = 0x100
	foldHigh  = 0x200
)

// letters counts the runes of s that survive normalisation as at least one
// rune other than white space or punctuation: everything but nonspacing
// marks, white space and punctuation (invalid bytes included, which never
// match a keyword). It stops once the count passes limit. A text with more
// of them than the longest keyword (with slack) cannot be a keyword, so the
// slow path rejects it without normalising it.
func letters(s string, limit int) int {
	n := 0
	for _, r := range s {
		if r < 0x80 {
			if byteClass[r]&(classSpace|classPunct) != 0 {
				continue
			}
		} else if unicode.Is(unicode.Mn, r) || unicode.IsSpace(r) || unicode.IsPunct(r) {
			continue
		}
		n++
		if n > limit {
			break
		}
	}
	return n
}
