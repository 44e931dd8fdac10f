package channel

import (
	"errors"
	"fmt"
	"unicode/utf8"
)

// Encoding is the character encoding an SMS travels in. The zero value is
// not a valid encoding but means "not an SMS" (an [SMSCount] left empty);
// its text form is empty.
type Encoding uint8

// The SMS encodings (3GPP TS 23.038). GSM7 is used when every character is
// in the GSM 03.38 basic set or its extension table; otherwise the whole
// message goes as UCS2.
const (
	GSM7 Encoding = iota + 1
	UCS2
)

var encodingNames = [...]string{GSM7: "GSM-7", UCS2: "UCS-2"}

// ErrUnknownEncoding is returned for an encoding name or value that is not
// GSM-7 or UCS-2. Check it with errors.Is.
var ErrUnknownEncoding = errors.New("channel: unknown SMS encoding")

// Valid reports whether e is GSM7 or UCS2.
func (e Encoding) Valid() bool { return e == GSM7 || e == UCS2 }

// String returns "GSM-7", "UCS-2", or "encoding(N)" for an invalid value.
// The encodings keep the names the standards and providers give them.
func (e Encoding) String() string {
	if !e.Valid() {
		return fmt.Sprintf("encoding(%d)", uint8(e))
	}
	return encodingNames[e]
}

// ParseEncoding returns the encoding named s, "GSM-7" or "UCS-2", ignoring
// ASCII case. Other text, the empty text included, fails with an error
// matching [ErrUnknownEncoding]; [Encoding.UnmarshalText] is the reader that
// takes "" back to the zero value.
func ParseEncoding(s string) (Encoding, error) {
	if i, ok := lookupName(encodingNames[:], s); ok {
		return Encoding(i), nil
	}
	return 0, fmt.Errorf("%w: %q", ErrUnknownEncoding, s)
}

// MarshalText encodes the encoding as its name. The zero value encodes as
// the empty text so an empty [SMSCount] survives a round trip; any other
// invalid value is an error matching [ErrUnknownEncoding].
func (e Encoding) MarshalText() ([]byte, error) {
	if e == 0 {
		return []byte{}, nil
	}
	if !e.Valid() {
		return nil, fmt.Errorf("%w: %d", ErrUnknownEncoding, uint8(e))
	}
	return []byte(encodingNames[e]), nil
}

// UnmarshalText decodes a name as [ParseEncoding] reads it, and the empty
// text as the zero value, as [Encoding.MarshalText] writes it. On error e
// is unchanged.
func (e *Encoding) UnmarshalText(b []byte) error {
	if len(b) == 0 {
		*e = 0
		return nil
	}
	v, err := ParseEncoding(string(b))
	if err != nil {
		return err
	}
	*e = v
	return nil
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

// CountSMS returns the encoding, segment count and length of an SMS body.
// A text of at most 160 septets (GSM-7) or 70 units
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

// Byte classes: what a byte expects of the byte after it.
const (
	classDone = 0  // ASCII or the end of a character: a new character starts
	classLead = 1  // classLead + (lead - 0xC2): a two-byte lead C2–CF
	classE2   = 15 // the euro sign's first byte
	classE282 = 16 // the euro sign's first two bytes
)

// pairBad in gsmPair marks a byte that is not GSM-7 or not valid UTF-8. It
// is more than a whole part holds, so the one overflow check per byte that
// packing needs anyway also catches it.
const pairBad = 0xC0

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

// gsmPair prices byte b after byte p at [p | b<<8]: the septets it adds (a
// two-byte character is priced at its second byte, the euro sign at its
// first, so every byte costs 0, 1 or 2) or pairBad. Indexed by the pair,
// not by p's class, on purpose: see BenchmarkCountSMS.
var gsmPair = func() (t [1 << 16]uint8) {
	var byClass [32][256]uint8
	for c := range byClass {
		for b := range byClass[c] {
			byClass[c][b] = pairBad
		}
	}
	for b := 0; b < 256; b++ {
		switch {
		case b < utf8.RuneSelf && gsmSeptets[b] != 0:
			byClass[classDone][b] = gsmSeptets[b]
		case b >= 0xC2 && b <= 0xCF:
			byClass[classDone][b] = 0
		case b == 0xE2:
			byClass[classDone][b] = 2
		}
	}
	for lead := 0xC2; lead <= 0xCF; lead++ {
		for c := 0x80; c <= 0xBF; c++ {
			if v := gsmSeptets[(lead&0x1F)<<6|(c&0x3F)]; v != 0 {
				byClass[classLead+lead-0xC2][c] = v
			}
		}
	}
	byClass[classE2][0x82] = 0
	byClass[classE282][0xAC] = 0
	for p := 0; p < 256; p++ {
		for b := 0; b < 256; b++ {
			t[p|b<<8] = byClass[gsmClass[p]][b]
		}
	}
	return t
}()

// SWAR masks for the word-wise loops.
const (
	ones  = 0x0101010101010101
	highs = 0x8080808080808080
)

// le64 reads 8 bytes of s from i as a little-endian word.
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
	prev := byte(0) // the byte before i; 0 is ASCII, class done
	for i := 0; i < len(s); {
		// Eight bytes at a time while they surely fit the current part
		// (every byte costs at most 2 septets). A bad byte (pairBad)
		// overshoots any part, so one check after the loop finds it.
		for i+8 <= len(s) && used <= GSM7Multipart-16 {
			w := le64(s, i)
			used += int(gsmPair[uint16(w<<8)|uint16(prev)]) + int(gsmPair[uint16(w)]) +
				int(gsmPair[uint16(w>>8)]) + int(gsmPair[uint16(w>>16)]) +
				int(gsmPair[uint16(w>>24)]) + int(gsmPair[uint16(w>>32)]) +
				int(gsmPair[uint16(w>>40)]) + int(gsmPair[uint16(w>>48)])
			prev = byte(w >> 56)
			i += 8
		}
		if used > GSM7Multipart {
			return 0, 0, false
		}
		// Then byte-wise until the part is full or the text ends.
		for ; i < len(s); i++ {
			b := s[i]
			v := gsmPair[uint16(prev)|uint16(b)<<8]
			prev = b
			used += int(v)
			if used <= GSM7Multipart {
				continue
			}
			if v == pairBad {
				return 0, 0, false
			}
			// The part is full: the character priced here starts the next
			// one (at the byte before, for the second byte of a two-byte
			// character), and so does the CR before it when it is an LF.
			at, back := i, int(v)
			if b&0xC0 == 0x80 {
				at--
			}
			cut := at
			if s[at] == '\n' && s[at-1] == '\r' {
				cut--
				back++
			}
			total += used - back
			used = back
			segs++
			if parts != nil {
				*parts = append(*parts, s[start:cut])
			}
			start = cut
			i++
			break
		}
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

// ucs2Words takes t, which starts at a code point, eight bytes at a time
// while they are ASCII and valid two-byte UTF-8 (U+0080–U+07FF: Latin,
// Greek, Cyrillic, Hebrew, Arabic) and fit a part that holds used units,
// and returns how many bytes it took (up to a code-point start) and the
// part's units then. Each such character is one unit, so a word adds the
// bytes that are not continuation bytes (counted by multiplying, which
// sums the bytes into the top one). A lead in the last byte is carried to
// the next word.
func ucs2Words(t string, used int) (int, int) {
	carry := uint64(0) // bit 7: the word before ended with a lead
	j := 0
	for ; j <= len(t)-16; j += 16 {
		w := t[j : j+16]
		bad0, conts0, lead0 := ucs2Word(le64(w, 0), carry)
		bad1, conts1, lead1 := ucs2Word(le64(w, 8), lead0>>56)
		u := used + 16 - int((conts0+conts1)*ones>>56)
		if (bad0|bad1)&highs != 0 || u > UCS2Multipart {
			break
		}
		carry = lead1 >> 56
		used = u
	}
	if j <= len(t)-8 {
		bad, conts, lead := ucs2Word(le64(t, j), carry)
		if u := used + 8 - int(conts*ones>>56); bad&highs == 0 && u <= UCS2Multipart {
			carry = lead >> 56
			used = u
			j += 8
		}
	}
	// Hand a carried lead's character back whole.
	c := int(carry >> 7)
	return j - c, used - c
}

// ucs2Word reads the word x as eight bytes (SWAR). In x+x bit 7 of each
// byte holds bit 6 of x, so lead = x&(x+x) marks the leads (C0–FF) at bit
// 7 of each byte, and x^lead the continuation bytes (bit 7 set, bit 6
// clear); conts has a 1 in each byte that is a continuation byte. bad has
// bit 7 of some byte set unless x is ASCII and valid two-byte UTF-8, given
// carry (bit 7 set when the word before ended with a lead): a lead must be
// C2–DF, so bit 5 clear (not a three- or four-byte lead) and some of bits
// 4–1 set (not the overlong C0 or C1; subtracting them from 0x80 leaves
// bit 7 set exactly when none is, and cannot borrow), and the
// continuation bytes must be exactly the bytes after a lead.
//
// Only bit 7 of each byte of bad and lead means anything; the caller masks
// off the rest.
func ucs2Word(x, carry uint64) (bad, conts, lead uint64) {
	lead = x & (x + x)
	cont := x ^ lead
	bad = lead&(x<<2|(highs-x&(0x1E*ones))) | (cont ^ (lead<<8 | carry))
	return bad, cont >> 7 & ones, lead
}

// packUCS2 counts text in UTF-16 units and packs it into 67-unit parts of
// whole grapheme clusters, appending them to parts when parts is not nil.
// Grapheme boundaries are found by uniseg, but only near a cut: most cuts
// fall between two "plain" characters, where UAX #29 always breaks.
func packUCS2(s string, parts *[]string) (units, segments int) {
	total, used, segs, start := 0, 0, 1, 0
	for i := 0; ; {
		n, u := ucs2Words(s[i:], used)
		i, used = i+n, u
		// Then up to eight bytes of BMP characters of one to three bytes
		// that fit the part, decoded inline exactly as utf8 does, before
		// trying words again.
		for stop := min(i+8, len(s)); i < stop && used < UCS2Multipart; used++ {
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
		}
		if i < len(s) && used < UCS2Multipart {
			continue
		}
	slow:
		// One character of any kind, or the one that does not fit.
		if i == len(s) {
			break
		}
		at := i
		w := 1
		r, size := firstRune(s[i:])
		if r > 0xFFFF {
			w = 2
		}
		if used+w > UCS2Multipart {
			cut := at
			if !plain(r) || !plain(lastRune(s[start:at])) {
				cut = lastBoundary(s, start, at)
			}
			if cut == start {
				// A cluster longer than a part: cut it at this code point.
				cut = at
			}
			back := 0 // units moved to the next part with the cut cluster
			if cut != at {
				back = utf16Len(s[cut:at])
			}
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

// firstRune is utf8.DecodeRuneInString with two-byte characters (the
// usual ones at a cut in UCS-2 text) decoded inline.
func firstRune(s string) (rune, int) {
	if len(s) >= 2 && s[0] >= 0xC2 && s[0] < 0xE0 && s[1]&0xC0 == 0x80 {
		return rune(s[0]&0x1F)<<6 | rune(s[1]&0x3F), 2
	}
	return utf8.DecodeRuneInString(s)
}

// lastRune returns the last code point of s, decoding ASCII and two-byte
// characters (the usual ones before a cut) inline.
func lastRune(s string) rune {
	n := len(s)
	switch {
	case n == 0:
		return utf8.RuneError
	case s[n-1] < utf8.RuneSelf:
		return rune(s[n-1])
	case n >= 2 && s[n-2] >= 0xC2 && s[n-2] < 0xE0 && s[n-1]&0xC0 == 0x80:
		return rune(s[n-2]&0x1F)<<6 | rune(s[n-1]&0x3F)
	}
	r, _ := utf8.DecodeLastRuneInString(s)
	return r
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
