package optout_test

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley/optout"
)

// TestClassify is the keyword rule as a table: only a keyword alone triggers,
// whatever its case, spacing, width, accents or trailing punctuation.
func TestClassify(t *testing.T) {
	tests := []struct {
		body string
		want optout.Action
	}{
		// The default keywords, each alone.
		{"STOP", optout.OptOut},
		{"STOPALL", optout.OptOut},
		{"UNSUBSCRIBE", optout.OptOut},
		{"CANCEL", optout.OptOut},
		{"END", optout.OptOut},
		{"QUIT", optout.OptOut},
		{"REVOKE", optout.OptOut},
		{"OPTOUT", optout.OptOut},
		{"OPT OUT", optout.OptOut},
		{"STOP ALL", optout.OptOut},
		{"START", optout.OptIn},
		{"YES", optout.OptIn},
		{"UNSTOP", optout.OptIn},
		{"HELP", optout.Help},
		{"INFO", optout.Help},
		// Case, surrounding and inner white space, trailing punctuation.
		{"stop", optout.OptOut},
		{" stop. ", optout.OptOut},
		{"Stop!", optout.OptOut},
		{"STOP!!!", optout.OptOut},
		{"stop ?!", optout.OptOut},
		{"\tStOp\r\n", optout.OptOut},
		{"opt   out", optout.OptOut},
		{"Opt\tOut.", optout.OptOut},
		{"  help?", optout.Help},
		{"Yes.", optout.OptIn},
		// Full width, accents, other spaces.
		{"ＳＴＯＰ", optout.OptOut},
		{"ｓｔｏｐ！", optout.OptOut},
		{"STÖP", optout.OptOut},
		{"Stöp", optout.OptOut},
		{"S\u0301TOP", optout.OptOut},
		{"\u00a0STOP\u3000", optout.OptOut},
		{"OPT\u3000OUT", optout.OptOut},
		{"ＯＰＴ　ＯＵＴ", optout.OptOut},
		{"stop…", optout.OptOut},
		{"STOP。", optout.OptOut},
		// Not alone, not a keyword.
		{"STOP PLEASE", optout.None},
		{"PLEASE CANCEL", optout.None},
		{"S T O P", optout.None},
		{"OPT OUT NOW", optout.None},
		{"ST.OP", optout.None},
		{"¿STOP", optout.None},
		{"STOPS", optout.None},
		{"OPTOUTS", optout.None},
		{"STOP 😡", optout.None},
		{"stop" + strings.Repeat(" please", 30), optout.None},
		{"", optout.None},
		{"   ", optout.None},
		{"...", optout.None},
		{"Hello, I need help with my order", optout.None},
		{"\xff\xfe", optout.None},
		{"STOP\xff", optout.None},
		{"ARRET", optout.None}, // French is not in the default English set
	}
	for _, tt := range tests {
		t.Run(tt.body, func(t *testing.T) {
			assert.Equal(t, tt.want, optout.Classify(tt.body), "Classify(%q)", tt.body)
		})
	}
}

// Control and format characters around a message (a NUL a gateway
// appends, an escape, a zero-width space, a byte-order mark, direction
// marks) are ignored like white space; inside a keyword they keep it from
// matching, as any other character does.
func TestClassifyIgnoresControlAndFormatCharactersAround(t *testing.T) {
	tests := []struct {
		name string
		body string
		want optout.Action
	}{
		{"trailing NUL", "STOP\x00", optout.OptOut},
		{"leading NUL", "\x00STOP", optout.OptOut},
		{"NULs both sides", "\x00\x00stop\x00\x00\x00", optout.OptOut},
		{"escape and bell", "\x1bSTOP\x07", optout.OptOut},
		{"DEL", "STOP\x7f", optout.OptOut},
		{"C1 control", "\u0090STOP\u009f", optout.OptOut},
		{"zero-width space", "STOP\u200b", optout.OptOut},
		{"byte-order mark", "\ufeffSTOP", optout.OptOut},
		{"direction marks", "\u200eSTOP\u200f", optout.OptOut},
		{"word joiner after punctuation", "Stop.\u2060", optout.OptOut},
		{"mixed with white space and punctuation", " \x00 help ?\x00\n", optout.Help},
		{"phrase with a trailing NUL", "OPT OUT\x00", optout.OptOut},
		{"non-ASCII keyword with a NUL", "ＳＴＯＰ\x00", optout.OptOut},
		{"NUL inside", "ST\x00OP", optout.None},
		{"zero-width space inside", "S\u200bTOP", optout.None},
		{"NUL inside a phrase", "OPT\x00OUT", optout.None},
		{"NUL only", "\x00", optout.None},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			assert.Equal(t, tt.want, optout.Classify(tt.body), "Classify(%q)", tt.body)
			assert.Equal(t, tt.want, optout.ClassifySlow(optout.DefaultKeywords(), tt.body), "x/text path, %q", tt.body)
		})
	}
}

func TestClassifyLongMessages(t *testing.T) {
	t.Run("surrounding white space of any length", func(t *testing.T) {
		assert.Equal(t, optout.OptOut, optout.Classify(strings.Repeat(" ", 500)+"STOP"+strings.Repeat(" ", 500)))
		assert.Equal(t, optout.OptOut, optout.Classify("STOP"+strings.Repeat("!", 500)))
	})
	t.Run("inner white space up to the raw-length bound", func(t *testing.T) {
		// 4 × 11 bytes (UNSUBSCRIBE) + 64 = 108 bytes once trimmed.
		assert.Equal(t, optout.OptOut, optout.Classify("OPT"+strings.Repeat(" ", 102)+"OUT"))
		assert.Equal(t, optout.None, optout.Classify("OPT"+strings.Repeat(" ", 103)+"OUT"))
		assert.Equal(t, optout.OptOut, optout.Classify("OPT"+strings.Repeat("　", 30)+"OUT"))
		assert.Equal(t, optout.None, optout.Classify("OPT"+strings.Repeat("　", 40)+"OUT"))
	})
	t.Run("long trailing punctuation before a full-width space", func(t *testing.T) {
		assert.Equal(t, optout.OptOut, optout.Classify("STOP"+strings.Repeat(".", 100)+"\u3000"))
	})
	t.Run("a long non-ASCII message", func(t *testing.T) {
		assert.Equal(t, optout.None, optout.Classify(strings.Repeat("Grüße aus München ", 10)))
	})
	t.Run("many combining marks on a keyword", func(t *testing.T) {
		assert.Equal(t, optout.OptOut, optout.Classify("S"+strings.Repeat("\u0301", 20)+"TOP"))
		assert.Equal(t, optout.None, optout.Classify("S"+strings.Repeat("\u0301", 200)+"TOP"))
	})
}

func TestKeywordsFor(t *testing.T) {
	tests := []struct {
		tag  string
		body string
		want optout.Action
	}{
		{"fr", "ARRET", optout.OptOut},
		{"fr-CA", "Arrêt", optout.OptOut},
		{"fr-CA", "arrête !", optout.OptOut},
		{"fr", "AIDE", optout.Help},
		{"fr", "STOP", optout.OptOut},
		{"es", "BAJA", optout.OptOut},
		{"es-US", "Alto.", optout.OptOut},
		{"es", "AYUDA", optout.Help},
		{"es", "INICIO", optout.OptIn},
		{"es", "ARRET", optout.None},
		{"en", "BAJA", optout.None},
		{"de", "STOP", optout.OptOut},
		{"de", "BAJA", optout.None},
	}
	for _, tt := range tests {
		t.Run(tt.tag+" "+tt.body, func(t *testing.T) {
			k := optout.KeywordsFor(language.MustParse(tt.tag))
			assert.Equal(t, tt.want, k.Classify(tt.body))
		})
	}
}

func TestKeywordSets(t *testing.T) {
	t.Run("replace keeps STOP START HELP", func(t *testing.T) {
		k, err := optout.NewKeywords(language.German, optout.Keyword{Word: "ABMELDEN", Action: optout.OptOut})
		require.NoError(t, err)
		assert.Equal(t, optout.OptOut, k.Classify("abmelden"))
		assert.Equal(t, optout.OptOut, k.Classify("stop"))
		assert.Equal(t, optout.OptIn, k.Classify("start"))
		assert.Equal(t, optout.Help, k.Classify("help"))
		assert.Equal(t, optout.None, k.Classify("unsubscribe"), "replaced, not extended")
		assert.Equal(t, language.German, k.Lang())
	})
	t.Run("extend", func(t *testing.T) {
		k, err := optout.DefaultKeywords().With(
			optout.Keyword{Word: "REMOVE", Action: optout.OptOut},
			optout.Keyword{Word: "Please stop texting me", Action: optout.OptOut},
		)
		require.NoError(t, err)
		assert.Equal(t, optout.OptOut, k.Classify("remove"))
		assert.Equal(t, optout.OptOut, k.Classify("PLEASE STOP TEXTING ME!"))
		assert.Equal(t, optout.OptOut, k.Classify("quit"), "the defaults stay")
		assert.Equal(t, optout.None, optout.Classify("remove"), "the default set is unchanged")
	})
	t.Run("a long phrase falls back to the slow path", func(t *testing.T) {
		long := strings.Repeat("never ever ", 6) + "text me"
		k, err := optout.DefaultKeywords().With(optout.Keyword{Word: long, Action: optout.OptOut})
		require.NoError(t, err)
		assert.Equal(t, optout.OptOut, k.Classify(strings.ToUpper(long)+"."))
		assert.Equal(t, optout.OptOut, k.Classify("stop"))
	})
	t.Run("non-ASCII keywords", func(t *testing.T) {
		k, err := optout.NewKeywords(language.Russian, optout.Keyword{Word: "СТОП", Action: optout.OptOut})
		require.NoError(t, err)
		assert.Equal(t, optout.OptOut, k.Classify("стоп!"))
		assert.Equal(t, optout.OptOut, k.Classify("STOP"))
	})
	t.Run("with reassigns a word that is not core", func(t *testing.T) {
		k, err := optout.DefaultKeywords().With(optout.Keyword{Word: "yes", Action: optout.Help})
		require.NoError(t, err)
		assert.Equal(t, optout.Help, k.Classify("YES"))
	})
	t.Run("with does not remap STOP START HELP", func(t *testing.T) {
		tests := []struct {
			name string
			kw   optout.Keyword
		}{
			{"STOP as help", optout.Keyword{Word: "STOP", Action: optout.Help}},
			{"stop! as opt-in, matched as messages are", optout.Keyword{Word: "stop!", Action: optout.OptIn}},
			{"START as opt-out", optout.Keyword{Word: "START", Action: optout.OptOut}},
			{"HELP as opt-out", optout.Keyword{Word: "Help", Action: optout.OptOut}},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				k, err := optout.DefaultKeywords().With(tt.kw)
				assert.ErrorIs(t, err, optout.ErrCoreKeyword)
				assert.ErrorIs(t, err, optout.ErrInvalidKeyword)
				var ke *optout.KeywordError
				require.ErrorAs(t, err, &ke)
				assert.Equal(t, tt.kw, ke.Keyword)
				assert.Nil(t, k)
				k, err = optout.NewKeywords(language.German, tt.kw)
				assert.ErrorIs(t, err, optout.ErrCoreKeyword, "NewKeywords too")
				assert.Nil(t, k)
			})
		}
		t.Run("the same action is fine", func(t *testing.T) {
			k, err := optout.DefaultKeywords().With(optout.Keyword{Word: "stop", Action: optout.OptOut})
			require.NoError(t, err)
			assert.Equal(t, optout.OptOut, k.Classify("STOP"))
		})
		t.Run("after Without it may take another action", func(t *testing.T) {
			k, err := optout.DefaultKeywords().Without("STOP").With(optout.Keyword{Word: "STOP", Action: optout.Help})
			require.NoError(t, err)
			assert.Equal(t, optout.Help, k.Classify("stop"))
		})
	})
	t.Run("without removes, only explicitly", func(t *testing.T) {
		k := optout.DefaultKeywords().Without("stop", "Info")
		assert.Equal(t, optout.None, k.Classify("STOP"))
		assert.Equal(t, optout.None, k.Classify("INFO"))
		assert.Equal(t, optout.OptOut, k.Classify("STOPALL"))
		assert.Equal(t, optout.OptOut, optout.Classify("STOP"), "the default set is unchanged")
		empty := k.Without()
		assert.Equal(t, len(k.List()), len(empty.List()))
	})
	t.Run("match names the keyword", func(t *testing.T) {
		kw, ok := optout.KeywordsFor(language.French).Match("arrêt.")
		require.True(t, ok)
		assert.Equal(t, optout.Keyword{Word: "ARRET", Action: optout.OptOut}, kw)
		_, ok = optout.DefaultKeywords().Match("hello")
		assert.False(t, ok)
	})
	t.Run("list is ordered by action", func(t *testing.T) {
		l := optout.DefaultKeywords().List()
		require.Len(t, l, 15)
		assert.Equal(t, optout.OptOut, l[0].Action)
		assert.Equal(t, optout.Help, l[len(l)-1].Action)
	})
}

func TestKeywordErrors(t *testing.T) {
	tests := []struct {
		name string
		kws  []optout.Keyword
	}{
		{"empty word", []optout.Keyword{{Word: " ... ", Action: optout.OptOut}}},
		{"no action", []optout.Keyword{{Word: "GO", Action: optout.None}}},
		{"unknown action", []optout.Keyword{{Word: "GO", Action: optout.Action(9)}}},
		{"same word twice with two actions", []optout.Keyword{{Word: "GO", Action: optout.OptIn}, {Word: "go!", Action: optout.OptOut}}},
		{"too long", []optout.Keyword{{Word: strings.Repeat("a", 2000), Action: optout.OptOut}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			k, err := optout.NewKeywords(language.English, tt.kws...)
			assert.ErrorIs(t, err, optout.ErrInvalidKeyword)
			assert.Nil(t, k)
			assert.Contains(t, err.Error(), "optout: invalid keyword")
		})
	}
}
