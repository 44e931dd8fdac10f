package channel

import (
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// lastBoundary returns the last grapheme cluster boundary b of s with
// start < b <= at, or start when the cluster that begins at start reaches
// past at. start must be a boundary (or the cut inside an over-long
// cluster, which then counts as one) and at a code-point start.
//
// Segmentation with uniseg starts from the nearest certain boundary: the
// position between two plain characters, where UAX #29 always breaks
// (rule GB999).
func lastBoundary(s string, start, at int) int {
	from := start
	next, _ := utf8.DecodeRuneInString(s[at:])
	// Decoding backwards from a code-point start agrees with decoding
	// forwards, even on invalid UTF-8: a lead byte always starts a rune.
	for j := at; j > start; {
		prev, size := utf8.DecodeLastRuneInString(s[start:j])
		if plain(prev) && plain(next) {
			if j == at {
				return at
			}
			from = j
			break
		}
		next = prev
		j -= size
	}
	return boundaryFrom(s, start, from, at)
}

// boundaryFrom walks clusters from the boundary from and returns the last
// cluster start at or before at that lies after start, or start.
func boundaryFrom(s string, start, from, at int) int {
	last := start
	pos := from
	rest := s[from:]
	state := -1
	for pos <= at && rest != "" {
		if pos > start {
			last = pos
		}
		var cluster string
		cluster, rest, _, state = uniseg.FirstGraphemeClusterInString(rest, state)
		pos += len(cluster)
	}
	return last
}

// plain reports whether r is certain to have Grapheme_Cluster_Break=Other
// without being Extended_Pictographic, Prepend, a regional indicator, a
// Hangul jamo or syllable, an extending or spacing mark, or an Indic
// consonant that conjunct rules may join (UAX #29). Between two plain
// characters there is always a boundary. The ranges are a conservative
// subset of the scripts SMS most often carries; anything else falls back
// to uniseg. A test checks every plain code point against uniseg.
func plain(r rune) bool {
	switch {
	case r < 0x80:
		return r >= 0x20 && r < 0x7F
	case r < 0x300: // Latin-1, Latin Extended-A/B, IPA, modifier letters
		return r >= 0xA0 && r != 0xA9 && r != 0xAD && r != 0xAE
	case r < 0x370:
		return false // combining diacritical marks
	case r < 0x483: // Greek and Coptic, Cyrillic up to its combining marks
		return true
	case r < 0x48A:
		return false
	case r < 0x530: // rest of Cyrillic and Cyrillic Supplement
		return true
	case r >= 0x5D0 && r <= 0x5EA: // Hebrew letters
		return true
	case r >= 0x620 && r <= 0x64A: // Arabic letters
		return true
	case r >= 0x2010 && r <= 0x2027: // dashes, quotes, bullets, ellipsis
		return true
	case r >= 0x2030 && r <= 0x205E: // per mille to punctuation, but ‼ and ⁉ are pictographic
		return r != 0x203C && r != 0x2049
	case r >= 0x20A0 && r <= 0x20C0: // currency symbols
		return true
	case r >= 0x3041 && r <= 0x3096: // hiragana
		return true
	case r >= 0x30A1 && r <= 0x30FA: // katakana
		return true
	case r >= 0x4E00 && r <= 0x9FFF: // CJK unified ideographs
		return true
	}
	return false
}
