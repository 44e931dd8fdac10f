package optout

import (
	"cmp"
	"errors"
	"fmt"
	"slices"
	"strings"

	"golang.org/x/text/language"
)

// Keyword is one word or phrase that triggers an action when it is the whole
// message.
type Keyword struct {
	// Word is the keyword as written ("STOP", "OPT OUT", "ARRÊT"). Matching
	// ignores its case, accents, width and spacing.
	Word string
	// Action is what it triggers: OptOut, OptIn or Help.
	Action Action
}

// Keyword errors. Check them with errors.Is; the error is a
// [*KeywordError].
var (
	// ErrInvalidKeyword means a keyword that cannot be matched: empty once
	// normalised, with an action other than OptOut, OptIn or Help, or
	// listed twice with different actions. Every keyword refusal matches
	// it.
	ErrInvalidKeyword = errors.New("optout: invalid keyword")
	// ErrCoreKeyword means a keyword that would give STOP, START or HELP an
	// action other than its own: carriers require them, so they can only
	// be removed explicitly. Remove the word with [Keywords.Without] first,
	// then add it with the new action. It also matches ErrInvalidKeyword.
	ErrCoreKeyword = errors.New("optout: STOP, START and HELP keep their action")
)

// KeywordError is the typed refusal of a keyword. It matches
// [ErrInvalidKeyword], and Err when set.
type KeywordError struct {
	Keyword Keyword // the keyword refused
	Reason  string  // why, in words
	Err     error   // a more specific sentinel (ErrCoreKeyword), or nil
}

// Error returns "optout: invalid keyword "...": reason".
func (e *KeywordError) Error() string {
	return fmt.Sprintf("optout: invalid keyword %q (%s): %s", e.Keyword.Word, e.Keyword.Action, e.Reason)
}

// Is reports whether target is ErrInvalidKeyword.
func (e *KeywordError) Is(target error) bool { return target == ErrInvalidKeyword }

// Unwrap returns the more specific sentinel, if any.
func (e *KeywordError) Unwrap() error { return e.Err }

// The core keywords stay in every set built from a list unless removed
// explicitly with [Keywords.Without]: carriers require them.
var core = []Keyword{{"STOP", OptOut}, {"START", OptIn}, {"HELP", Help}}

// isCore reports whether canonical key with action a is one of the core
// keywords with its own action.
func isCore(key string, a Action) bool {
	for _, c := range core {
		if c.Action == a && canonical(c.Word) == key {
			return true
		}
	}
	return false
}

// fastMax is the longest canonical keyword, in bytes, the ASCII fast path
// holds; a set with longer keywords hands longer messages to the slow path.
const fastMax = 2 * 8

// entry is a keyword with its canonical form.
type entry struct {
	key string
	kw  Keyword
}

// Keywords is an immutable set of keywords for one language. Build one with
// [DefaultKeywords], [KeywordsFor] or [NewKeywords], and derive others with
// [Keywords.With] and [Keywords.Without]. A *Keywords is safe for concurrent
// use by multiple goroutines.
type Keywords struct {
	lang    language.Tag
	entries []entry // sorted by action, then word
	byKey   map[string]int
	// fast indexes the ASCII keys for the fast path.
	fast table
	// maxBytes is the longest canonical key; a message whose leading ASCII
	// already exceeds it is rejected without looking further.
	maxBytes int
	// fastLimit is min(maxBytes, fastMax); fastOnly reports whether every
	// key fits the fast path (maxBytes ≤ fastMax).
	fastLimit int
	fastOnly  bool
	// maxRaw bounds a keyword message's trimmed raw length; see rawSlack.
	maxRaw int
	// maxLetters bounds the letters a keyword message may hold, with slack
	// for decomposed scripts, for the slow path's early rejection.
	maxLetters int
}

// NewKeywords returns a set for language tag holding ws and the core
// keywords STOP, START and HELP. ws may list a core word with its own
// action, never another one ([ErrCoreKeyword]). Use it to replace a default
// set; use [Keywords.With] to extend one.
func NewKeywords(tag language.Tag, ws ...Keyword) (*Keywords, error) {
	return build(tag, core, ws)
}

// build returns the set of base plus add, where add overrides base.
func build(tag language.Tag, base, add []Keyword) (*Keywords, error) {
	k := &Keywords{lang: tag, byKey: make(map[string]int)}
	seen := make(map[string]Action)
	var all []entry
	put := func(w Keyword, override bool) error {
		if !w.Action.valid() {
			return &KeywordError{Keyword: w, Reason: "action must be opt-out, opt-in or help"}
		}
		if len(w.Word) > 1024 {
			return &KeywordError{Keyword: w, Reason: "longer than 1024 bytes"}
		}
		key := canonical(w.Word)
		if key == "" {
			return &KeywordError{Keyword: w, Reason: "empty once case, accents, spacing and trailing punctuation are ignored"}
		}
		if a, ok := seen[key]; ok {
			if !override && a != w.Action {
				return &KeywordError{Keyword: w, Reason: fmt.Sprintf("already listed as %s", a)}
			}
			if a != w.Action && isCore(key, a) {
				return &KeywordError{Keyword: w, Err: ErrCoreKeyword,
					Reason: fmt.Sprintf("a core keyword stays %s unless removed first with Without", a)}
			}
			i := slices.IndexFunc(all, func(e entry) bool { return e.key == key })
			all[i] = entry{key: key, kw: w}
		} else {
			all = append(all, entry{key: key, kw: w})
		}
		seen[key] = w.Action
		return nil
	}
	for _, w := range base {
		if err := put(w, false); err != nil {
			return nil, err
		}
	}
	addSeen := make(map[string]Action)
	for _, w := range add {
		key := canonical(w.Word)
		if a, ok := addSeen[key]; ok && a != w.Action {
			return nil, &KeywordError{Keyword: w, Reason: fmt.Sprintf("already listed as %s", a)}
		}
		addSeen[key] = w.Action
		if err := put(w, true); err != nil {
			return nil, err
		}
	}
	k.index(all)
	return k, nil
}

// index sorts the entries and builds the lookup structures.
func (k *Keywords) index(all []entry) {
	slices.SortFunc(all, func(a, b entry) int {
		return cmp.Or(cmp.Compare(a.kw.Action, b.kw.Action), cmp.Compare(a.key, b.key))
	})
	k.entries = all
	letterMax := 0
	for i, e := range all {
		k.byKey[e.key] = i
		k.maxBytes = max(k.maxBytes, len(e.key))
		letterMax = max(letterMax, letters(e.key, len(e.key)))
	}
	k.maxRaw = 4*k.maxBytes + rawSlack
	k.fastLimit = min(k.maxBytes, fastMax)
	k.fastOnly = k.maxBytes <= fastMax
	k.fast = newTable(all)
	// Decomposed Hangul spells one syllable with up to three letters; the
	// slack covers that and any other script that composes on NFKC.
	k.maxLetters = 4*letterMax + 8
}

// With returns a new set holding k's keywords and ws; a word already in k
// takes the action ws gives it, except STOP, START and HELP, which keep
// theirs: giving one another action is refused with [ErrCoreKeyword] until
// it is removed with [Keywords.Without]. k is unchanged.
func (k *Keywords) With(ws ...Keyword) (*Keywords, error) {
	return build(k.lang, k.List(), ws)
}

// Without returns a new set holding k's keywords except words (matched the
// way messages are). It is the one way to remove STOP, START or HELP. k is
// unchanged.
func (k *Keywords) Without(words ...string) *Keywords {
	drop := make(map[string]bool, len(words))
	for _, w := range words {
		drop[canonical(w)] = true
	}
	out := &Keywords{lang: k.lang, byKey: make(map[string]int)}
	var keep []entry
	for _, e := range k.entries {
		if !drop[e.key] {
			keep = append(keep, e)
		}
	}
	out.index(keep)
	return out
}

// Lang returns the language the set is for.
func (k *Keywords) Lang() language.Tag { return k.lang }

// List returns the set's keywords, by action (opt-out, opt-in, help), then
// canonical form.
func (k *Keywords) List() []Keyword {
	out := make([]Keyword, len(k.entries))
	for i, e := range k.entries {
		out[i] = e.kw
	}
	return out
}

// Classify returns the action body triggers with this set: the action of
// the keyword body is, alone, or None. See [Classify] for the matching rules.
func (k *Keywords) Classify(body string) Action {
	return k.match(body).action()
}

// Match returns the keyword body is, alone, and whether there is one.
func (k *Keywords) Match(body string) (Keyword, bool) {
	if h := k.match(body); h != 0 {
		return k.entries[h.index()].kw, true
	}
	return Keyword{}, false
}

// A hit is what match finds, in one word: the entry's index plus one above
// the entry's action byte, or 0 for no keyword.
type hit int

func newHit(i int, a Action) hit { return hit((i+1)<<8 | int(a)) }

// hitOf returns the hit for entry index i, or 0 for i < 0.
func (k *Keywords) hitOf(i int) hit {
	if i < 0 {
		return 0
	}
	return newHit(i, k.entries[i].kw.Action)
}

// action and index take a hit apart; index is -1 for no keyword.
func (h hit) action() Action { return Action(h) }
func (h hit) index() int     { return int(h>>8) - 1 }

// rawSlack is the bound on a keyword message's raw length: after trimming
// surrounding white space and trailing punctuation, a message longer than
// 4 × the longest canonical keyword (UTF-8 spends up to 4 bytes a character)
// plus rawSlack bytes (room for accents, wide forms and runs of inner white
// space) is not a keyword. Both paths apply it to the raw text, so a
// 160-character message is rejected before any of it is read.
const rawSlack = 64

// match returns the hit for the entry body matches, or 0. It trims the
// end and turns away the most common message of all, an ordinary one
// longer than the raw bound; everything else goes to matchTrimmed.
// Kept apart from matchTrimmed so it stays small: see BenchmarkClassify.
func (k *Keywords) match(s string) hit {
	end := len(s)
	for end > 0 && byteClass[s[end-1]]&(classTrim|classPunct) != 0 {
		end--
	}
	// An ASCII first byte that is not white space or a control trims
	// nothing at the front, and an ASCII last significant byte trims alike
	// on both paths, so the trimmed text is s[:end] on either; longer than
	// the raw bound, it is no keyword. The first byte exists: end > maxRaw ≥ 0.
	if end > k.maxRaw && (byteClass[s[0]]|byteClass[s[end-1]])&(classTrim|classHigh) == 0 {
		return 0
	}
	return k.matchTrimmed(s, end)
}

// matchTrimmed is match for s trimmed at the end to s[:end]. For ASCII it
// canonicalises the text itself, which is what canonical gives for ASCII
// (folding is lower-casing; NFKD and NFKC change nothing); it hands s to
// matchSlow when it meets a byte outside ASCII. Trimmed text longer than
// fastMax goes to matchLong, so that the loop here, which every keyword
// takes, needs no length checks.
func (k *Keywords) matchTrimmed(s string, end int) hit {
	if end == 0 {
		return 0 // white space and punctuation only
	}
	// s[end-1] is not trimmed, so the leading trim stops by it.
	start := 0
	for byteClass[s[start]]&classTrim != 0 {
		start++
	}
	// A non-ASCII first or last character may trim differently: hand over
	// before the raw-length bound so both paths measure the same text.
	if (byteClass[s[start]]|byteClass[s[end-1]])&classHigh != 0 {
		return k.hitOf(k.matchSlow(s))
	}
	if end-start > k.maxRaw {
		return 0
	}
	t := s[start:end]
	if len(t) > fastMax {
		return k.matchLong(s, t)
	}
	// The canonical text is packed into two words (see pack). It is at
	// most len(t) ≤ fastMax bytes, so pack loses nothing, and a text
	// longer than the longest key finds no slot.
	var lo, hi uint64
	for i := 0; i < len(t); i++ {
		v := uint64(fastFold[t[i]])
		if v > 0xff {
			if v == foldHigh {
				return k.hitOf(k.matchSlow(s))
			}
			// One space for a whole run; runs are inner, as the text is
			// trimmed, so a non-space byte follows.
			for i+1 < len(t) && fastFold[t[i+1]] == foldSpace {
				i++
			}
			v = ' ' | mark
		}
		lo, hi = pack(lo, hi, v)
	}
	// k.fast.lookup, written out: see BenchmarkClassify.
	h := k.fast.hash(lo, hi)
	if e := &k.fast.slots[h&uint64(len(k.fast.slots)-1)]; e.lo == lo && e.hi == hi {
		return e.hit
	}
	if k.fast.probes == 1 {
		return 0
	}
	return k.fast.probe(h, lo, hi)
}

// matchLong is match for trimmed ASCII text t of body s longer than
// fastMax: it gives up as soon as the canonical prefix outgrows the longest
// keyword, or hands s to matchSlow when it outgrows fastMax in a set with
// longer keywords.
func (k *Keywords) matchLong(s, t string) hit {
	var lo, hi uint64
	n, limit := 0, k.fastLimit
	for i := 0; i < len(t); i++ {
		v := uint64(fastFold[t[i]])
		if v > 0xff {
			if v == foldHigh {
				return k.hitOf(k.matchSlow(s))
			}
			for i+1 < len(t) && fastFold[t[i+1]] == foldSpace {
				i++
			}
			v = ' ' | mark
		}
		if n >= limit {
			// Longer than any keyword (or than the fast path holds).
			// Whatever follows, even non-ASCII, cannot shorten this
			// prefix: it ends before the message's last significant ASCII
			// byte, so none of it is trailing in the canonical form.
			if k.fastOnly {
				return 0
			}
			return k.hitOf(k.matchSlow(s))
		}
		lo, hi = pack(lo, hi, v)
		n++
	}
	return k.fast.lookup(lo, hi)
}

// matchSlow canonicalises body with x/text after cheap length guards.
func (k *Keywords) matchSlow(body string) int {
	t := strings.TrimLeftFunc(strings.TrimRightFunc(body, trailing), leading)
	if len(t) > k.maxRaw || letters(t, k.maxLetters) > k.maxLetters {
		return -1
	}
	if i, ok := k.byKey[canonical(t)]; ok {
		return i
	}
	return -1
}
