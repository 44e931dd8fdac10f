package session

// lookupName returns the index of the non-empty entry of names that equals s
// in ASCII case, as ParseForm and ParseReason match.
func lookupName(names []string, s string) (int, bool) {
	for i, n := range names {
		if n != "" && len(n) == len(s) && equalFoldASCII(n, s) {
			return i, true
		}
	}
	return 0, false
}

func equalFoldASCII(a, b string) bool {
	for i := 0; i < len(a); i++ {
		x, y := a[i], b[i]
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return false
		}
	}
	return true
}
