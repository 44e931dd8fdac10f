package channel_test

import (
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/parleyhq/parley/channel"
)

// The three benchmark inputs: 150 ASCII characters, 300 UCS-2 characters
// with an emoji, 1 KB of GSM-7 with extension characters.
var (
	benchASCII = strings.Repeat("Your order 4521 has shipped and will arrive Tuesday. ", 3)[:150]
	benchUCS2  = func() string {
		s := strings.Repeat("Ваш заказ отправлен, курьер приедет во вторник. ", 7)
		r := []rune(s)[:299]
		return string(r[:150]) + "🙂" + string(r[150:298])
	}()
	benchGSM = func() string {
		s := strings.Repeat("Café à Zürich: {menu} 12€ [prix ~ TTC] | Señor Müller é è ù ì ò Å Ø ß\n", 15)
		// Cut at 1 KiB, back to the start of a character.
		end := 1024
		for !utf8.RuneStart(s[end]) {
			end--
		}
		return s[:end]
	}()
)

// floorTable is the per-byte table of the floor: one load and one add per byte.
var floorTable = func() (t [256]uint8) {
	for i := range t {
		t[i] = uint8(i&1 + 1)
	}
	return t
}()

var sink int

func floorSum(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n += int(floorTable[s[i]])
	}
	return n
}

// refSegments counts the way a plain implementation does (the reference
// bench/channel.go also measures): convert to runes, look each up
// in a map, UTF-16-encode for UCS-2, divide.
func refSegments(s string) int {
	runes := []rune(s)
	septets, gsm := 0, true
	for _, r := range runes {
		w, ok := refGSM[r]
		if !ok {
			gsm = false
			break
		}
		septets += w
	}
	if gsm {
		if septets <= 160 {
			return 1
		}
		return (septets + 152) / 153
	}
	units := len(utf16.Encode(runes))
	if units <= 70 {
		return 1
	}
	return (units + 66) / 67
}

func BenchmarkCountSMS(b *testing.B) {
	for _, in := range []struct {
		name string
		text string
		enc  channel.Encoding
	}{
		{"ascii150", benchASCII, channel.GSM7},
		{"ucs2_300_emoji", benchUCS2, channel.UCS2},
		{"gsm1k_ext_accents", benchGSM, channel.GSM7},
	} {
		if got := channel.CountSMS(in.text).Encoding; got != in.enc {
			b.Fatalf("input %s is %s, want %s", in.name, got, in.enc)
		}
		b.Run(in.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink += channel.CountSMS(in.text).Segments
			}
		})
		b.Run(in.name+"/floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink += floorSum(in.text)
			}
		})
		b.Run(in.name+"/reference", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink += refSegments(in.text)
			}
		})
	}
}

func BenchmarkSplitSMS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink += len(channel.SplitSMS(benchUCS2))
	}
}
