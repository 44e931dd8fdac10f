package template_test

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/language"

	"github.com/parleyhq/parley/template"
)

func shipped() template.WhatsApp {
	return template.WhatsApp{
		Name:     "order_shipped",
		Language: language.MustParse("en-US"),
		Category: template.Utility,
		Status:   template.Approved,
		Body:     "Hi {{1}}, your order {{2}} has shipped and arrives {{3}}. Thanks!",
	}
}

// Meta's template rules, one row per rule.
func TestWhatsAppValidate(t *testing.T) {
	tests := []struct {
		name string
		edit func(w *template.WhatsApp)
		rule template.Rule // "" when valid
	}{
		{"a valid positional template", func(*template.WhatsApp) {}, ""},
		{"a valid named template", func(w *template.WhatsApp) { w.Body = "Order {{order_id}} for {{first_name}} has shipped." }, ""},
		{"no parameters at all", func(w *template.WhatsApp) { w.Body = "Your order has shipped." }, ""},
		{"a repeated positional parameter", func(w *template.WhatsApp) { w.Body = "Hi {{1}}, {{2}} for {{1}}." }, ""},
		{"white space around the body is not an edge", func(w *template.WhatsApp) { w.Body = "Hi {{1}}, bye.\n" }, ""},
		{"closing braces that end no parameter are not an edge", func(w *template.WhatsApp) { w.Body = "Hi {{1}}, code: }}" }, ""},
		{"a parameter after a malformed one is still at the end", func(w *template.WhatsApp) { w.Body = "Hi {{1}} {{X}} {{2}}" }, template.RuleParameterAtEdge},
		{"digits and underscores in a name", func(w *template.WhatsApp) { w.Name = "order_shipped_v2" }, ""},
		{"body of exactly 1 024 characters", func(w *template.WhatsApp) { w.Body = "é" + repeat("x", 1022) + "." }, ""},

		{"upper-case name", func(w *template.WhatsApp) { w.Name = "Order_shipped" }, template.RuleName},
		{"name starting with a digit", func(w *template.WhatsApp) { w.Name = "1order" }, template.RuleName},
		{"name with a dash", func(w *template.WhatsApp) { w.Name = "order-shipped" }, template.RuleName},
		{"empty name", func(w *template.WhatsApp) { w.Name = "" }, template.RuleName},
		{"undetermined language", func(w *template.WhatsApp) { w.Language = language.Und }, template.RuleLanguage},
		{"no category", func(w *template.WhatsApp) { w.Category = 0 }, template.RuleCategory},
		{"no status", func(w *template.WhatsApp) { w.Status = 0 }, template.RuleStatus},
		{"empty body", func(w *template.WhatsApp) { w.Body = " \n" }, template.RuleBody},
		{"body over 1 024 characters", func(w *template.WhatsApp) { w.Body = "é" + repeat("x", 1023) + "." }, template.RuleBody},
		{"mixed styles", func(w *template.WhatsApp) { w.Body = "Hi {{1}}, order {{order_id}} shipped." }, template.RuleParameterStyle},
		{"gap in positional numbers", func(w *template.WhatsApp) { w.Body = "Hi {{1}}, order {{3}} shipped." }, template.RuleParameterSequence},
		{"positional not starting at 1", func(w *template.WhatsApp) { w.Body = "Hi {{2}}, bye." }, template.RuleParameterSequence},
		{"parameter at the start", func(w *template.WhatsApp) { w.Body = "{{1}}, your order shipped." }, template.RuleParameterAtEdge},
		{"parameter at the end", func(w *template.WhatsApp) { w.Body = "Your order shipped, {{1}}" }, template.RuleParameterAtEdge},
		{"parameter at the start after white space", func(w *template.WhatsApp) { w.Body = "  {{1}}, shipped." }, template.RuleParameterAtEdge},
		{"adjacent parameters", func(w *template.WhatsApp) { w.Body = "Hi {{1}}{{2}}, shipped." }, template.RuleAdjacentParameters},
		{"parameters with only a space between", func(w *template.WhatsApp) { w.Body = "Hi {{1}} {{2}}, shipped." }, template.RuleAdjacentParameters},
		{"spaces inside braces", func(w *template.WhatsApp) { w.Body = "Hi {{ 1 }}, shipped." }, template.RuleParameterSyntax},
		{"upper-case named parameter", func(w *template.WhatsApp) { w.Body = "Hi {{Name}}, shipped." }, template.RuleParameterSyntax},
		{"leading zero", func(w *template.WhatsApp) { w.Body = "Hi {{01}}, shipped." }, template.RuleParameterSyntax},
		{"snippet default syntax", func(w *template.WhatsApp) { w.Body = `Hi {{name | default: "x"}}, shipped.` }, template.RuleParameterSyntax},
		{"unclosed parameter", func(w *template.WhatsApp) { w.Body = "Hi {{1, shipped." }, template.RuleParameterSyntax},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := shipped()
			tt.edit(&w)
			err := w.Validate()
			if tt.rule == "" {
				assert.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, template.ErrInvalidTemplate)
			var ve *template.ValidationError
			require.ErrorAs(t, err, &ve)
			assert.True(t, ve.Broke(tt.rule), "want rule %q in %v", tt.rule, ve.Violations)
			assert.Equal(t, w.Name, ve.Name)
		})
	}

	t.Run("every broken rule is listed", func(t *testing.T) {
		w := template.WhatsApp{Name: "Bad Name", Body: "{{1}}{{x}}"}
		var ve *template.ValidationError
		require.ErrorAs(t, w.Validate(), &ve)
		for _, r := range []template.Rule{template.RuleName, template.RuleLanguage, template.RuleCategory, template.RuleStatus,
			template.RuleParameterStyle, template.RuleParameterAtEdge, template.RuleAdjacentParameters} {
			assert.True(t, ve.Broke(r), "rule %q", r)
		}
		assert.Contains(t, ve.Error(), `template: invalid whatsapp template "Bad Name": name:`)
	})
}

func TestWhatsAppRender(t *testing.T) {
	t.Run("positional by name", func(t *testing.T) {
		got, err := shipped().Render(map[string]string{"1": "Ana", "2": "A-1042", "3": "tomorrow"})
		require.NoError(t, err)
		assert.Equal(t, "Hi Ana, your order A-1042 has shipped and arrives tomorrow. Thanks!", got)
	})
	t.Run("positional in order", func(t *testing.T) {
		got, err := shipped().RenderPositional("Ana", "A-1042", "tomorrow")
		require.NoError(t, err)
		assert.Equal(t, "Hi Ana, your order A-1042 has shipped and arrives tomorrow. Thanks!", got)
	})
	t.Run("named", func(t *testing.T) {
		w := shipped()
		w.Body = "Order {{order_id}} for {{first_name}} has shipped."
		got, err := w.Render(map[string]string{"order_id": "A-1", "first_name": "Ana"})
		require.NoError(t, err)
		assert.Equal(t, "Order A-1 for Ana has shipped.", got)
		params, err := w.Parameters()
		require.NoError(t, err)
		assert.Equal(t, []string{"order_id", "first_name"}, params)
		assert.False(t, w.Positional())
		assert.True(t, shipped().Positional())
	})
	t.Run("values are data", func(t *testing.T) {
		got, err := shipped().RenderPositional("{{2}}", "x", "y")
		require.NoError(t, err)
		assert.Equal(t, "Hi {{2}}, your order x has shipped and arrives y. Thanks!", got)
	})

	notApproved := []template.Status{template.Pending, template.Rejected, template.Paused, template.Disabled,
		template.InAppeal, template.PendingDeletion, template.Deleted, template.LimitExceeded}
	for _, st := range notApproved {
		t.Run("refused when "+st.String(), func(t *testing.T) {
			w := shipped()
			w.Status = st
			_, err := w.Render(map[string]string{"1": "a", "2": "b", "3": "c"})
			require.ErrorIs(t, err, template.ErrTemplateNotApproved)
			var ne *template.NotApprovedError
			require.ErrorAs(t, err, &ne)
			assert.Equal(t, st, ne.Status)
			_, err = w.RenderPositional("a", "b", "c")
			assert.ErrorIs(t, err, template.ErrTemplateNotApproved)

			preview, err := w.Preview(map[string]string{"1": "a", "2": "b", "3": "c"})
			require.NoError(t, err, "authors may preview")
			assert.NotEmpty(t, preview)
		})
	}

	paramErrors := []struct {
		name   string
		render func() (string, error)
		want   error
	}{
		{"missing parameter", func() (string, error) { return shipped().Render(map[string]string{"1": "a", "3": "c"}) }, template.ErrMissingVariable},
		{"empty parameter", func() (string, error) { return shipped().Render(map[string]string{"1": "a", "2": "", "3": "c"}) }, template.ErrMissingVariable},
		{"unknown parameter", func() (string, error) {
			return shipped().Render(map[string]string{"1": "a", "2": "b", "3": "c", "4": "d"})
		}, template.ErrInvalidParameter},
		{"too few positional", func() (string, error) { return shipped().RenderPositional("a", "b") }, template.ErrInvalidParameter},
		{"too many positional", func() (string, error) { return shipped().RenderPositional("a", "b", "c", "d") }, template.ErrInvalidParameter},
		{"value with a new line", func() (string, error) { return shipped().RenderPositional("a\nb", "b", "c") }, template.ErrInvalidParameter},
		{"value with a tab", func() (string, error) { return shipped().RenderPositional("a\tb", "b", "c") }, template.ErrInvalidParameter},
		{"value with five spaces", func() (string, error) { return shipped().RenderPositional("a     b", "b", "c") }, template.ErrInvalidParameter},
		{"invalid template", func() (string, error) {
			w := shipped()
			w.Body = "{{1}}"
			return w.Render(map[string]string{"1": "a"})
		}, template.ErrInvalidTemplate},
		{"positional values for a named template", func() (string, error) {
			w := shipped()
			w.Body = "Order {{order_id}} shipped."
			return w.RenderPositional("a")
		}, template.ErrInvalidParameter},
	}
	for _, tt := range paramErrors {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.render()
			assert.Empty(t, got)
			assert.ErrorIs(t, err, tt.want)
		})
	}
	t.Run("four spaces are allowed", func(t *testing.T) {
		_, err := shipped().RenderPositional("a    b", "b", "c")
		assert.NoError(t, err)
	})
	t.Run("parameter error names the parameter", func(t *testing.T) {
		_, err := shipped().Render(map[string]string{"1": "a", "2": "b", "3": "c", "9": "x"})
		var pe *template.ParameterError
		require.ErrorAs(t, err, &pe)
		assert.Equal(t, "9", pe.Parameter)
		assert.Equal(t, `template: whatsapp template "order_shipped" parameter "9": not in the template`, err.Error())
	})
}

func TestLanguageCodes(t *testing.T) {
	for code, tag := range map[string]string{"en_US": "en-US", "pt_BR": "pt-BR", "en": "en", "fil": "fil", "zh_TW": "zh-TW", "es_MX": "es-MX"} {
		got, err := template.ParseLanguageCode(code)
		require.NoError(t, err, code)
		assert.Equal(t, language.MustParse(tag), got, code)
		back, err := template.LanguageCode(got)
		require.NoError(t, err)
		assert.Equal(t, code, back, "round trip")
	}
	for _, bad := range []string{"", "en-US", "en_us", "EN_US", "e", "engl", "en_USA", "en_", "_US", "xx_YY_ZZ", "und", "und_US", "aa_ZZ", "en_ZZ", "sh"} {
		_, err := template.ParseLanguageCode(bad)
		assert.ErrorIs(t, err, template.ErrInvalidLanguage, bad)
	}
	code, err := template.LanguageCode(language.MustParse("zh-Hant-TW"))
	require.NoError(t, err)
	assert.Equal(t, "zh_TW", code, "script dropped")
	_, err = template.LanguageCode(language.Und)
	assert.ErrorIs(t, err, template.ErrInvalidLanguage)
}

func TestCategoryAndStatusNames(t *testing.T) {
	for _, s := range []string{"MARKETING", "utility", "Authentication"} {
		_, err := template.ParseCategory(s)
		assert.NoError(t, err, s)
	}
	_, err := template.ParseCategory("service")
	assert.ErrorIs(t, err, template.ErrUnknownCategory)
	for st := template.Approved; st <= template.LimitExceeded; st++ {
		got, err := template.ParseStatus(st.String())
		require.NoError(t, err)
		assert.Equal(t, st, got)
	}
	got, err := template.ParseStatus("IN_APPEAL")
	require.NoError(t, err)
	assert.Equal(t, template.InAppeal, got)
	_, err = template.ParseStatus("in appeal")
	assert.ErrorIs(t, err, template.ErrUnknownStatus)
	assert.Equal(t, "status(0)", template.Status(0).String())
	assert.Equal(t, "category(9)", template.Category(9).String())
}

// Meta's per-message pricing, in force since 1 July 2025.
func TestCharge(t *testing.T) {
	tests := []struct {
		category template.Category
		inWindow bool
		billable bool
	}{
		{template.Marketing, true, true},
		{template.Marketing, false, true},
		{template.Authentication, true, true},
		{template.Authentication, false, true},
		{template.Utility, true, false},
		{template.Utility, false, true},
	}
	for _, tt := range tests {
		name := tt.category.String() + map[bool]string{true: " inside", false: " outside"}[tt.inWindow] + " the window"
		t.Run(name, func(t *testing.T) {
			w := shipped()
			w.Category = tt.category
			c := w.Charge(tt.inWindow)
			assert.Equal(t, tt.billable, c.Billable)
			assert.Equal(t, tt.category.Pricing(), c.Pricing)
		})
	}
	t.Run("service replies are free", func(t *testing.T) {
		c := template.ChargeFor(template.PricingService, true)
		assert.False(t, c.Billable)
		assert.Equal(t, "service, free", c.String())
	})
	assert.Equal(t, "marketing, charged per delivered message", template.ChargeFor(template.PricingMarketing, true).String())
	assert.Equal(t, template.Charge{}, template.WhatsApp{}.Charge(false))
}

func repeat(s string, n int) string {
	out := make([]byte, 0, len(s)*n)
	for range n {
		out = append(out, s...)
	}
	return string(out)
}
