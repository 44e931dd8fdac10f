package routing

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"
)

// nameProblem says how an agent ID or a queue name breaks rule 13, or ""
// when it does not: it must be valid UTF-8, printable, and neither blank
// nor padded with space. Callers quote the name with %q, so that a log
// line shows "\x00" rather than the byte itself.
func nameProblem(s string) string {
	if s != "" && s[0] != ' ' && s[len(s)-1] != ' ' && printableASCII(s) {
		return ""
	}
	switch {
	case !utf8.ValidString(s):
		return "is not valid UTF-8"
	case strings.TrimSpace(s) == "":
		return "is blank"
	case strings.TrimSpace(s) != s:
		return "has leading or trailing space"
	}
	for _, c := range s {
		if !unicode.IsPrint(c) {
			return fmt.Sprintf("holds the unprintable character %U", c)
		}
	}
	return ""
}

// printableASCII reports whether s is all printable ASCII, space
// included: the usual name, checked without decoding runes (Enqueue checks
// every queue name: see BenchmarkDecision).
func printableASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}
