package template

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
)

// waBody is a WhatsApp template body compiled for rendering.
type waBody struct {
	t          *Template
	positional bool
}

func (b waBody) has(name string) bool { return slices.Contains(b.t.vars, name) }

// compileWhatsApp scans a template body with Meta's parameter grammar,
// which is stricter than a snippet's: a parameter is exactly {{digits}} or
// {{lower_snake}}, with no spaces and no defaults;
// one style per body; positional numbers run 1..n without gaps (repeats
// allowed); no parameter first or last in the body (white space around
// the body aside); no two parameters with only white space between them.
func compileWhatsApp(body string) (waBody, []Violation) {
	var vs []Violation
	add := func(r Rule, format string, args ...any) {
		vs = append(vs, Violation{Rule: r, Detail: fmt.Sprintf(format, args...)})
	}
	t := &Template{src: body}
	slot := map[string]int32{}
	var named, numbered []string
	lit, pos := 0, 0 // lit: start of the pending literal
	prevEnd := -1    // end of the previous parameter
	for {
		i := strings.Index(body[pos:], "{{")
		if i < 0 {
			break
		}
		start := pos + i
		j := strings.Index(body[start+2:], "}}")
		if j < 0 {
			add(RuleParameterSyntax, "unclosed %q at byte %d", clip(body[start:]), start)
			break
		}
		end := start + 2 + j + 2
		name := body[start+2 : end-2]
		switch {
		case isNumber(name):
			numbered = append(numbered, name)
		case whatsAppName.MatchString(name):
			named = append(named, name)
		default:
			add(RuleParameterSyntax, "%q is neither {{1}} nor {{lower_snake_name}}", body[start:end])
			pos = end
			continue
		}
		if prevEnd >= 0 && strings.TrimSpace(body[prevEnd:start]) == "" {
			add(RuleAdjacentParameters, "%q follows another parameter with no text between", body[start:end])
		}
		s, ok := slot[name]
		if !ok {
			s = int32(len(t.vars))
			slot[name] = s
			t.vars = append(t.vars, name)
		}
		t.nodes = append(t.nodes, node{lit: body[lit:start], slot: s})
		lit, pos, prevEnd = end, end, end
	}
	t.nodes = append(t.nodes, node{lit: body[lit:], slot: -1})
	t.index()

	// A parameter is at an edge when only white space comes before the
	// first one or after the last: the literal texts around the parameters
	// tell, not the body's first and last bytes ("code: }}" ends with
	// braces, not with a parameter).
	if len(t.vars) > 0 && (strings.TrimSpace(t.nodes[0].lit) == "" || strings.TrimSpace(t.nodes[len(t.nodes)-1].lit) == "") {
		add(RuleParameterAtEdge, "the body may not start or end with a parameter")
	}
	if len(named) > 0 && len(numbered) > 0 {
		add(RuleParameterStyle, "mixes positional %v and named %v parameters", numbered, named)
	}
	if len(named) == 0 {
		seen := make(map[int]bool)
		for _, s := range numbered {
			n, _ := strconv.Atoi(s)
			seen[n] = true
		}
		for n := 1; n <= len(seen); n++ {
			if !seen[n] {
				add(RuleParameterSequence, "positional parameters must run from {{1}} without gaps; {{%d}} is missing", n)
				break
			}
		}
	}
	return waBody{t: t, positional: len(numbered) > 0 && len(named) == 0}, vs
}

// isNumber reports a positional parameter: decimal digits without a
// leading zero.
func isNumber(s string) bool {
	if s == "" || s[0] == '0' || len(s) > 4 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// clip shortens s to 20 characters for an error message.
func clip(s string) string {
	n := 0
	for i := range s {
		if n == 20 {
			return s[:i] + "…"
		}
		n++
	}
	return s
}

func sortedKeys(m map[string]string) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}
