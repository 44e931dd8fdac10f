package template_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/template"
)

// FuzzParse checks the properties: Parse never panics; a template
// that parses renders with every variable given, identically through every
// Render method; values containing "{{" or "}}" are written out, never
// expanded.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"",
		"plain",
		"Hi {{contact.first_name}}, I'm {{ agent.name }} from {{company}}.",
		`{{ name | default: "there" }}`,
		`{{x|default:'it\'s'}}`,
		`{{ "{{" }}literal}}`,
		"{{", "}}", "{{}}", "{{a..b}}", `{{a | default: "\q"}}`,
		"¡Hola {{ñ}}!",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, body string) {
		tpl, err := template.Parse(body)
		if err != nil {
			return
		}
		vars := map[string]string{}
		for _, p := range tpl.Variables() {
			vars[p] = "<{{" + p + "}}>"
		}
		got, err := tpl.Render(vars)
		if err != nil {
			t.Fatalf("Render with every variable given: %v", err)
		}
		for p, v := range vars {
			if !strings.Contains(got, v) {
				t.Fatalf("value of %q not written literally in %q", p, got)
			}
		}
		viaFunc, err := tpl.RenderFunc(func(p string) (string, bool) { v, ok := vars[p]; return v, ok })
		if err != nil || viaFunc != got {
			t.Fatalf("RenderFunc = %q, %v; Render = %q", viaFunc, err, got)
		}
		buf, err := tpl.AppendRender(nil, vars)
		if err != nil || string(buf) != got {
			t.Fatalf("AppendRender = %q, %v; Render = %q", buf, err, got)
		}
		if len(tpl.Variables()) > 0 {
			if _, err := tpl.Render(nil); err == nil && !strings.Contains(body, "default") {
				t.Fatalf("Render(nil) of %q succeeded without defaults", body)
			}
		}
	})
}

// FuzzParseLanguageCode checks that a code ParseLanguageCode accepts is
// Meta-shaped and converts back to a code that parses to the same tag.
func FuzzParseLanguageCode(f *testing.F) {
	for _, seed := range []string{"en_US", "pt_BR", "fil", "es", "en-US", "iw", "zh_TW", "und", "xx_YY"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, code string) {
		tag, err := template.ParseLanguageCode(code)
		if err != nil {
			return
		}
		back, err := template.LanguageCode(tag)
		if err != nil {
			t.Fatalf("LanguageCode(ParseLanguageCode(%q) = %v): %v", code, tag, err)
		}
		again, err := template.ParseLanguageCode(back)
		if err != nil || again != tag {
			t.Fatalf("%q → %v → %q → %v, %v", code, tag, back, again, err)
		}
	})
}

// FuzzParseNames checks ParseCategory, ParseStatus, ParsePricing and
// ParseRule: each accepts exactly the names String returns, in any ASCII
// case (so a Kelvin sign never reads as "k"), and what it accepts marshals
// to that name and parses back to the same value.
func FuzzParseNames(f *testing.F) {
	for _, seed := range []string{"MARKETING", "utility", "IN_APPEAL", "pending_deletion", "MAR\u212AETING", "ſervice", "SERVICE", "parameter style", "Name", ""} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzName(t, s, template.ParseCategory)
		fuzzName(t, s, template.ParseStatus)
		fuzzName(t, s, template.ParsePricing)
		fuzzName(t, s, template.ParseRule)
	})
}

type textName interface {
	comparable
	String() string
	MarshalText() ([]byte, error)
}

func fuzzName[T textName](t *testing.T, s string, parse func(string) (T, error)) {
	v, err := parse(s)
	if err != nil {
		return
	}
	if !sameASCIIFold(v.String(), s) {
		t.Fatalf("parse(%q) = %v, not its name in some ASCII case", s, v)
	}
	b, err := v.MarshalText()
	if err != nil || string(b) != v.String() {
		t.Fatalf("parse(%q) = %v marshals to %q, %v; want its String", s, v, b, err)
	}
	if back, err := parse(string(b)); err != nil || back != v {
		t.Fatalf("parse(%q) = %v, then %q parses to %v, %v", s, v, b, back, err)
	}
}

// sameASCIIFold reports whether s is name in some ASCII case: equal lengths
// rule out the multi-byte runes that Unicode folds onto ASCII letters.
func sameASCIIFold(name, s string) bool {
	return len(name) == len(s) && strings.EqualFold(name, s)
}
