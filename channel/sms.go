package channel

import (
	"fmt"
	"unicode/utf8"
)

// Encoding is the character encoding an SMS travels in.
type Encoding uint8

// The SMS encodings (3GPP TS 23.038). GSM7 is used when every character is
// in the GSM 03.38 basic set or its extension table; otherwise the whole
// message goes as UCS2.
const (
	GSM7 Encoding = iota + 1
	UCS2
)

// String returns "GSM-7", "UCS-2", or "encoding(N)" for an invalid value.
func (e Encoding) String() string {
	switch e {
	case GSM7:
		return "GSM-7"
	case UCS2:
		return "UCS-2"
	}
	return fmt.Sprintf("encoding(%d)", uint8(e))
}

// Segment sizes (3GPP TS 23.040): 140 octets of user data hold 160 septets
// or 70 UTF-16 units; a part of a concatenated message gives 6 octets to
// its user data header, leaving 153 septets or 67 units.
const (
	GSM7Single    = 160
	GSM7Multipart = 153
	UCS2Single    = 70
	UCS2Multipart = 67
)

// SegmentSize returns how many units (septets or UTF-16 units) one segment
// holds in encoding e, alone or as a part of a longer message.
func (e Encoding) SegmentSize(multipart bool) int {
	switch {
	case e == GSM7 && multipart:
		return GSM7Multipart
	case e == GSM7:
		return GSM7Single
	case multipart:
		return UCS2Multipart
	}
	return UCS2Single
}

// SMSCount is what an SMS body costs: its encoding, the number of segments
// (billed messages) it travels in, and its length in units of the encoding.
type SMSCount struct {
	// Encoding is GSM7 or UCS2.
	Encoding Encoding
	// Segments is the number of parts; 0 for an empty text. It always
	// equals len(SplitSMS(text)).
	Segments int
	// Units is the length in septets for GSM7 (extension characters count
	// 2) or UTF-16 code units for UCS2 (characters outside the BMP count 2).
	Units int
}

// gsmSeptets maps each code point below 0x400 to its cost in GSM-7 septets:
// 1 for the GSM 03.38 basic set, 2 for the extension table (escape + code),
// 0 for a character GSM-7 cannot carry. The Greek capitals of the basic set
// are the only members above U+00FF except the euro sign, handled apart.
var gsmSeptets = func() (t [0x400]uint8) {
	const basic = "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?" +
		"¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
	const extension = "\f^{}\\[~]|" // and € (U+20AC), above this table
	for _, r := range basic {
		t[r] = 1
	}
	for _, r := range extension {
		t[r] = 2
	}
	return t
}()

// euro is the one extension character outside gsmSeptets.
const euro = '€'

// CountSMS returns the encoding, segment count and length of an SMS body
// (DESIGN.md §3.1). A text of at most 160 septets (GSM-7) or 70 units
// (UCS-2) is one segment; a longer one is split as [SplitSMS] does, into
// parts of at most 153 septets or 67 units that never cut a grapheme
// cluster, so Segments is exactly the number of parts. The empty text is
// 0 segments of GSM-7. Invalid UTF-8 counts one U+FFFD (UCS-2) per bad byte.
//
// CountSMS does not allocate.
func CountSMS(text string) SMSCount {
	if n, segs, ok := packGSM(text, nil); ok {
		return SMSCount{Encoding: GSM7, Segments: segs, Units: n}
	}
	n, segs := packUCS2(text, nil)
	return SMSCount{Encoding: UCS2, Segments: segs, Units: n}
}

// SplitSMS returns the parts a long SMS is sent as: one part when the text
// fits one segment; otherwise parts of at most 153 septets (GSM-7) or 67
// UTF-16 units (UCS-2), each filled as far as whole grapheme clusters
// allow, so no part ends inside an escape sequence, a surrogate pair, a
// flag, an emoji sequence or a letter and its accents. Only a cluster longer
// than a whole part is cut, at code-point boundaries. The parts joined give
// the text back; len(parts) == CountSMS(text).Segments. The empty text has
// no parts (nil).
func SplitSMS(text string) []string {
	c := CountSMS(text)
	switch c.Segments {
	case 0:
		return nil
	case 1:
		return []string{text}
	}
	parts := make([]string, 0, c.Segments)
	if c.Encoding == GSM7 {
		packGSM(text, &parts)
	} else {
		packUCS2(text, &parts)
	}
	return parts
}

// gsmChar returns the GSM-7 cost in septets of the character starting s
// and its length in bytes, or 0 septets when it is not GSM-7 (including
// invalid UTF-8). All GSM characters are at most 3 bytes long.
func gsmChar(s string) (septets, size int) {
	b := s[0]
	switch {
	case b < utf8.RuneSelf:
		return int(gsmSeptets[b]), 1
	case b >= 0xC2 && b <= 0xCF && len(s) > 1 && s[1]&0xC0 == 0x80:
		// A valid two-byte sequence below U+0400: Latin-1 and Greek.
		return int(gsmSeptets[rune(b&0x1F)<<6|rune(s[1]&0x3F)]), 2
	case b == 0xE2 && len(s) > 2 && s[1] == 0x82 && s[2] == 0xAC: // €
		return 2, 3
	}
	return 0, 1
}

// Byte classes for gsmPair: what the previous byte expects of the next.
const (
	classDone = 0    // ASCII or the end of a character: a new character starts
	classLead = 1    // classLead + (lead - 0xC2): a two-byte lead C2–CF
	classE2   = 15   // the euro sign's first byte
	classE282 = 16   // the euro sign's first two bytes
	pairBad   = 0x80 // gsmPair flag: not GSM-7, or not valid UTF-8
)

// gsmClass maps a byte to its class as the previous byte.
var gsmClass = func() (t [256]uint8) {
	for b := 0xC2; b <= 0xCF; b++ {
		t[b] = uint8(classLead + b - 0xC2)
	}
	t[0xE2] = classE2
	// 0x82 follows E2 in the euro sign; as the second byte of a two-byte
	// character it only ends non-GSM ones (Â, Ă, ς, …), already flagged.
	t[0x82] = classE282
	return t
}()

// gsmPair prices byte b after a byte of class c at [c<<8|b]: the septets
// it adds (low two bits; a two-byte character is priced at its second
// byte, the euro sign at its first) or pairBad.
var gsmPair = func() (t [32 << 8]uint8) {
	for i := range t {
		t[i] = pairBad
	}
	for b := 0; b < 256; b++ {
		switch {
		case b < utf8.RuneSelf && gsmSeptets[b] != 0:
			t[classDone<<8|b] = gsmSeptets[b]
		case b >= 0xC2 && b <= 0xCF:
			t[classDone<<8|b] = 0
		case b == 0xE2:
			t[classDone<<8|b] = 2
		}
	}
	for lead := 0xC2; lead <= 0xCF; lead++ {
		for c := 0x80; c <= 0xBF; c++ {
			if v := gsmSeptets[(lead&0x1F)<<6|(c&0x3F)]; v != 0 {
				t[(classLead+lead-0xC2)<<8|c] = v
			}
		}
	}
	t[classE2<<8|0x82] = 0
	t[classE282<<8|0xAC] = 0
	return t
}()

// SWAR masks for the word-wise loop.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// le64 reads 8 bytes of s from i as a little-endian word; the compiler
// turns it into one load.
func le64(s string, i int) uint64 {
	s = s[i : i+8]
	return uint64(s[0]) | uint64(s[1])<<8 | uint64(s[2])<<16 | uint64(s[3])<<24 |
		uint64(s[4])<<32 | uint64(s[5])<<40 | uint64(s[6])<<48 | uint64(s[7])<<56
}

// packGSM counts text in GSM-7 septets and packs it into 153-septet parts,
// appending them to parts when parts is not nil. It reports false as soon as
// a character is not GSM-7. In GSM-7 text every character is its own
// grapheme cluster except CR LF (UAX #29 GB3), so packing whole clusters
// means: never cut before an LF that follows a CR; an extension character
// is one unit of two septets and moves to the next part whole.
func packGSM(s string, parts *[]string) (septets, segments int, ok bool) {
	total, used, segs, start := 0, 0, 1, 0
	for i := 0; i < len(s); {
		// The hot loop: ASCII GSM characters that fit the current part,
		// eight at a time while every byte is a one-septet basic character
		// (SWAR: with no byte at or above 0x80 the additions cannot carry
		// between bytes). A word holding a control character (borrow below
		// 0x20), one of [ \ ] ^ _ ` (0x5B–0x60) or { | } ~ DEL (0x7B–0x7F)
		// goes byte-wise; '_' is basic but shares the range.
		for i+8 <= len(s) && used <= GSM7Multipart-8 {
			x := le64(s, i)
			if (x|(x-0x20*ones)|((x+0x25*ones)&^(x+0x1F*ones))|(x+0x05*ones))&highs != 0 {
				break
			}
			used += 8
			i += 8
		}
		// Then byte-wise, without branches: gsmPair prices each byte given
		// the class of the byte before it, so two-byte characters (Latin-1,
		// Greek) and the euro sign cost nothing extra. Every byte costs at
		// most 2 septets, so a window of (room-1)/2 bytes, finished to the
		// end of its last character (at most 1 septet more), cannot
		// overflow the part and needs no check inside.
		if n := min((GSM7Multipart-used-1)/2, 32, len(s)-i); n > 0 {
			prev := byte(0)
			if i > 0 {
				prev = s[i-1]
			}
			acc := 0
			for end := i + n; i < end; i++ {
				b := s[i]
				acc += int(gsmPair[(uint(gsmClass[prev])&31)<<8|uint(b)])
				prev = b
			}
			for ; i < len(s) && s[i]&0xC0 == 0x80; i++ {
				b := s[i]
				acc += int(gsmPair[(uint(gsmClass[prev])&31)<<8|uint(b)])
				prev = b
			}
			// A window holds under 0x80 septets, so any pairBad shows.
			if acc >= pairBad {
				return 0, 0, false
			}
			used += acc
			continue
		}
		// The slow step: one character when the part has 2 septets left
		// or fewer.
		if i == len(s) {
			break
		}
		w, size := gsmChar(s[i:])
		if w == 0 {
			return 0, 0, false
		}
		if used+w > GSM7Multipart {
			// The part is full: this character starts the next one, and so
			// does the CR before it when it is an LF.
			cut := i
			if s[i] == '\n' && s[i-1] == '\r' {
				cut = i - 1
			}
			total += used - (i - cut)
			used = i - cut
			segs++
			if parts != nil {
				*parts = append(*parts, s[start:cut])
			}
			start = cut
		}
		used += w
		i += size
	}
	if len(s) > 0 && gsmClass[s[len(s)-1]] != classDone {
		// Text ending inside a character is not valid UTF-8.
		return 0, 0, false
	}
	total += used
	if parts != nil {
		*parts = append(*parts, s[start:])
	}
	switch {
	case total == 0:
		segs = 0
	case total <= GSM7Single:
		segs = 1
	}
	return total, segs, true
}

// packUCS2 counts text in UTF-16 units and packs it into 67-unit parts of
// whole grapheme clusters, appending them to parts when parts is not nil.
// Grapheme boundaries are found by uniseg, but only near a cut: most cuts
// fall between two "plain" characters, where UAX #29 always breaks.
func packUCS2(s string, parts *[]string) (units, segments int) {
	total, used, segs, start := 0, 0, 1, 0
	for i := 0; ; {
		// The hot loop: BMP characters of one to three bytes that fit the
		// current part, decoded inline exactly as utf8 does.
		for i < len(s) && used < UCS2Multipart {
			b := s[i]
			switch {
			case b < utf8.RuneSelf:
				i++
			case b >= 0xC2 && b < 0xE0 && i+1 < len(s) && s[i+1]&0xC0 == 0x80:
				i += 2
			case b >= 0xE0 && b < 0xF0 && i+2 < len(s) && s[i+1]&0xC0 == 0x80 && s[i+2]&0xC0 == 0x80 &&
				(b != 0xE0 || s[i+1] >= 0xA0) && (b != 0xED || s[i+1] < 0xA0):
				i += 3
			default:
				goto slow
			}
			used++
		}
	slow:
		if i == len(s) {
			break
		}
		at := i
		w := 1
		r, size := utf8.DecodeRuneInString(s[i:])
		if r > 0xFFFF {
			w = 2
		}
		if used+w > UCS2Multipart {
			cut := lastBoundary(s, start, at)
			if cut == start {
				// A cluster longer than a part: cut it at this code point.
				cut = at
			}
			back := utf16Len(s[cut:at])
			total += used - back
			used = back
			segs++
			if parts != nil {
				*parts = append(*parts, s[start:cut])
			}
			start = cut
		}
		used += w
		i += size
	}
	total += used
	if parts != nil {
		*parts = append(*parts, s[start:])
	}
	switch {
	case total == 0:
		segs = 0
	case total <= UCS2Single:
		segs = 1
	}
	return total, segs
}

// utf16Len is the length of s in UTF-16 code units, decoding as range does.
func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n++
		if r > 0xFFFF {
			n++
		}
	}
	return n
}
