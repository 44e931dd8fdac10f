package channel_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/channel"
)

// The three inputs of DESIGN.md §6.
var (
	benchASCII = strings.Repeat("Your order 4521 has shipped and will arrive Tuesday. ", 3)[:150]
	benchUCS2  = func() string {
		s := strings.Repeat("Ваш заказ отправлен, курьер приедет во вторник. ", 7)
		r := []rune(s)[:299]
		return string(r[:150]) + "🙂" + string(r[150:298])
	}()
	benchGSM = func() string {
		s := strings.Repeat("Café à Zürich: {menu} 12€ [prix ~ TTC] | Señor Müller é è ù ì ò Å Ø ß\n", 15)
		return s[:1024]
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

func BenchmarkCountSMS(b *testing.B) {
	for _, in := range []struct{ name, text string }{
		{"ascii150", benchASCII},
		{"ucs2_300_emoji", benchUCS2},
		{"gsm1k_ext_accents", benchGSM},
	} {
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
	}
}

func BenchmarkSplitSMS(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		sink += len(channel.SplitSMS(benchUCS2))
	}
}
