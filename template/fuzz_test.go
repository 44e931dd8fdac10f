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
