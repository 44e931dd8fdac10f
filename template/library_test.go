package template_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/template"
)

func greet() template.Snippet {
	return template.Snippet{
		Shortcut:        "greet",
		Title:           "Greeting",
		Collection:      "Support",
		DefaultLanguage: language.English,
		Variants: []template.Variant{
			{Language: language.English, Body: `Hi {{contact.first_name | default: "there"}}!`},
			{Language: language.Spanish, Body: `¡Hola {{contact.first_name | default: "amigo"}}!`},
			{Channel: channel.WhatsApp, Language: language.Spanish, Body: `*¡Hola {{contact.first_name | default: "amigo"}}!*`},
			{Channel: channel.SMS, Language: language.English, Body: `Hi {{contact.first_name | default: "there"}}. Reply STOP to opt out.`},
			{Language: language.MustParse("pt-BR"), Body: `Olá {{contact.first_name | default: "amigo"}}!`},
			{Channel: channel.Email, Language: language.MustParse("pt-PT"), Body: `Olá {{contact.first_name | default: "caro cliente"}}.`},
		},
	}
}

// Variant resolution: channel+language, then
// channel-neutral, then the default language.
func TestLibraryResolve(t *testing.T) {
	var lib template.Library
	require.NoError(t, lib.Add(greet()))

	tests := []struct {
		name     string
		kind     channel.Kind
		lang     string
		want     string
		fallback bool
	}{
		{"channel and language exactly", channel.WhatsApp, "es", "*¡Hola Ana!*", false},
		{"regional contact finds the channel's language", channel.WhatsApp, "es-MX", "*¡Hola Ana!*", false},
		{"channel-neutral in the contact's language", channel.Messenger, "es", "¡Hola Ana!", false},
		{"channel variant in the default language", channel.SMS, "en-GB", "Hi Ana. Reply STOP to opt out.", false},
		{"exact neutral beats a close channel variant", channel.Email, "pt-BR", "Olá Ana!", false},
		{"close channel variant when nothing is exact", channel.Email, "pt-AO", "Olá Ana.", false},
		{"unknown language falls back to the default", channel.Messenger, "de", "Hi Ana!", true},
		{"unknown language on a channel with its own default variant", channel.SMS, "fr", "Hi Ana. Reply STOP to opt out.", true},
		{"undetermined language uses the default", channel.WebChat, "und", "Hi Ana!", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, err := lib.Resolve("/greet", tt.kind, language.MustParse(tt.lang))
			require.NoError(t, err)
			got, err := r.Template.Render(map[string]string{"contact.first_name": "Ana"})
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.fallback, r.Fallback, "fallback")
			assert.Equal(t, "greet", r.Shortcut)
		})
	}

	t.Run("no variant for the channel nor neutral", func(t *testing.T) {
		var l template.Library
		require.NoError(t, l.Add(template.Snippet{Shortcut: "wa", Variants: []template.Variant{
			{Channel: channel.WhatsApp, Language: language.English, Body: "hi"},
		}}))
		_, err := l.Resolve("wa", channel.SMS, language.English)
		require.ErrorIs(t, err, template.ErrNoVariant)
		var ne *template.NoVariantError
		require.ErrorAs(t, err, &ne)
		assert.Equal(t, channel.SMS, ne.Channel)
		assert.Equal(t, "wa", ne.Shortcut)
	})
	t.Run("unknown shortcut", func(t *testing.T) {
		_, err := lib.Resolve("nope", channel.SMS, language.English)
		assert.ErrorIs(t, err, template.ErrSnippetNotFound)
	})
	t.Run("unset languages take the default", func(t *testing.T) {
		var l template.Library
		require.NoError(t, l.Add(template.Snippet{Shortcut: "x", DefaultLanguage: language.French, Variants: []template.Variant{{Body: "Bonjour"}}}))
		r, err := l.Resolve("x", channel.SMS, language.French)
		require.NoError(t, err)
		assert.Equal(t, language.French, r.Variant.Language)
		assert.False(t, r.Fallback)
	})
}

func TestLibraryAddRules(t *testing.T) {
	schema, err := template.NewSchema("contact.*")
	require.NoError(t, err)
	tests := []struct {
		name string
		s    template.Snippet
		want error
	}{
		{"empty shortcut", template.Snippet{Variants: []template.Variant{{Body: "x"}}}, template.ErrInvalidShortcut},
		{"space in shortcut", template.Snippet{Shortcut: "a b", Variants: []template.Variant{{Body: "x"}}}, template.ErrInvalidShortcut},
		{"shortcut starting with a dash", template.Snippet{Shortcut: "-a", Variants: []template.Variant{{Body: "x"}}}, template.ErrInvalidShortcut},
		{"shortcut too long", template.Snippet{Shortcut: "abcdefghijklmnopqrstuvwxyz0123456", Variants: []template.Variant{{Body: "x"}}}, template.ErrInvalidShortcut},
		{"no variants", template.Snippet{Shortcut: "a"}, template.ErrNoVariant},
		{"duplicate variant", template.Snippet{Shortcut: "a", Variants: []template.Variant{
			{Language: language.English, Body: "x"}, {Language: language.English, Body: "y"}}}, template.ErrDuplicateVariant},
		{"duplicate variant through the default language", template.Snippet{Shortcut: "a", DefaultLanguage: language.English, Variants: []template.Variant{
			{Body: "x"}, {Language: language.English, Body: "y"}}}, template.ErrDuplicateVariant},
		{"invalid channel kind", template.Snippet{Shortcut: "a", Variants: []template.Variant{{Channel: 99, Body: "x"}}}, channel.ErrUnknownKind},
		{"body syntax error", template.Snippet{Shortcut: "a", Variants: []template.Variant{{Body: "{{x"}}}, template.ErrSyntax},
		{"variable outside the schema", template.Snippet{Shortcut: "a", Variants: []template.Variant{{Body: "{{agent.name}}"}}}, template.ErrUnknownVariable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			lib := template.NewLibrary(template.Options{Schema: schema})
			err := lib.Add(tt.s)
			assert.ErrorIs(t, err, tt.want)
			assert.Zero(t, lib.Len(), "bad input changes nothing")
		})
	}
	t.Run("a syntax error keeps its position", func(t *testing.T) {
		var lib template.Library
		err := lib.Add(template.Snippet{Shortcut: "a", Variants: []template.Variant{{Body: "ok\n{{x"}}})
		var se *template.SyntaxError
		require.ErrorAs(t, err, &se)
		assert.Equal(t, 2, se.Line)
	})
}

func TestNormalizeShortcut(t *testing.T) {
	for in, want := range map[string]string{"/Greet": "greet", "greet": "greet", "saludo_2": "saludo_2", "привет": "привет", "follow-up": "follow-up", "42": "42"} {
		got, err := template.NormalizeShortcut(in)
		require.NoError(t, err, in)
		assert.Equal(t, want, got, in)
	}
	for _, bad := range []string{"", "/", "//greet", "a.b", "a/b", "_a", "hi!", "a b"} {
		_, err := template.NormalizeShortcut(bad)
		assert.ErrorIs(t, err, template.ErrInvalidShortcut, bad)
	}
}

func TestLibraryCRUD(t *testing.T) {
	lib := template.NewLibrary(template.Options{})
	add := func(sc string) {
		require.NoError(t, lib.Add(template.Snippet{Shortcut: sc, Title: sc, Variants: []template.Variant{{Body: "body " + sc}}}))
	}
	for _, sc := range []string{"greeting", "greet", "bye", "Great", "gr"} {
		add(sc)
	}

	t.Run("duplicate shortcut refused in any case or with a slash", func(t *testing.T) {
		for _, sc := range []string{"greet", "/GREET"} {
			err := lib.Add(template.Snippet{Shortcut: sc, Variants: []template.Variant{{Body: "other"}}})
			assert.ErrorIs(t, err, template.ErrDuplicateShortcut)
		}
		s, ok := lib.Get("greet")
		require.True(t, ok)
		assert.Equal(t, "body greet", s.Variants[0].Body, "the first snippet stays")
	})
	t.Run("find by prefix ranks the exact match first, then by shortcut", func(t *testing.T) {
		var got []string
		for _, s := range lib.Find("/gr") {
			got = append(got, s.Shortcut)
		}
		assert.Equal(t, []string{"gr", "great", "greet", "greeting"}, got)
		got = got[:0]
		for _, s := range lib.Find("GREET") {
			got = append(got, s.Shortcut)
		}
		assert.Equal(t, []string{"greet", "greeting"}, got)
		assert.Empty(t, lib.Find("x"))
		assert.Len(t, lib.Find("/"), 5)
	})
	t.Run("list is ordered by shortcut", func(t *testing.T) {
		var got []string
		for _, s := range lib.List() {
			got = append(got, s.Shortcut)
		}
		assert.Equal(t, []string{"bye", "gr", "great", "greet", "greeting"}, got)
	})
	t.Run("returned snippets are copies", func(t *testing.T) {
		s, _ := lib.Get("bye")
		s.Variants[0].Body = "changed"
		again, _ := lib.Get("bye")
		assert.Equal(t, "body bye", again.Variants[0].Body)
	})
	t.Run("update replaces", func(t *testing.T) {
		require.NoError(t, lib.Update(template.Snippet{Shortcut: "/Bye", Title: "Farewell", Variants: []template.Variant{{Body: "See you"}}}))
		s, ok := lib.Get("bye")
		require.True(t, ok)
		assert.Equal(t, "Farewell", s.Title)
		assert.ErrorIs(t, lib.Update(template.Snippet{Shortcut: "nope", Variants: []template.Variant{{Body: "x"}}}), template.ErrSnippetNotFound)
		assert.ErrorIs(t, lib.Update(template.Snippet{Shortcut: "bye", Variants: []template.Variant{{Body: "{{"}}}), template.ErrSyntax)
		s, _ = lib.Get("bye")
		assert.Equal(t, "See you", s.Variants[0].Body, "a bad update changes nothing")
	})
	t.Run("remove", func(t *testing.T) {
		require.NoError(t, lib.Remove("/greet"))
		_, ok := lib.Get("greet")
		assert.False(t, ok)
		assert.ErrorIs(t, lib.Remove("greet"), template.ErrSnippetNotFound)
		assert.ErrorIs(t, lib.Remove("a b"), template.ErrInvalidShortcut)
		assert.Equal(t, 4, lib.Len())
		add("greet")
		assert.Equal(t, 5, lib.Len())
	})
}

// Many agents reading while an admin edits (-race).
func TestLibraryConcurrent(t *testing.T) {
	var lib template.Library
	require.NoError(t, lib.Add(greet()))
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Go(func() {
			for i := range 100 {
				sc := fmt.Sprintf("s%d-%d", w, i)
				if err := lib.Add(template.Snippet{Shortcut: sc, Variants: []template.Variant{{Body: "x"}}}); err != nil {
					t.Error(err)
					return
				}
				if i%2 == 0 {
					if err := lib.Remove(sc); err != nil {
						t.Error(err)
						return
					}
				}
			}
		})
		wg.Go(func() {
			for range 200 {
				lib.Find("s")
				r, err := lib.Resolve("greet", channel.WhatsApp, language.MustParse("es-AR"))
				if err != nil {
					t.Error(err)
					return
				}
				if _, err := r.Template.Render(nil); err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	assert.Equal(t, 1+4*50, lib.Len())
}
