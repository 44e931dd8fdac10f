package template_test

import (
	"strings"
	"testing"

	"github.com/parleyhq/parley/template"
)

// benchBody is the benchmark case: a snippet of about 80 bytes with 4
// variables.
const benchBody = "Hi {{contact.first_name}}, this is {{agent.name}} from {{company}}. Your order {{order.id}} ships today, reply here with questions."

var benchVars = map[string]string{
	"contact.first_name": "Ana",
	"agent.name":         "Bruno",
	"company":            "Acme",
	"order.id":           "A-1042",
}

const benchWant = "Hi Ana, this is Bruno from Acme. Your order A-1042 ships today, reply here with questions."

func benchTemplate(b *testing.B, body string) *template.Template {
	b.Helper()
	t, err := template.Parse(body)
	if err != nil {
		b.Fatal(err)
	}
	return t
}

func BenchmarkRender(b *testing.B) {
	t := benchTemplate(b, benchBody)
	if got, _ := t.Render(benchVars); got != benchWant {
		b.Fatalf("Render = %q, want %q", got, benchWant)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := t.Render(benchVars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderDefault(b *testing.B) {
	t := benchTemplate(b, strings.Replace(benchBody, "{{contact.first_name}}", `{{ contact.first_name | default: "there" }}`, 1))
	vars := map[string]string{"agent.name": "Bruno", "company": "Acme", "order.id": "A-1042"}
	want := strings.Replace(benchWant, "Ana", "there", 1)
	if got, _ := t.Render(vars); got != want {
		b.Fatalf("Render = %q, want %q", got, want)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := t.Render(vars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendRender(b *testing.B) {
	t := benchTemplate(b, benchBody)
	buf := make([]byte, 0, 256)
	b.ReportAllocs()
	for b.Loop() {
		var err error
		if buf, err = t.AppendRender(buf[:0], benchVars); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkRenderFunc(b *testing.B) {
	t := benchTemplate(b, benchBody)
	lookup := func(p string) (string, bool) { v, ok := benchVars[p]; return v, ok }
	b.ReportAllocs()
	for b.Loop() {
		if _, err := t.RenderFunc(lookup); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkCopyFloor is the copy floor: copying the finished text
// into a new string, which any renderer must at least do.
func BenchmarkCopyFloor(b *testing.B) {
	src := []byte(benchWant)
	b.ReportAllocs()
	for b.Loop() {
		_ = string(src)
	}
}

func BenchmarkParse(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := template.Parse(benchBody); err != nil {
			b.Fatal(err)
		}
	}
}
