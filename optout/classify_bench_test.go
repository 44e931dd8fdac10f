package optout_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/optout"
)

// floorClassify is the DESIGN.md §6 floor: trim ASCII white space and
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
