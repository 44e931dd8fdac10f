package template

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
)

// Snippet errors. Check them with errors.Is.
var (
	// ErrInvalidShortcut is returned for a shortcut that breaks the rules of
	// [NormalizeShortcut].
	ErrInvalidShortcut = errors.New("template: invalid shortcut")
	// ErrDuplicateShortcut is returned by [Library.Add] when the shortcut is
	// taken.
	ErrDuplicateShortcut = errors.New("template: duplicate shortcut")
	// ErrSnippetNotFound is returned when no snippet has the shortcut.
	ErrSnippetNotFound = errors.New("template: snippet not found")
	// ErrDuplicateVariant is returned for a snippet with two variants for
	// the same channel kind and language.
	ErrDuplicateVariant = errors.New("template: duplicate variant")
	// ErrNoVariant is returned for a snippet without variants, and by
	// [Library.Resolve] when no variant suits the channel and language
	// (the error is then a *NoVariantError).
	ErrNoVariant = errors.New("template: no variant")
)

// MaxShortcut is the longest shortcut, in characters.
const MaxShortcut = 32

// Snippet is a pre-written message an agent inserts by typing its shortcut
// ("/greet"). One snippet may hold different content per channel kind and
// per language. A Snippet is a plain value; a [Library] validates and
// compiles it.
type Snippet struct {
	// Shortcut is what the agent types after "/", such as "greet". See
	// [NormalizeShortcut] for the allowed characters.
	Shortcut string
	// Title is the human name shown in the picker.
	Title string
	// Collection groups snippets, such as "Sales" or "Support".
	Collection string
	// DefaultLanguage is the language to fall back on when no variant
	// matches the contact's. language.Und means the first variant's
	// language.
	DefaultLanguage language.Tag
	// Variants hold the content; at least one is required.
	Variants []Variant
}

// Variant is one version of a snippet's content.
type Variant struct {
	// Channel is the kind this content is written for; 0 means
	// channel-neutral, used for any kind without its own variant.
	Channel channel.Kind
	// Language is the content's language; language.Und means the
	// snippet's default language.
	Language language.Tag
	// Body is the template text; see the package documentation.
	Body string
}

// NormalizeShortcut returns the canonical form of a shortcut: without a
// leading "/" and in lower case, so "/Greet" and "greet" are the same
// snippet. A shortcut is 1 to 32 characters: letters (any script), digits,
// "-" and "_", starting with a letter or digit. Anything else fails with
// ErrInvalidShortcut.
func NormalizeShortcut(s string) (string, error) {
	s = strings.ToLower(strings.TrimPrefix(s, "/"))
	if s == "" {
		return "", fmt.Errorf("%w: empty", ErrInvalidShortcut)
	}
	if n := utf8.RuneCountInString(s); n > MaxShortcut {
		return "", fmt.Errorf("%w: %q has %d characters, at most %d", ErrInvalidShortcut, s, n, MaxShortcut)
	}
	for i, r := range s {
		ok := unicode.IsLetter(r) || unicode.IsDigit(r) || (i > 0 && (r == '-' || r == '_'))
		if !ok {
			return "", fmt.Errorf("%w: %q: character %q not allowed", ErrInvalidShortcut, s, r)
		}
	}
	return s, nil
}

// NoVariantError reports that a snippet has no variant for a channel kind
// and language, not even in its default language.
type NoVariantError struct {
	// Shortcut is the snippet's shortcut.
	Shortcut string
	// Channel is the channel kind asked for.
	Channel channel.Kind
	// Language is the contact's language asked for.
	Language language.Tag
}

// Error describes the request that found nothing.
func (e *NoVariantError) Error() string {
	return fmt.Sprintf("template: snippet %q has no variant for %s in %s", e.Shortcut, e.Channel, e.Language)
}

// Is reports whether target is ErrNoVariant.
func (e *NoVariantError) Is(target error) bool { return target == ErrNoVariant }

// Resolved is the variant a [Library] chose for a conversation, compiled.
type Resolved struct {
	// Shortcut is the snippet's canonical shortcut.
	Shortcut string
	// Variant is the chosen content; its Language is the effective one
	// (the default language when the variant left it unset).
	Variant Variant
	// Template is the compiled Variant.Body, ready to render.
	Template *Template
	// Fallback reports that the contact's language matched no variant and
	// the snippet's default language was used.
	Fallback bool
}

// compiled is a validated snippet with its templates and matchers, built
// once on Add so that Resolve only matches.
type compiled struct {
	snip   Snippet // canonical shortcut, effective languages
	tpls   []*Template
	byKey  map[variantKey]int
	groups map[channel.Kind]group // variants per kind (0: neutral)
}

// group is one kind's variants with a language matcher over them; x/text
// matchers are safe for concurrent use.
type group struct {
	m   language.Matcher
	idx []int // variant index per matcher tag
}

type variantKey struct {
	kind channel.Kind
	lang language.Tag
}

// compile validates s: shortcut, variants (kinds valid, no duplicate
// channel+language pair, bodies parse against opt).
func compile(s Snippet, opt Options) (*compiled, error) {
	sc, err := NormalizeShortcut(s.Shortcut)
	if err != nil {
		return nil, err
	}
	if len(s.Variants) == 0 {
		return nil, fmt.Errorf("template: snippet %q: %w: it needs at least one", sc, ErrNoVariant)
	}
	c := &compiled{snip: s, byKey: make(map[variantKey]int, len(s.Variants))}
	c.snip.Shortcut = sc
	if c.snip.DefaultLanguage == language.Und {
		c.snip.DefaultLanguage = s.Variants[0].Language
	}
	c.snip.Variants = make([]Variant, len(s.Variants))
	c.tpls = make([]*Template, len(s.Variants))
	for i, v := range s.Variants {
		if v.Channel != 0 && !v.Channel.Valid() {
			return nil, fmt.Errorf("template: snippet %q variant %d: %w: %d", sc, i, channel.ErrUnknownKind, uint8(v.Channel))
		}
		if v.Language == language.Und {
			v.Language = c.snip.DefaultLanguage
		}
		k := variantKey{v.Channel, v.Language}
		if _, dup := c.byKey[k]; dup {
			return nil, fmt.Errorf("template: snippet %q: %w for %s in %s", sc, ErrDuplicateVariant, kindName(v.Channel), v.Language)
		}
		t, err := ParseWith(v.Body, opt)
		if err != nil {
			return nil, fmt.Errorf("template: snippet %q variant for %s in %s: %w", sc, kindName(v.Channel), v.Language, err)
		}
		c.byKey[k] = i
		c.snip.Variants[i] = v
		c.tpls[i] = t
	}
	tags := make(map[channel.Kind][]language.Tag)
	c.groups = make(map[channel.Kind]group)
	for i, v := range c.snip.Variants {
		g := c.groups[v.Channel]
		g.idx = append(g.idx, i)
		c.groups[v.Channel] = g
		tags[v.Channel] = append(tags[v.Channel], v.Language)
	}
	for k, g := range c.groups {
		g.m = language.NewMatcher(tags[k])
		c.groups[k] = g
	}
	return c, nil
}

// resolve picks the variant for kind and lang: the
// kind's own variant in exactly the contact's language, then the
// channel-neutral one in exactly that language, then the closest language
// x/text rates High (es-MX finds es, pt-PT finds pt-BR), kind before
// neutral; and failing all of those the default language, kind before
// neutral. Low matches (zh-TW for zh-CN) do not count: the default
// language is the safer answer.
func (c *compiled) resolve(kind channel.Kind, lang language.Tag) (Resolved, error) {
	if lang != language.Und {
		own, ownConf := c.match(kind, lang)
		neutral, neutralConf := c.match(0, lang)
		switch {
		case ownConf == language.Exact:
			return c.result(own, false), nil
		case neutralConf == language.Exact:
			return c.result(neutral, false), nil
		case ownConf >= language.High:
			return c.result(own, false), nil
		case neutralConf >= language.High:
			return c.result(neutral, false), nil
		}
	}
	for _, k := range [...]channel.Kind{kind, 0} {
		if i, ok := c.byKey[variantKey{k, c.snip.DefaultLanguage}]; ok {
			return c.result(i, true), nil
		}
	}
	return Resolved{}, &NoVariantError{Shortcut: c.snip.Shortcut, Channel: kind, Language: lang}
}

// match returns the best variant of kind for lang and x/text's confidence
// in it; No when the kind has no variants.
func (c *compiled) match(kind channel.Kind, lang language.Tag) (int, language.Confidence) {
	g, ok := c.groups[kind]
	if !ok {
		return 0, language.No
	}
	_, j, conf := g.m.Match(lang)
	return g.idx[j], conf
}

func (c *compiled) result(i int, fallback bool) Resolved {
	return Resolved{Shortcut: c.snip.Shortcut, Variant: c.snip.Variants[i], Template: c.tpls[i], Fallback: fallback}
}

// copySnippet returns s with its own Variants slice, so callers cannot
// change what a Library holds.
func copySnippet(s Snippet) Snippet {
	s.Variants = append([]Variant(nil), s.Variants...)
	return s
}

func kindName(k channel.Kind) string {
	if k == 0 {
		return "any channel"
	}
	return k.String()
}
