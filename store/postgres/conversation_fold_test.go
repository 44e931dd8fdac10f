package postgres

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/conversation"
)

// Search finds text by a substring test on folded columns; it must agree
// with conversation.MatchText, the contract's definition.
func TestFoldAgreesWithMatchText(t *testing.T) {
	cases := []struct {
		name, text, sub string
		want            bool
	}{
		{"ASCII any case", "Ana Lima", "ANA LI", true},
		{"e-mail", "bob@example.com", "BOB@EXAMPLE", true},
		{"digits", "+14155550100", "4155550100", true},
		{"kelvin sign folds with k", "\u212Aate", "kATE", true},
		{"long s folds with s", "\u017Fam", "SAM", true},
		{"final sigma folds with sigma", "ΟΔΥΣΣΕΥΣ", "οδυσσευς", true},
		{"sharp s only matches itself", "straße", "STRASSE", false},
		{"no match", "Ana", "bob", false},
		{"empty sub", "Ana", "", true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			assert.Equal(t, tc.want, conversation.MatchText(tc.text, tc.sub), "MatchText")
			assert.Equal(t, tc.want, strings.Contains(fold(tc.text), fold(tc.sub)), "fold %q %q", fold(tc.text), fold(tc.sub))
		})
	}
}

func FuzzFoldAgreesWithMatchText(f *testing.F) {
	for _, s := range [][2]string{{"Ana Lima", "ana"}, {"\u212Aate", "k"}, {"ΟΔΥΣΣΕΥΣ", "ς"}, {"straße", "SS"}} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, text, sub string) {
		if !utf8.ValidString(text) || !utf8.ValidString(sub) {
			t.Skip("PostgreSQL stores valid UTF-8 only")
		}
		if got, want := strings.Contains(fold(text), fold(sub)), conversation.MatchText(text, sub); got != want {
			t.Errorf("fold says %v, MatchText %v for %q in %q", got, want, sub, text)
		}
	})
}

// A cursor the store did not hand out is refused, never misread.
func FuzzParseSearchCursor(f *testing.F) {
	f.Add(searchCursor(conversation.ID{}.Time(), conversation.ID{1}))
	f.Add("not-a-cursor")
	f.Fuzz(func(t *testing.T, s string) {
		at, id, ok := parseSearchCursor(s)
		if ok && searchCursor(at, id) != s {
			t.Errorf("cursor %q read as (%v, %s), which encodes differently", s, at, id)
		}
	})
}
