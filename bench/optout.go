package main

import (
	"fmt"
	"strings"
	"testing"
	"time"
	"unicode"

	"golang.org/x/text/cases"
	"golang.org/x/text/runes"
	"golang.org/x/text/transform"
	"golang.org/x/text/unicode/norm"

	"github.com/parleyhq/parley/optout"
)

// The Classify inputs: a keyword with case, spacing and punctuation to
// ignore; a 160-character ordinary SMS; a full-width accented keyword; a
// 160-character non-ASCII ordinary SMS.
var (
	optoutKeyword   = " Stop. "
	optoutLong      = strings.Repeat("Thanks, see you at 5pm. ", 7)[:160]
	optoutWide      = "Ｓｔöｐ！"
	optoutLongWide  = string([]rune(strings.Repeat("Grüße aus München, bis später! ", 6))[:160])
	optoutReference = map[string]optout.Action{}
)

// optoutSink keeps the compiler from discarding a benchmarked result.
//
//lint:ignore U1000 written by the timed loops, read by nobody on purpose
var optoutSink optout.Action

func init() {
	for _, k := range optout.DefaultKeywords().List() {
		optoutReference[optoutCanonical(k.Word)] = k.Action
	}
}

// optoutFloor is Classify's floor: trim ASCII white space and trailing
// punctuation, upper-case ASCII into a stack buffer and switch on the
// default keywords. It ignores inner white-space runs, width and accents:
// the least any classifier must do.
func optoutFloor(s string) optout.Action {
	for len(s) > 0 && (s[len(s)-1] == ' ' || s[len(s)-1] == '.' || s[len(s)-1] == '!' || s[len(s)-1] == '\n') {
		s = s[:len(s)-1]
	}
	for len(s) > 0 && s[0] == ' ' {
		s = s[1:]
	}
	if len(s) > 11 {
		return optout.None
	}
	var buf [11]byte
	for i := 0; i < len(s); i++ {
		c := s[i]
		if 'a' <= c && c <= 'z' {
			c -= 'a' - 'A'
		}
		buf[i] = c
	}
	switch string(buf[:len(s)]) {
	case "STOP", "STOPALL", "STOP ALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT", "REVOKE", "OPTOUT", "OPT OUT":
		return optout.OptOut
	case "START", "YES", "UNSTOP":
		return optout.OptIn
	case "HELP", "INFO":
		return optout.Help
	}
	return optout.None
}

// optoutCanonical is the straightforward way to match like Classify:
// normalise the whole message with x/text, trim, collapse, look up a map.
func optoutCanonical(s string) string {
	t := transform.Chain(norm.NFKD, runes.Remove(runes.In(unicode.Mn)), cases.Fold(), norm.NFKC)
	out, _, _ := transform.String(t, s)
	out = strings.TrimRightFunc(out, func(r rune) bool { return unicode.IsSpace(r) || unicode.IsPunct(r) })
	return strings.Join(strings.Fields(out), " ")
}

// A floor row's two sides are timed in optoutBlocks alternating blocks of
// about optoutBlock each, and each side keeps its fastest block: on a
// shared machine other work only ever slows a block down, so the fastest is
// the nearest to the code's own cost, and alternating gives both sides the
// same chance of a quiet moment. At ten nanoseconds a call, one long run is
// mostly the neighbours' noise.
const (
	optoutBlocks = 300
	optoutBlock  = time.Millisecond
)

// optoutClassifyLoop and optoutFloorLoop call Classify and the floor n times
// on s, each called directly, as a host calls it: through a func value,
// Classify could not inline into its caller and would pay a call the floor
// does not. They are functions of their own, not closures inside
// optoutRows, so that they are compiled as a host's code is (inlining is
// curbed inside very large functions).
func optoutClassifyLoop(s string, n int) {
	for range n {
		optoutSink = optout.Classify(s)
	}
}

func optoutFloorLoop(s string, n int) {
	for range n {
		optoutSink = optoutFloor(s)
	}
}

// optoutFastest returns the fastest ns/op of the loops parley and floor on
// s, timed as above; nsPerOp, a first estimate of parley's, sizes the
// blocks.
func optoutFastest(parley, floor func(string, int), s string, nsPerOp float64) (float64, float64) {
	n := max(1, int(float64(optoutBlock.Nanoseconds())/max(nsPerOp, 1)))
	block := func(loop func(string, int)) float64 {
		start := time.Now()
		loop(s, n)
		return float64(time.Since(start).Nanoseconds()) / float64(n)
	}
	p, q := block(parley), block(floor)
	for range optoutBlocks - 1 {
		p, q = min(p, block(parley)), min(q, block(floor))
	}
	return p, q
}

func optoutReferenceClassify(s string) optout.Action { return optoutReference[optoutCanonical(s)] }

func optoutRows(o options) []row {
	bench := func(f func(string) optout.Action, s string) figures {
		return measure(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				optoutSink = f(s)
			}
		})
	}
	var rows []row
	for _, in := range []struct{ name, text string }{
		{fmt.Sprintf("keyword %q", optoutKeyword), optoutKeyword},
		{"160-character ASCII non-keyword", optoutLong},
	} {
		loop := func(l func(string, int)) figures {
			return measure(func(b *testing.B) {
				b.ReportAllocs()
				l(in.text, b.N)
			})
		}
		parley, floor := loop(optoutClassifyLoop), loop(optoutFloorLoop)
		if !o.quick {
			parley.NsPerOp, floor.NsPerOp = optoutFastest(optoutClassifyLoop, optoutFloorLoop, in.text, parley.NsPerOp)
		}
		s, how := slower(parley, floor), ""
		if !o.quick {
			how = fmt.Sprintf(", fastest of %d blocks each", optoutBlocks)
		}
		rows = append(rows, row{
			Path: "optout.Classify, " + in.name, Parley: parley,
			Peer: "ASCII-fold + switch floor", Other: floor,
			Ratio: fmt.Sprintf("%.2f× the floor%s", s, how),
			Goal:  "≤ 1.5× floor, 0 allocs",
			OK:    s <= 1.5 && parley.AllocsPerOp == 0,
		})
	}
	for _, in := range []struct {
		name, text, goal string
		min              float64
	}{
		{fmt.Sprintf("full-width accented keyword %q", optoutWide), optoutWide, "no slower than the reference", 1},
		{"160-character non-ASCII non-keyword", optoutLongWide, "rejected unread: ≥ 10× the reference", 10},
	} {
		parley := bench(optout.Classify, in.text)
		ref := bench(optoutReferenceClassify, in.text)
		f := faster(parley, ref)
		rows = append(rows, row{
			Path: "optout.Classify, " + in.name, Parley: parley,
			Peer: "reference: x/text over the whole message + map", Other: ref,
			Ratio: fmt.Sprintf("%.1f× faster", f),
			Goal:  in.goal,
			OK:    f >= in.min,
		})
	}
	return rows
}
