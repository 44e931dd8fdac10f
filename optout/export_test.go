package optout

// ClassifySlow classifies with x/text only, skipping the ASCII fast path, so
// tests can hold the two paths to the same answers.
func ClassifySlow(k *Keywords, body string) Action {
	if i := k.matchSlow(body); i >= 0 {
		return k.entries[i].kw.Action
	}
	return None
}

// Canonical exposes the canonical form for tests.
var Canonical = canonical
