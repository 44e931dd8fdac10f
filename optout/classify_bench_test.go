package optout_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley/optout"
)

// floorClassify is the floor Classify is measured against (the goal is
// within 1.5× of it, without allocating): trim ASCII white space and
// trailing punctuation, upper-case ASCII into a stack buffer and switch on
// the default keywords. It ignores inner white-space runs, width and
// accents, so it is the least any classifier must do.
func floorClassify(s string) optout.Action {
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

var (
	sink      optout.Action
	keyword   = " Stop. "
	long      = strings.Repeat("Thanks, see you at 5pm. ", 7)[:160]
	nonASCII  = "Ｓｔöｐ！"
	longNonUS = strings.Repeat("Grüße aus München, bis später! ", 6)[:160]
)

func BenchmarkClassify(b *testing.B) {
	for _, c := range []struct{ name, body string }{
		{"keyword", keyword},
		{"long160", long},
		{"nonASCII", nonASCII},
		{"nonASCII160", longNonUS},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = optout.Classify(c.body)
			}
		})
		if c.name == "nonASCII" || c.name == "nonASCII160" {
			continue // the floor cannot classify them
		}
		b.Run(c.name+"/floor", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sink = floorClassify(c.body)
			}
		})
	}
}

func TestFloorAgrees(t *testing.T) {
	// The floor must do the same work on its cases, or the ratio means
	// nothing.
	for _, s := range []string{keyword, long, "STOP", "opt out", "help!"} {
		if got, want := floorClassify(s), optout.Classify(s); got != want {
			t.Errorf("floor(%q) = %s, Classify = %s", s, got, want)
		}
	}
}

// TestFastPathAgrees checks that the ASCII fast path and its hash table
// answer as the x/text path does for sets the default-set fuzz target never
// sees: keys that pack alike but for inner NUL bytes (so share a probe
// run; NUL bytes around a key are trimmed), keys longer than the fast path holds, and sets large enough to grow
// the table.
func TestFastPathAgrees(t *testing.T) {
	many := make([]optout.Keyword, 0, 300)
	for i := range 300 {
		many = append(many, optout.Keyword{Word: fmt.Sprintf("kw%d", i), Action: optout.Action(1 + i%3)})
	}
	sets := map[string][]optout.Keyword{
		"inner NUL bytes": {{"A\x00STOP", optout.OptIn}, {"A\x00\x00STOP", optout.Help}, {"\x00A\x00B\x00", optout.Help}},
		"longer than the fast path": {
			{"PLEASE STOP SENDING ME THESE", optout.OptOut},
			{"sixteen bytes ok", optout.OptIn}, {"seventeen bytes!x", optout.Help},
		},
		"three hundred keywords": many,
	}
	for name, ws := range sets {
		t.Run(name, func(t *testing.T) {
			k, err := optout.NewKeywords(language.English, ws...)
			require.NoError(t, err)
			bodies := []string{"", " ", "x", "stop", " STOP. ", "\x00stop", "\x00\x00stop", "\x00\x00\x00stop", "\x00", "kw", "kw3000",
				"a\x00stop", "a\x00\x00stop", "\x00A\x00STOP\x00", "a\x00b", "\x1ba\x00b\x7f"}
			for _, w := range k.List() {
				bodies = append(bodies, w.Word, " "+w.Word+" !", w.Word+"x", "x"+w.Word, w.Word[1:], w.Word[:len(w.Word)-1],
					strings.ReplaceAll(w.Word, " ", "  \t"), w.Word+" \u3000", strings.ToLower(w.Word)+"é")
			}
			for _, b := range bodies {
				assert.Equal(t, optout.ClassifySlow(k, b), k.Classify(b), "Classify(%q)", b)
			}
		})
	}
}
