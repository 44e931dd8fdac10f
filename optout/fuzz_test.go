package optout_test

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/parleyhq/parley/optout"
)

// FuzzClassify checks that Classify never panics, that the ASCII fast path
// answers as the x/text path does, and that a classified keyword stays
// classified when wrapped in spaces, NUL bytes or zero-width characters,
// or given a trailing ".".
func FuzzClassify(f *testing.F) {
	for _, s := range []string{
		"STOP", " stop. ", "Stop!", "ＳＴＯＰ", "opt   out", "STÖP", "STOP PLEASE",
		"PLEASE CANCEL", "S T O P", "STOP\x00", "\x00\x1bstop\x7f", "\ufeffSTOP\u200b", "ST\x00OP", "\u0090help\u009f", "OPT OUT NOW", "", "\xff", "arrêt", "unsubscribe",
		"STOP" + strings.Repeat(".", 60) + "\u3000", "s\u0301top", "ﬀ", "Help?",
		// Longer than the raw bound: rejected at once only from an ASCII
		// first byte that is not white space to an ASCII last significant
		// byte (neither white space nor punctuation).
		strings.Repeat("stop ", 40), strings.Repeat(" ", 200) + "STOP", "STOP" + strings.Repeat(" ", 200),
		strings.Repeat("a", 200) + "。", "é" + strings.Repeat("a", 200), "." + strings.Repeat("a", 200) + "!",
	} {
		f.Add(s)
	}
	k := optout.DefaultKeywords()
	f.Fuzz(func(t *testing.T, body string) {
		got := optout.Classify(body)
		if slow := optout.ClassifySlow(k, body); slow != got {
			t.Fatalf("Classify(%q) = %s, x/text path says %s", body, got, slow)
		}
		if got == optout.None || !utf8.ValidString(body) {
			return
		}
		for _, wrapped := range []string{" " + body + " ", body + ".", "\t" + body + " .\n", "\x00" + body + "\x00", "\ufeff" + body + "\u200b"} {
			if w := optout.Classify(wrapped); w != got {
				t.Fatalf("Classify(%q) = %s but Classify(%q) = %s", body, got, wrapped, w)
			}
		}
	})
}
