package template_test

import (
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/template"
)

// Rendering rules, one row each.
func TestRender(t *testing.T) {
	tests := []struct {
		name string
		body string
		vars map[string]string
		want string
	}{
		{"plain text passes through", "Thanks for writing.", nil, "Thanks for writing."},
		{"empty body renders empty", "", nil, ""},
		{"dotted path is filled", "Hi {{contact.first_name}}!", map[string]string{"contact.first_name": "Ana"}, "Hi Ana!"},
		{"white space inside braces is allowed", "Hi {{ contact.first_name }}!", map[string]string{"contact.first_name": "Ana"}, "Hi Ana!"},
		{"new lines inside braces are allowed", "Hi {{\n\tname\n}}!", map[string]string{"name": "Ana"}, "Hi Ana!"},
		{"default is unused when the value is set", `Hi {{name | default: "there"}}`, map[string]string{"name": "Ana"}, "Hi Ana"},
		{"default fills a missing value", `Hi {{name | default: "there"}}`, nil, "Hi there"},
		{"default fills an empty value", `Hi {{ name|default:"there" }}`, map[string]string{"name": ""}, "Hi there"},
		{"single-quoted default", `Hi {{name | default: 'there'}}`, nil, "Hi there"},
		{"empty default is allowed", `Hi{{name | default: ""}}!`, nil, "Hi!"},
		{"escapes in a default", `{{x | default: "a \"b\" \\ c\n\td 'e'"}}`, nil, "a \"b\" \\ c\n\td 'e'"},
		{"single quote escape", `{{x | default: 'it\'s'}}`, nil, "it's"},
		{"a repeated variable is filled everywhere", "{{a}}-{{a}}-{{a}}", map[string]string{"a": "x"}, "x-x-x"},
		{"each occurrence keeps its own default", `{{a | default: "1"}} {{a | default: "2"}}`, nil, "1 2"},
		{"adjacent placeholders", "{{a}}{{b}}", map[string]string{"a": "x", "b": "y"}, "xy"},
		{"literal {{ is written as a quoted string", `Use {{ "{{" }}name}} to insert a name`, nil, "Use {{name}} to insert a name"},
		{"a lone }} is literal", "a }} b", nil, "a }} b"},
		{"a single brace is literal", "a { b } c", nil, "a { b } c"},
		{"values are data, never parsed", "Hi {{name}}", map[string]string{"name": "{{secret}} | default: \"x\""}, "Hi {{secret}} | default: \"x\""},
		{"unicode text and values", "¡Hola {{name}}! 👋", map[string]string{"name": "José"}, "¡Hola José! 👋"},
		{"extra variables are ignored", "Hi", map[string]string{"name": "Ana"}, "Hi"},
		{"more variables than the stack buffer", "{{a}}{{b}}{{c}}{{d}}{{e}}{{f}}{{g}}{{h}}{{i}}{{j}}",
			map[string]string{"a": "1", "b": "2", "c": "3", "d": "4", "e": "5", "f": "6", "g": "7", "h": "8", "i": "9", "j": "0"}, "1234567890"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := template.Parse(tt.body)
			require.NoError(t, err)

			got, err := tpl.Render(tt.vars)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "Render")

			got, err = tpl.RenderFunc(func(p string) (string, bool) { v, ok := tt.vars[p]; return v, ok })
			require.NoError(t, err)
			assert.Equal(t, tt.want, got, "RenderFunc")

			buf, err := tpl.AppendRender([]byte("prefix:"), tt.vars)
			require.NoError(t, err)
			assert.Equal(t, "prefix:"+tt.want, string(buf), "AppendRender")

			buf, err = tpl.AppendRenderFunc(nil, func(p string) (string, bool) { v, ok := tt.vars[p]; return v, ok })
			require.NoError(t, err)
			assert.Equal(t, tt.want, string(buf), "AppendRenderFunc")
		})
	}
}

func TestRenderMissing(t *testing.T) {
	tests := []struct {
		name string
		body string
		vars map[string]string
		want []string
	}{
		{"absent value", "Hi {{name}}", nil, []string{"name"}},
		{"empty value counts as missing", "Hi {{name}}", map[string]string{"name": ""}, []string{"name"}},
		{"every missing path in order of appearance", "{{b}} {{a}} {{c}} {{b}}", map[string]string{"c": "x"}, []string{"b", "a"}},
		{"missing where one occurrence has no default", `{{a | default: "x"}} {{a}}`, nil, []string{"a"}},
		{"defaults are not missing", `{{a | default: "x"}} {{b}}`, nil, []string{"b"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := template.Parse(tt.body)
			require.NoError(t, err)

			got, err := tpl.Render(tt.vars)
			assert.Empty(t, got, "nothing half-rendered")
			require.ErrorIs(t, err, template.ErrMissingVariable)
			var me *template.MissingVariableError
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tt.want, me.Paths)
			assert.True(t, strings.HasPrefix(err.Error(), "template: missing variables "), err.Error())

			_, err = tpl.RenderFunc(func(p string) (string, bool) { v, ok := tt.vars[p]; return v, ok })
			require.ErrorAs(t, err, &me)
			assert.Equal(t, tt.want, me.Paths)

			dst := []byte("keep")
			out, err := tpl.AppendRender(dst, tt.vars)
			require.ErrorIs(t, err, template.ErrMissingVariable)
			assert.Equal(t, "keep", string(out), "dst unchanged on error")
		})
	}
}

func TestVariables(t *testing.T) {
	tpl, err := template.Parse(`{{b}} {{ a.x | default: "1" }} {{b}} {{ "{{" }} {{c}}`)
	require.NoError(t, err)
	got := tpl.Variables()
	assert.Equal(t, []string{"b", "a.x", "c"}, got)

	got[0] = "changed"
	assert.Equal(t, []string{"b", "a.x", "c"}, tpl.Variables(), "the caller's slice is a copy")

	empty, err := template.Parse("no variables")
	require.NoError(t, err)
	assert.Empty(t, empty.Variables())
	assert.Equal(t, "no variables", empty.String())
}

func TestParseSyntaxErrors(t *testing.T) {
	tests := []struct {
		name         string
		body         string
		line, column int
		text         string
		reason       string
	}{
		{"unclosed placeholder", "Hi {{name", 1, 4, "{{name", "unclosed placeholder"},
		{"unclosed at end of body", "Hi {{", 1, 4, "{{", "unclosed placeholder"},
		{"empty placeholder", "Hi {{ }}", 1, 4, "{{ }}", "empty placeholder"},
		{"space inside a path", "Hi {{first name}}", 1, 12, "name}}", `want "}}"`},
		{"invalid character in a path", "Hi {{first-name}}", 1, 11, "-name}}", `want "}}"`},
		{"leading dot", "Hi {{.name}}", 1, 6, ".name}}", "invalid variable path"},
		{"trailing dot", "Hi {{name.}}", 1, 11, "}}", "invalid variable path"},
		{"double dot", "{{a..b}}", 1, 5, ".b}}", "invalid variable path"},
		{"unknown filter", `{{name | upcase}}`, 1, 10, "upcase}}", "unknown filter"},
		{"default without colon", `{{name | default "x"}}`, 1, 18, `"x"}}`, `want ":"`},
		{"unquoted default", `{{name | default: there}}`, 1, 19, "there}}", "want a quoted default"},
		{"unterminated default", `{{name | default: "there}}`, 1, 19, `"there}}`, "unterminated string"},
		{"invalid escape", `{{name | default: "a\qb"}}`, 1, 21, `\qb"}}`, "invalid escape"},
		{"trailing backslash", `{{name | default: "a\`, 1, 19, `"a\`, "unterminated string"},
		{"position on a later line, in characters", "¡Hola!\nQué tal {{ñ}}", 2, 11, "ñ}}", "invalid variable path"},
		{"text stops at the line end", "{{a\nb}}", 2, 1, "b}}", `want "}}"`},
		{"long text is cut at 40 characters", "{{" + strings.Repeat("x", 60), 1, 1, "{{" + strings.Repeat("x", 38), "unclosed placeholder"},
		{"quoted literal must close", `{{ "{{" x}}`, 1, 9, "x}}", `want "}}"`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tpl, err := template.Parse(tt.body)
			assert.Nil(t, tpl)
			require.ErrorIs(t, err, template.ErrSyntax)
			var se *template.SyntaxError
			require.ErrorAs(t, err, &se)
			assert.Equal(t, tt.line, se.Line, "line")
			assert.Equal(t, tt.column, se.Column, "column")
			assert.Equal(t, tt.text, se.Text, "text")
			assert.Contains(t, se.Reason, tt.reason)
			assert.True(t, strings.HasPrefix(err.Error(), "template: syntax error at line "), err.Error())
		})
	}
}

func TestParseWithSchema(t *testing.T) {
	schema, err := template.NewSchema("contact.*", "agent.name", "company")
	require.NoError(t, err)

	t.Run("known variables parse", func(t *testing.T) {
		_, err := template.ParseWith("{{contact.first_name}} {{contact.address.city}} {{agent.name}} {{company}}", template.Options{Schema: schema})
		assert.NoError(t, err)
	})
	t.Run("unknown variables are all listed", func(t *testing.T) {
		tpl, err := template.ParseWith("{{agent.email}} {{contact}} {{company}} {{agentname}}", template.Options{Schema: schema})
		assert.Nil(t, tpl)
		require.ErrorIs(t, err, template.ErrUnknownVariable)
		var ue *template.UnknownVariableError
		require.ErrorAs(t, err, &ue)
		assert.Equal(t, []string{"agent.email", "contact", "agentname"}, ue.Paths)
		assert.Equal(t, "template: unknown variables agent.email, contact, agentname", err.Error())
	})
	t.Run("no schema accepts anything", func(t *testing.T) {
		_, err := template.ParseWith("{{anything.at.all}}", template.Options{})
		assert.NoError(t, err)
	})
	t.Run("invalid schema entries are refused", func(t *testing.T) {
		for _, bad := range []string{"", "a..b", "a b", ".*", "a.*.*", "contact."} {
			_, err := template.NewSchema(bad)
			assert.ErrorIs(t, err, template.ErrSyntax, "entry %q", bad)
		}
	})
	t.Run("allows", func(t *testing.T) {
		assert.True(t, schema.Allows("contact.x"))
		assert.False(t, schema.Allows("contact."))
		assert.False(t, schema.Allows("contacts.x"))
		assert.False(t, schema.Allows("agent"))
	})
}

func TestMustParse(t *testing.T) {
	assert.NotNil(t, template.MustParse("{{a}}"))
	assert.Panics(t, func() { template.MustParse("{{") })
}

// One parsed template rendered from many goroutines (-race).
func TestRenderConcurrent(t *testing.T) {
	tpl := template.MustParse(`Hi {{name | default: "there"}}, order {{order}}`)
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			for j := range 200 {
				name := strings.Repeat("x", (i+j)%3)
				got, err := tpl.Render(map[string]string{"name": name, "order": "42"})
				if err != nil {
					t.Error(err)
					return
				}
				want := "Hi " + name + ", order 42"
				if name == "" {
					want = "Hi there, order 42"
				}
				if got != want {
					t.Errorf("got %q, want %q", got, want)
				}
			}
		})
	}
	wg.Wait()
}

func TestErrorsAreDistinct(t *testing.T) {
	assert.False(t, errors.Is(template.ErrSyntax, template.ErrMissingVariable))
	assert.False(t, errors.Is(&template.SyntaxError{}, template.ErrUnknownVariable))
}
