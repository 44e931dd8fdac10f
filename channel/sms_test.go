package channel_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleyhq/parley/channel"
	"github.com/rivo/uniseg"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rep is strings.Repeat, short for the tables below.
func rep(s string, n int) string { return strings.Repeat(s, n) }

func digits(n int) string {
	var b strings.Builder
	for i := 1; i <= n; i++ {
		b.WriteByte(byte('0' + i%10))
	}
	return b.String()
}

func TestCountSMS(t *testing.T) {
	tests := []struct {
		name     string
		text     string
		encoding channel.Encoding
		segments int
		units    int
	}{
		{"empty text is no segment", "", channel.GSM7, 0, 0},
		{"one character", "a", channel.GSM7, 1, 1},
		{"160 GSM characters fit one segment", rep("a", 160), channel.GSM7, 1, 160},
		{"161 GSM characters take two", rep("a", 161), channel.GSM7, 2, 161},
		{"153·2 GSM characters fill two parts", rep("a", 306), channel.GSM7, 2, 306},
		{"153·2+1 GSM characters take three", rep("a", 307), channel.GSM7, 3, 307},
		{"1600 GSM characters", rep("a", 1600), channel.GSM7, 11, 1600},
		{"extension characters count two septets", "{}[]~|^\\€\f", channel.GSM7, 1, 20},
		{"80 extension characters fill one segment", rep("€", 80), channel.GSM7, 1, 160},
		{"81 extension characters take two", rep("€", 81), channel.GSM7, 2, 162},
		{"extension character at septet 153 moves whole", rep("a", 152) + "{" + rep("a", 152), channel.GSM7, 3, 306},
		{"extension character ending at septet 153 stays", rep("a", 151) + "{" + rep("a", 153), channel.GSM7, 2, 306},
		{"CR LF at septet 153 moves whole", rep("a", 152) + "\r\n" + rep("a", 152), channel.GSM7, 3, 306},
		{"GSM accented letters are one septet", "éèàùìòÇÉÄÖÑÜäöñüåÅøØæÆß", channel.GSM7, 1, 23},
		{"GSM Greek capitals", "ΔΦΓΛΩΠΨΣΘΞ", channel.GSM7, 1, 10},
		{"GSM symbols", "@£$¥¤§¡¿_", channel.GSM7, 1, 9},
		{"á is not GSM", "á", channel.UCS2, 1, 1},
		{"small ç is not GSM (only Ç)", "ç", channel.UCS2, 1, 1},
		{"backtick is not GSM", "`", channel.UCS2, 1, 1},
		{"tab is not GSM", "a\tb", channel.UCS2, 1, 3},
		{"curly quote is not GSM", "it’s", channel.UCS2, 1, 4},
		{"70 UCS-2 units fit one segment", rep("ж", 70), channel.UCS2, 1, 70},
		{"71 UCS-2 units take two", rep("ж", 71), channel.UCS2, 2, 71},
		{"67·2 UCS-2 units fill two parts", rep("ж", 134), channel.UCS2, 2, 134},
		{"67·2+1 UCS-2 units take three", rep("ж", 135), channel.UCS2, 3, 135},
		{"an emoji counts two units", "😀", channel.UCS2, 1, 2},
		{"35 emoji fill one segment", rep("😀", 35), channel.UCS2, 1, 70},
		{"emoji at unit 67 moves whole", rep("ж", 66) + "😀" + rep("ж", 66), channel.UCS2, 3, 134},
		{"emoji ending at unit 67 stays", rep("ж", 65) + "😀" + rep("ж", 67), channel.UCS2, 2, 134},
		{"flag across a boundary moves whole", rep("ж", 65) + "🇺🇸" + rep("ж", 65), channel.UCS2, 3, 134},
		{"accent stays with its letter", rep("ж", 66) + "e\u0301" + rep("ж", 66), channel.UCS2, 3, 134},
		{"ZWJ family stays whole", rep("ж", 60) + "👨‍👩‍👧‍👦" + rep("ж", 63), channel.UCS2, 3, 134},
		{"a cluster longer than a part is cut", "e" + rep("\u0301", 100), channel.UCS2, 2, 101},
		{"invalid UTF-8 is UCS-2", "a\xffb", channel.UCS2, 1, 3},
		// Twilio's message-segment-calculator test vectors.
		{"twilio: escape in one segment", "{" + digits(159)[1:], channel.GSM7, 1, 160},
		{"twilio: escape in two segments", "{" + digits(160)[1:], channel.GSM7, 2, 161},
		{"twilio: UCS-2 in one segment", "😜" + digits(69)[1:], channel.UCS2, 1, 70},
		{"twilio: UCS-2 in two segments", "😜" + digits(70)[1:], channel.UCS2, 2, 71},
		{"twilio: GSM-7 three segments", digits(307), channel.GSM7, 3, 307},
		{"twilio: UCS-2 three segments", "😜" + digits(134)[1:], channel.UCS2, 3, 135},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := channel.CountSMS(tt.text)
			assert.Equal(t, channel.SMSCount{Encoding: tt.encoding, Segments: tt.segments, Units: tt.units}, got)
			parts := channel.SplitSMS(tt.text)
			assert.Len(t, parts, tt.segments, "count and split agree")
			assert.Equal(t, tt.text, strings.Join(parts, ""))
			assert.Equal(t, refSplit(tt.text), parts, "split as the plain reference packs it")
		})
	}
}

func TestSplitSMSParts(t *testing.T) {
	tests := []struct {
		name string
		text string
		want []string
	}{
		{"empty text has no parts", "", nil},
		{"short text is itself", "hello", []string{"hello"}},
		{"twilio: last GSM part holds one character", digits(307), []string{digits(307)[:153], digits(307)[153:306], "7"}},
		{"twilio: last UCS-2 part holds one character", "😜" + digits(134)[1:], []string{"😜" + digits(66)[1:], digits(133)[66:133], "4"}},
		{"escape sequence moves to the next part", rep("a", 152) + "{" + rep("b", 10), []string{rep("a", 152), "{" + rep("b", 10)}},
		{"CR LF moves to the next part", rep("a", 152) + "\r\n" + rep("b", 10), []string{rep("a", 152), "\r\nbbbbbbbbbb"}},
		{"emoji moves to the next part", rep("ж", 66) + "😀" + rep("ж", 5), []string{rep("ж", 66), "😀" + rep("ж", 5)}},
		{"flag moves to the next part", rep("ж", 65) + "🇺🇸" + rep("ж", 5), []string{rep("ж", 65), "🇺🇸" + rep("ж", 5)}},
		{"letter and accent move together", rep("ж", 66) + "e\u0301" + rep("ж", 5), []string{rep("ж", 66), "e\u0301" + rep("ж", 5)}},
		{"an over-long cluster fills its part", "ж" + "e" + rep("\u0301", 70), []string{"ж", "e" + rep("\u0301", 66), rep("\u0301", 4)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, channel.SplitSMS(tt.text))
		})
	}
}

func TestSplitSMSLongMixedText(t *testing.T) {
	text := rep("Olá, ¿qué tal? Привет 👋🏽 मनीष 🇧🇷 한국어 ", 40)
	parts := channel.SplitSMS(text)
	require.NotEmpty(t, parts)
	assert.Equal(t, refSplit(text), parts)
	assert.Len(t, parts, channel.CountSMS(text).Segments)
	for _, p := range parts {
		assert.LessOrEqual(t, utf16Len(p), channel.UCS2Multipart)
	}
}

func TestEncodingNames(t *testing.T) {
	assert.Equal(t, "GSM-7", channel.GSM7.String())
	assert.Equal(t, "UCS-2", channel.UCS2.String())
	assert.Equal(t, "encoding(0)", channel.Encoding(0).String())
	assert.Equal(t, 160, channel.GSM7.SegmentSize(false))
	assert.Equal(t, 153, channel.GSM7.SegmentSize(true))
	assert.Equal(t, 70, channel.UCS2.SegmentSize(false))
	assert.Equal(t, 67, channel.UCS2.SegmentSize(true))
}

func FuzzSplitSMS(f *testing.F) {
	for _, s := range []string{"", "hello", rep("a", 152) + "{" + rep("a", 152), rep("ж", 66) + "😀" + rep("ж", 66),
		rep("ж", 65) + "🇺🇸🇫🇷" + rep("ж", 65), "e" + rep("\u0301", 100), rep("a\r\n", 80), "a\xffb" + rep("€", 90)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c := channel.CountSMS(text)
		parts := channel.SplitSMS(text)
		if len(parts) != c.Segments {
			t.Fatalf("CountSMS(%q).Segments = %d, SplitSMS gives %d parts", text, c.Segments, len(parts))
		}
		if got := strings.Join(parts, ""); got != text {
			t.Fatalf("parts of %q join to %q", text, got)
		}
		size := c.Encoding.SegmentSize(len(parts) > 1)
		for i, p := range parts {
			if p == "" {
				t.Fatalf("part %d of %q is empty", i, text)
			}
			pc := channel.CountSMS(p)
			units := pc.Units
			if c.Encoding == channel.UCS2 {
				units = utf16Len(p)
			} else if pc.Encoding != channel.GSM7 {
				t.Fatalf("part %q of GSM-7 text %q is not GSM-7", p, text)
			}
			if units > size {
				t.Fatalf("part %d %q of %q has %d units, more than %d", i, p, text, units, size)
			}
		}
		if want := refSplit(text); !equalParts(want, parts) {
			t.Fatalf("SplitSMS(%q) = %q, reference %q", text, parts, want)
		}
	})
}

func equalParts(a, b []string) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

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

// refGSM is the GSM 03.38 table written out plainly, for the reference.
var refGSM = func() map[rune]int {
	m := map[rune]int{}
	for _, r := range "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà" {
		m[r] = 1
	}
	for _, r := range "\f^{}\\[~]|€" {
		m[r] = 2
	}
	return m
}()

// refSplit packs whole grapheme clusters greedily, the way the rule reads,
// walking every cluster with uniseg: the slow, obvious version.
func refSplit(s string) []string {
	gsm := true
	total := 0
	for _, r := range s {
		if w, ok := refGSM[r]; ok && r != utf8.RuneError {
			total += w
		} else {
			gsm = false
			break
		}
	}
	cost := func(r rune) int {
		if gsm {
			return refGSM[r]
		}
		if r > 0xFFFF {
			return 2
		}
		return 1
	}
	single, multi := 70, 67
	if gsm {
		single, multi = 160, 153
	} else {
		total = utf16Len(s)
	}
	if total == 0 {
		return nil
	}
	if total <= single {
		return []string{s}
	}
	var parts []string
	start, used, pos := 0, 0, 0
	for pos < len(s) {
		cluster, _, _, _ := uniseg.FirstGraphemeClusterInString(s[pos:], -1)
		c := 0
		for _, r := range cluster {
			c += cost(r)
		}
		if used+c <= multi {
			used += c
			pos += len(cluster)
			continue
		}
		if used > 0 {
			parts = append(parts, s[start:pos])
			start, used = pos, 0
			continue
		}
		// A cluster longer than a part: cut it at code points.
		for i, r := range cluster {
			if used+cost(r) > multi {
				parts = append(parts, s[start:pos+i])
				start, used = pos+i, 0
				pos += i
				break
			}
			used += cost(r)
		}
	}
	return append(parts, s[start:])
}
