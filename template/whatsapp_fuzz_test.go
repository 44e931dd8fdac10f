package template_test

import (
	"errors"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/parleyhq/parley/template"
)

// FuzzWhatsAppBody checks Meta's body grammar through
// WhatsApp's Validate, Parameters and Render. For every body: nothing
// panics; an invalid body renders nothing (ErrInvalidTemplate); the
// parameter-at-edge rule depends on the text around the parameters alone,
// so wrapping the body in letters clears it and changes no other rule, and
// it is reported exactly when only white space precedes the first
// parameter or follows the last. For a valid body: the parameters are
// 1..n or lower_snake names; given each parameter's own placeholder text
// as its value, Render gives back the body unchanged; given another
// parameter's placeholder, Render writes it literally, never expanding
// "{{" or "}}" in a value; RenderPositional agrees with Render; a value
// left out is ErrMissingVariable.
func FuzzWhatsAppBody(f *testing.F) {
	for _, seed := range []string{
		"",
		"   ",
		"Hello there",
		"Hi {{1}}, your order {{2}} has shipped.",
		"Hi {{first_name}}, order {{order_id}} ships {{first_name}}!",
		"Hi {{1}}, code: }}",
		"{{ Hi {{1}}.",
		"}}{{1}} is here",
		"Hi {{1}}}} there",
		"Hi {{{1}}} there",
		"{{1}} at the start",
		"at the end {{1}}",
		"  {{1}} spaced start",
		"spaced end {{1}}\n\t",
		"two {{1}} {{2}} adjacent",
		"two {{1}}\u00a0{{2}} apart by a no-break space",
		"gap {{1}} and {{3}} here",
		"mixed {{1}} and {{name}} here",
		"repeat {{1}} and {{1}} here",
		"bad {{ 1 }} and {{01}} and {{12345}} and {{Name}} and {{}} here",
		"unclosed {{1 here",
		"Olá {{1}}, seu pedido {{2}} foi enviado. Obrigado!",
		"bad utf-8 \xff {{1}} \xfe end",
	} {
		f.Add(seed)
	}
	lang, err := template.ParseLanguageCode("en_US")
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body string) {
		w := template.WhatsApp{Name: "fuzz", Language: lang, Category: template.Utility, Status: template.Approved, Body: body}
		err := w.Validate()
		checkEdgeRule(t, w, err)
		params, perr := w.Parameters()
		if err != nil {
			if !errors.Is(err, template.ErrInvalidTemplate) {
				t.Fatalf("Validate(%q) = %v, want an error matching ErrInvalidTemplate", body, err)
			}
			if perr == nil {
				t.Fatalf("Parameters of invalid %q = %q, want Validate's error", body, params)
			}
			if got, rerr := w.Render(nil); !errors.Is(rerr, template.ErrInvalidTemplate) {
				t.Fatalf("Render of invalid %q = %q, %v; want ErrInvalidTemplate", body, got, rerr)
			}
			return
		}
		if perr != nil {
			t.Fatalf("Parameters of valid %q: %v", body, perr)
		}
		checkParameterStyle(t, w, params)

		// Each parameter's own placeholder as its value: the body comes back.
		own := make(map[string]string, len(params))
		for _, p := range params {
			own[p] = "{{" + p + "}}"
		}
		if got, err := w.Render(own); err != nil || got != body {
			t.Fatalf("Render(%q) with each parameter's own placeholder = %q, %v; want the body back", body, got, err)
		}

		// The next parameter's placeholder, with stray braces: written as
		// given. The replacer makes one pass, so its expectation expands
		// nothing twice.
		rotated := make(map[string]string, len(params))
		var pairs []string
		for i, p := range params {
			rotated[p] = "}}<{{" + params[(i+1)%len(params)] + "}}>{{"
			pairs = append(pairs, "{{"+p+"}}", rotated[p])
		}
		want := strings.NewReplacer(pairs...).Replace(body)
		got, err := w.Render(rotated)
		if err != nil || got != want {
			t.Fatalf("Render(%q) with values holding other placeholders = %q, %v; want %q", body, got, err, want)
		}
		if w.Positional() {
			values := make([]string, len(params))
			for i := range values {
				values[i] = rotated[strconv.Itoa(i+1)]
			}
			if pos, err := w.RenderPositional(values...); err != nil || pos != want {
				t.Fatalf("RenderPositional(%q) = %q, %v; Render gave %q", body, pos, err, want)
			}
		}
		if _, err := w.RenderPositional(append(slices.Clone(params), "extra")...); !errors.Is(err, template.ErrInvalidParameter) {
			t.Fatalf("RenderPositional(%q) with %d values for %d parameters: %v, want ErrInvalidParameter", body, len(params)+1, len(params), err)
		}
		for _, p := range params {
			delete(rotated, p)
			if got, err := w.Render(rotated); !errors.Is(err, template.ErrMissingVariable) {
				t.Fatalf("Render(%q) without %q = %q, %v; want ErrMissingVariable", body, p, got, err)
			}
			rotated[p] = "x"
		}
	})
}

// lowerSnake reports Meta's rule for a named parameter,
// ^[a-z][a-z0-9_]*$, written out: a regexp's pooled matchers make the
// fuzzer's coverage vary from run to run.
func lowerSnake(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '_')) {
			return false
		}
	}
	return s != ""
}

// checkParameterStyle checks a valid body's parameters: all positional and
// exactly 1..n, or all named lower_snake, and Positional says which.
func checkParameterStyle(t *testing.T, w template.WhatsApp, params []string) {
	t.Helper()
	numbered := 0
	for _, p := range params {
		if n, err := strconv.Atoi(p); err == nil && n >= 1 && n <= len(params) && strconv.Itoa(n) == p {
			numbered++
		} else if !lowerSnake(p) {
			t.Fatalf("valid %q has parameter %q, neither 1..%d nor lower_snake", w.Body, p, len(params))
		}
	}
	if numbered != 0 && numbered != len(params) {
		t.Fatalf("valid %q mixes positional and named parameters: %q", w.Body, params)
	}
	if positional := numbered > 0; w.Positional() != positional {
		t.Fatalf("Positional(%q) = %v with parameters %q", w.Body, w.Positional(), params)
	}
}

// checkEdgeRule checks the parameter-at-edge rule against the text around
// the parameters. err is w's Validate error.
func checkEdgeRule(t *testing.T, w template.WhatsApp, err error) {
	t.Helper()
	// Letters on both ends form no braces, so the parameters, their order
	// and what lies between them stay the same: only the edge rule (and
	// the body's length) may change.
	wrapped := w
	wrapped.Body = "x" + w.Body + "x"
	before, after := paramRules(err), paramRules(wrapped.Validate())
	withoutEdge := slices.DeleteFunc(slices.Clone(before), func(r template.Rule) bool { return r == template.RuleParameterAtEdge })
	if !slices.Equal(after, withoutEdge) {
		t.Fatalf("Validate(%q) broke %q; wrapped in letters it broke %q, want %q", w.Body, before, after, withoutEdge)
	}

	// With every "{{" a well-formed parameter, the first starts the
	// trimmed body when it is at the edge, and the last is the one that
	// opens at the final "{{".
	if slices.Contains(before, template.RuleParameterSyntax) {
		return
	}
	s := strings.TrimSpace(w.Body)
	atEdge := strings.HasPrefix(s, "{{")
	if i := strings.LastIndex(s, "{{"); i >= 0 {
		j := strings.Index(s[i+2:], "}}")
		atEdge = atEdge || j >= 0 && i+2+j+2 == len(s)
	}
	if got := slices.Contains(before, template.RuleParameterAtEdge); got != atEdge {
		t.Fatalf("Validate(%q) reports a parameter at the edge: %v, want %v (%v)", w.Body, got, atEdge, err)
	}
}

// paramRules lists the parameter rules err reports, in order.
func paramRules(err error) []template.Rule {
	var ve *template.ValidationError
	if !errors.As(err, &ve) {
		return nil
	}
	var rules []template.Rule
	for _, v := range ve.Violations {
		switch v.Rule {
		case template.RuleParameterSyntax, template.RuleParameterStyle, template.RuleParameterSequence,
			template.RuleParameterAtEdge, template.RuleAdjacentParameters:
			rules = append(rules, v.Rule)
		}
	}
	return rules
}
