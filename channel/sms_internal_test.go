package channel

import (
	"math/rand/v2"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// TestPlainAgreesWithUniseg checks every plain code point with probes that
// would join it to a neighbour under any UAX #29 rule other than GB999: a
// following mark or ZWJ-emoji sequence, a preceding letter, itself twice
// (regional indicators, Hangul), and Hangul jamo after it.
func TestPlainAgreesWithUniseg(t *testing.T) {
	clusters := func(s string) int { return uniseg.GraphemeClusterCount(s) }
	n := 0
	for r := rune(0); r <= 0xFFFF; r++ {
		if !plain(r) {
			continue
		}
		n++
		c := string(r)
		probes := []struct {
			s    string
			want int
		}{
			{"a" + c, 2},                // not Extend, ZWJ or SpacingMark
			{c + "a", 2},                // not Prepend
			{c + c, 2},                  // not a regional indicator or Hangul
			{c + "\u1100", 2},           // not Hangul L
			{c + "\u1160", 2},           // not Hangul L, V or LV
			{c + "\u11A8", 2},           // not Hangul LV, LVT, V or T
			{c + "\u200d\U0001F600", 2}, // not Extended_Pictographic
			{"\u0915\u094D" + c, 2},     // not a conjunct consonant after a virama
			{"\U0001F1FA" + c, 2},       // not joined to a regional indicator
		}
		for _, p := range probes {
			if got := clusters(p.s); got != p.want {
				t.Fatalf("plain(%U) but %+q has %d clusters, want %d", r, p.s, got, p.want)
			}
		}
	}
	if n < 20000 {
		t.Fatalf("only %d plain code points", n)
	}
}

// TestGSMCharactersAreSingleClusters backs packGSM's rule that in GSM-7 text
// every character is its own cluster except CR LF.
func TestGSMCharactersAreSingleClusters(t *testing.T) {
	var gsm []rune
	for r := rune(0); r < 0x400; r++ {
		if gsmSeptets[r] != 0 {
			gsm = append(gsm, r)
		}
	}
	gsm = append(gsm, euro)
	for _, x := range gsm {
		for _, y := range gsm {
			want := 2
			if x == '\r' && y == '\n' {
				want = 1
			}
			if got := uniseg.GraphemeClusterCount(string(x) + string(y)); got != want {
				t.Fatalf("%+q has %d clusters, want %d", string(x)+string(y), got, want)
			}
		}
	}
}

// TestUCS2WordsIsSound checks the word-wise UCS-2 scanner against
// utf8 decoding on random mixes of the byte sequences its checks tell
// apart: whatever it takes must decode as ASCII and valid two-byte
// characters, end on a code-point start, and fit the part.
func TestUCS2WordsIsSound(t *testing.T) {
	pieces := []string{
		"a", " ", "\x7f", "ж", "é", "\u0080", "\u07ff", // taken
		"\xc0\x80", "\xc1\xbf", "\xc2", "\x80", "\xbf", // overlong, truncated, stray
		"€", "\u0800", "\xe0\xa0", "\xed\xa0\x80", "😀", "\xf0\x9f", "\xff",
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for range 200000 {
		var b strings.Builder
		for range rng.IntN(40) {
			if rng.IntN(4) == 0 {
				b.WriteString(pieces[rng.IntN(len(pieces))])
			} else {
				b.WriteString(pieces[rng.IntN(7)])
			}
		}
		s := b.String()
		used := rng.IntN(UCS2Multipart + 1)
		n, got := ucs2Words(s, used)
		want := used
		for i := 0; i < n; {
			r, size := utf8.DecodeRuneInString(s[i:])
			if r == utf8.RuneError || r > 0x7FF || i+size > n {
				t.Fatalf("ucs2Words(%+q, %d) took %d bytes, through %+q at %d", s, used, n, s[i:i+size], i)
			}
			want++
			i += size
		}
		if got != want || got > UCS2Multipart {
			t.Fatalf("ucs2Words(%+q, %d) = %d, %d; want %d units, at most %d", s, used, n, got, want, UCS2Multipart)
		}
	}
}
