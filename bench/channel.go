package main

import (
	"fmt"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/parleyhq/parley/channel"
)

// The three CountSMS inputs: 150 ASCII characters, 300 UCS-2 characters
// with an emoji, and 1 KB of GSM-7 with extension characters and accents.
var (
	smsASCII = strings.Repeat("Your order 4521 has shipped and will arrive Tuesday. ", 3)[:150]
	smsUCS2  = func() string {
		r := []rune(strings.Repeat("Ваш заказ отправлен, курьер приедет во вторник. ", 7))[:298]
		return string(r[:150]) + "🙂" + string(r[150:])
	}()
	smsGSM = func() string {
		s := strings.Repeat("Café à Zürich: {menu} 12€ [prix ~ TTC] | Señor Müller é è ù ì ò Å Ø ß\n", 15)
		end := 1024
		for !utf8.RuneStart(s[end]) {
			end--
		}
		return s[:end]
	}()
)

// smsFloorTable is the floor's per-byte table: the least any counter must
// do is look every byte up once.
var smsFloorTable = func() (t [256]uint8) {
	for i := range t {
		t[i] = uint8(i&1 + 1)
	}
	return t
}()

// smsSink keeps the compiler from discarding a benchmarked count.
//
//lint:ignore U1000 written by the timed loops, read by nobody on purpose
var smsSink int

func smsFloor(s string) int {
	n := 0
	for i := 0; i < len(s); i++ {
		n += int(smsFloorTable[s[i]])
	}
	return n
}

// refGSM7 is the GSM 03.38 table as a straightforward counter keeps it.
var refGSM7 = func() map[rune]int {
	m := map[rune]int{}
	for _, r := range "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà" {
		m[r] = 1
	}
	for _, r := range "\f^{}\\[~]|€" {
		m[r] = 2
	}
	return m
}()

// smsReference counts the way a plain implementation does: convert to
// runes, look each up in a map, UTF-16-encode for UCS-2, divide.
func smsReference(s string) int {
	runes := []rune(s)
	septets, gsm := 0, true
	for _, r := range runes {
		w, ok := refGSM7[r]
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

func channelRows(o options) []row {
	inputs := []struct{ name, text string }{
		{"150 ASCII characters", smsASCII},
		{"300 UCS-2 characters with an emoji", smsUCS2},
		{"1 KB GSM-7 with extension characters and accents", smsGSM},
	}
	var rows []row
	for _, in := range inputs {
		text := in.text
		parley := measure(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				smsSink += channel.CountSMS(text).Segments
			}
		})
		floor := measure(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				smsSink += smsFloor(text)
			}
		})
		ref := measure(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				smsSink += smsReference(text)
			}
		})
		path := fmt.Sprintf("channel.CountSMS, %s (%d B)", in.name, len(text))
		s := slower(parley, floor)
		rows = append(rows, row{
			Path: path, Parley: parley,
			Peer: "per-byte table-sum floor", Other: floor,
			Ratio: fmt.Sprintf("%.2f× the floor", s),
			Goal:  "≤ 2× floor, 0 allocs",
			OK:    s <= 2 && parley.AllocsPerOp == 0,
		})
		f := faster(parley, ref)
		rows = append(rows, row{
			Path: path, Parley: parley,
			Peer: "reference: []rune + map lookup + utf16.Encode", Other: ref,
			Ratio: fmt.Sprintf("%.1f× faster", f),
			Goal:  "≥ 10× the reference",
			OK:    f >= 10,
		})
	}
	return rows
}
