package template_test

import (
	"errors"
	"fmt"

	"github.com/parleyhq/parley/template"
)

func ExampleParse() {
	t, err := template.Parse(`Hi {{ contact.first_name | default: "there" }}, this is {{agent.name}}.`)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(t.Variables())

	_, err = template.Parse("Hi {{contact.first name}}")
	fmt.Println(err)
	// Output:
	// [contact.first_name agent.name]
	// template: syntax error at line 1, column 20: want "}}": "name}}"
}

func ExampleTemplate_Render() {
	t := template.MustParse(`Hi {{ contact.first_name | default: "there" }}, this is {{agent.name}} about order {{order.id}}.`)

	text, err := t.Render(map[string]string{"contact.first_name": "Ana", "agent.name": "Bruno", "order.id": "A-1042"})
	fmt.Println(text, err)

	// An empty value takes the default; values are data, never expanded.
	text, err = t.Render(map[string]string{"contact.first_name": "", "agent.name": "{{secret}}", "order.id": "A-1042"})
	fmt.Println(text, err)

	// Nothing is rendered half-filled: every missing variable is named.
	_, err = t.Render(map[string]string{"contact.first_name": "Ana"})
	var missing *template.MissingVariableError
	if errors.As(err, &missing) {
		fmt.Println(errors.Is(err, template.ErrMissingVariable), missing.Paths)
	}
	// Output:
	// Hi Ana, this is Bruno about order A-1042. <nil>
	// Hi there, this is {{secret}} about order A-1042. <nil>
	// true [agent.name order.id]
}

func ExampleTemplate_RenderFunc() {
	type contact struct{ FirstName, City string }
	c := contact{FirstName: "Ana", City: "Lisbon"}

	t := template.MustParse("{{contact.first_name}}, our {{contact.city}} store is open.")
	text, err := t.RenderFunc(func(path string) (string, bool) {
		switch path {
		case "contact.first_name":
			return c.FirstName, true
		case "contact.city":
			return c.City, true
		}
		return "", false
	})
	fmt.Println(text, err)
	// Output: Ana, our Lisbon store is open. <nil>
}

func ExampleParseWith() {
	schema, _ := template.NewSchema("contact.*", "agent.name", "company")
	_, err := template.ParseWith("Hi {{contact.first_name}}, {{agent.email}} here.", template.Options{Schema: schema})
	fmt.Println(err)
	fmt.Println(errors.Is(err, template.ErrUnknownVariable))
	// Output:
	// template: unknown variables agent.email
	// true
}
