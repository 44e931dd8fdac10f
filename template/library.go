package template

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"golang.org/x/text/language"

	"github.com/parleyhq/parley/channel"
)

// Library keeps a business's snippets: add, update,
// remove, list, find by shortcut prefix while an agent types, and resolve
// the variant for a conversation. Every snippet is validated and compiled
// when it enters, so a bad one changes nothing and a stored one always
// renders. A Library is safe for concurrent use; its zero value is an
// empty library without a schema.
type Library struct {
	opt  Options
	mu   sync.RWMutex
	byID map[string]*compiled
	keys []string // canonical shortcuts, sorted, for prefix search
}

// NewLibrary returns an empty library whose snippet bodies are parsed with
// opt, so a schema given there applies to every variant.
func NewLibrary(opt Options) *Library {
	return &Library{opt: opt}
}

// Add stores s. It fails with ErrDuplicateShortcut when the shortcut is
// taken, and with ErrInvalidShortcut, ErrNoVariant, ErrDuplicateVariant,
// ErrSyntax or ErrUnknownVariable when s is invalid.
func (l *Library) Add(s Snippet) error {
	c, err := compile(s, l.opt)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	sc := c.snip.Shortcut
	if _, ok := l.byID[sc]; ok {
		return fmt.Errorf("%w: %q", ErrDuplicateShortcut, sc)
	}
	if l.byID == nil {
		l.byID = make(map[string]*compiled)
	}
	l.byID[sc] = c
	i, _ := slices.BinarySearch(l.keys, sc)
	l.keys = slices.Insert(l.keys, i, sc)
	return nil
}

// Update replaces the snippet with s's shortcut. It fails with
// ErrSnippetNotFound when there is none, and like Add when s is invalid.
// To rename a snippet, Remove it and Add the new one.
func (l *Library) Update(s Snippet) error {
	c, err := compile(s, l.opt)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	sc := c.snip.Shortcut
	if _, ok := l.byID[sc]; !ok {
		return fmt.Errorf("%w: %q", ErrSnippetNotFound, sc)
	}
	l.byID[sc] = c
	return nil
}

// Remove deletes the snippet with the shortcut, or fails with
// ErrSnippetNotFound.
func (l *Library) Remove(shortcut string) error {
	sc, err := NormalizeShortcut(shortcut)
	if err != nil {
		return err
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if _, ok := l.byID[sc]; !ok {
		return fmt.Errorf("%w: %q", ErrSnippetNotFound, sc)
	}
	delete(l.byID, sc)
	i, _ := slices.BinarySearch(l.keys, sc)
	l.keys = slices.Delete(l.keys, i, i+1)
	return nil
}

// Get returns the snippet with the shortcut ("/greet" or "greet", any
// case), with its canonical shortcut and effective languages.
func (l *Library) Get(shortcut string) (Snippet, bool) {
	sc, err := NormalizeShortcut(shortcut)
	if err != nil {
		return Snippet{}, false
	}
	l.mu.RLock()
	defer l.mu.RUnlock()
	c, ok := l.byID[sc]
	if !ok {
		return Snippet{}, false
	}
	return copySnippet(c.snip), true
}

// Len returns how many snippets the library holds.
func (l *Library) Len() int {
	l.mu.RLock()
	defer l.mu.RUnlock()
	return len(l.keys)
}

// List returns every snippet, ordered by shortcut.
func (l *Library) List() []Snippet {
	return l.Find("")
}

// Find returns the snippets whose shortcut starts with prefix, for an agent
// typing "/gr": the exact match first, then the others ordered by shortcut.
// A leading "/" is ignored and case does not matter. A prefix that cannot
// begin a shortcut finds nothing.
func (l *Library) Find(prefix string) []Snippet {
	p := strings.ToLower(strings.TrimPrefix(prefix, "/"))
	l.mu.RLock()
	defer l.mu.RUnlock()
	// Sorted order already ranks the exact match first: a string sorts
	// before every longer string it is a prefix of.
	i, _ := slices.BinarySearch(l.keys, p)
	var out []Snippet
	for ; i < len(l.keys) && strings.HasPrefix(l.keys[i], p); i++ {
		out = append(out, copySnippet(l.byID[l.keys[i]].snip))
	}
	return out
}

// Resolve returns the variant of the snippet with the shortcut for a
// conversation on kind with a contact speaking lang (language.Und when
// unknown): the kind's own variant in the contact's language, then the
// channel-neutral one in that language, then the default language (the
// kind's own, then neutral). It fails with ErrSnippetNotFound, or with a
// *NoVariantError (ErrNoVariant) when not even the default language has a
// variant for the kind or a neutral one.
func (l *Library) Resolve(shortcut string, kind channel.Kind, lang language.Tag) (Resolved, error) {
	sc, err := NormalizeShortcut(shortcut)
	if err != nil {
		return Resolved{}, err
	}
	l.mu.RLock()
	c, ok := l.byID[sc]
	l.mu.RUnlock()
	if !ok {
		return Resolved{}, fmt.Errorf("%w: %q", ErrSnippetNotFound, sc)
	}
	return c.resolve(kind, lang)
}
