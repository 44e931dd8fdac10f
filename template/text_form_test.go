package template_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/template"
)

func TestCategoryText(t *testing.T) {
	for c, name := range map[template.Category]string{
		template.Marketing: "marketing", template.Utility: "utility", template.Authentication: "authentication",
	} {
		t.Run(name, func(t *testing.T) {
			b, err := c.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, name, string(b))
			assert.Equal(t, name, c.String())
			var back template.Category
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, c, back)
		})
	}
}

func TestStatusText(t *testing.T) {
	for st, name := range map[template.Status]string{
		template.Approved: "approved", template.Pending: "pending", template.Rejected: "rejected",
		template.Paused: "paused", template.Disabled: "disabled", template.InAppeal: "in_appeal",
		template.PendingDeletion: "pending_deletion", template.Deleted: "deleted",
		template.LimitExceeded: "limit_exceeded",
	} {
		t.Run(name, func(t *testing.T) {
			b, err := st.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, name, string(b))
			assert.Equal(t, name, st.String())
			var back template.Status
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, st, back)
		})
	}
}

func TestPricingText(t *testing.T) {
	for p, name := range map[template.Pricing]string{
		template.PricingMarketing: "marketing", template.PricingUtility: "utility",
		template.PricingAuthentication: "authentication", template.PricingService: "service",
	} {
		t.Run(name, func(t *testing.T) {
			b, err := p.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, name, string(b))
			assert.Equal(t, name, p.String())
			got, err := template.ParsePricing(name)
			require.NoError(t, err)
			assert.Equal(t, p, got)
			var back template.Pricing
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, p, back)
		})
	}
	got, err := template.ParsePricing("SERVICE")
	require.NoError(t, err)
	assert.Equal(t, template.PricingService, got, "Meta's upper case")
}

func TestRuleText(t *testing.T) {
	rules := []template.Rule{
		template.RuleName, template.RuleLanguage, template.RuleCategory, template.RuleStatus,
		template.RuleBody, template.RuleParameterSyntax, template.RuleParameterStyle,
		template.RuleParameterSequence, template.RuleParameterAtEdge, template.RuleAdjacentParameters,
	}
	for _, r := range rules {
		t.Run(string(r), func(t *testing.T) {
			b, err := r.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, string(r), string(b))
			assert.Equal(t, string(r), r.String())
			got, err := template.ParseRule(string(r))
			require.NoError(t, err)
			assert.Equal(t, r, got)
			var back template.Rule
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, r, back)
		})
	}
}

func TestTextRefusesUnknown(t *testing.T) {
	tests := []struct {
		name    string
		marshal func() ([]byte, error)
		parse   func() error
		want    error
	}{
		{"category", template.Category(0).MarshalText, func() error { _, err := template.ParseCategory("service"); return err }, template.ErrUnknownCategory},
		{"status", template.Status(10).MarshalText, func() error { _, err := template.ParseStatus("in appeal"); return err }, template.ErrUnknownStatus},
		{"pricing", template.Pricing(5).MarshalText, func() error { _, err := template.ParsePricing("free"); return err }, template.ErrUnknownPricing},
		{"rule", template.Rule("spelling").MarshalText, func() error { _, err := template.ParseRule("parameter_style"); return err }, template.ErrUnknownRule},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			b, err := tt.marshal()
			assert.ErrorIs(t, err, tt.want, "marshal")
			assert.Nil(t, b)
			assert.ErrorIs(t, tt.parse(), tt.want, "parse")
		})
	}
	st := template.Paused
	require.Error(t, st.UnmarshalText([]byte("stopped")))
	assert.Equal(t, template.Paused, st, "unchanged on error")
}

func TestTextInJSON(t *testing.T) {
	type payload struct {
		Category template.Category `json:"category"`
		Status   template.Status   `json:"status"`
		Charge   template.Charge   `json:"charge"`
		Rule     template.Rule     `json:"rule"`
	}
	in := payload{
		Category: template.Utility,
		Status:   template.InAppeal,
		Charge:   template.ChargeFor(template.PricingUtility, false),
		Rule:     template.RuleParameterAtEdge,
	}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"category":"utility","status":"in_appeal","charge":{"Pricing":"utility","Billable":true},"rule":"parameter at edge"}`, string(b))
	var out payload
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)

	// Meta's webhooks write statuses and categories in upper case.
	require.NoError(t, json.Unmarshal([]byte(`{"category":"MARKETING","status":"APPROVED","charge":{"Pricing":"MARKETING"},"rule":"name"}`), &out))
	assert.Equal(t, template.Marketing, out.Category)
	assert.Equal(t, template.Approved, out.Status)
	assert.Error(t, json.Unmarshal([]byte(`{"status":1}`), &out), "a number is not a status")
}

// TestZeroKindAndEncodingInJSON checks that documented zero values survive
// JSON: a channel-neutral variant (Channel 0) and the SMS count of a Fit for
// any other kind (Encoding 0) encode as "" and read back unchanged.
func TestZeroKindAndEncodingInJSON(t *testing.T) {
	t.Run("channel-neutral variant", func(t *testing.T) {
		in := template.Snippet{
			Shortcut: "greet",
			Variants: []template.Variant{{Body: "hi"}, {Channel: channel.SMS, Body: "hi by SMS"}},
		}
		b, err := json.Marshal(in)
		require.NoError(t, err)
		assert.Contains(t, string(b), `"Channel":""`)
		assert.Contains(t, string(b), `"Channel":"sms"`)
		var out template.Snippet
		require.NoError(t, json.Unmarshal(b, &out))
		assert.Equal(t, in, out)
	})
	t.Run("fit for WhatsApp", func(t *testing.T) {
		in := template.Check(channel.WhatsApp, "hi")
		require.True(t, in.Fits)
		require.Zero(t, in.SMS.Encoding, "precondition: no SMS count for WhatsApp")
		b, err := json.Marshal(in)
		require.NoError(t, err)
		assert.JSONEq(t, `{"Channel":"whatsapp","Length":2,"Max":4096,"Fits":true,"SMS":{"Encoding":"","Segments":0,"Units":0}}`, string(b))
		var out template.Fit
		require.NoError(t, json.Unmarshal(b, &out))
		assert.Equal(t, in, out)
	})
}
