package session_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/session"
)

func TestFormText(t *testing.T) {
	for f, name := range map[session.Form]string{
		session.FreeForm:         "free_form",
		session.ApprovedTemplate: "approved_template",
		session.HumanAgentTag:    "human_agent_tag",
	} {
		t.Run(name, func(t *testing.T) {
			b, err := f.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, name, string(b))
			assert.Equal(t, name, f.String())
			got, err := session.ParseForm(name)
			require.NoError(t, err)
			assert.Equal(t, f, got)
			var back session.Form
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, f, back)
		})
	}
}

func TestReasonText(t *testing.T) {
	for r, name := range map[session.Reason]string{
		session.NoWindow:       "no_window",
		session.WindowOpen:     "window_open",
		session.HumanAgentOnly: "human_agent_only",
		session.TemplateOnly:   "template_only",
		session.WindowClosed:   "window_closed",
		session.NeverOpened:    "never_opened",
	} {
		t.Run(name, func(t *testing.T) {
			b, err := r.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, name, string(b))
			assert.Equal(t, name, r.String())
			got, err := session.ParseReason(name)
			require.NoError(t, err)
			assert.Equal(t, r, got)
			var back session.Reason
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, r, back)
		})
	}
}

func TestTextRefusesUnknown(t *testing.T) {
	t.Run("form", func(t *testing.T) {
		_, err := session.Form(0).MarshalText()
		assert.ErrorIs(t, err, session.ErrUnknownForm)
		_, err = session.ParseForm("free-form")
		assert.ErrorIs(t, err, session.ErrUnknownForm)
		f := session.ApprovedTemplate
		assert.Error(t, f.UnmarshalText([]byte("template")))
		assert.Equal(t, session.ApprovedTemplate, f, "unchanged on error")
	})
	t.Run("reason", func(t *testing.T) {
		_, err := session.Reason(7).MarshalText()
		assert.ErrorIs(t, err, session.ErrUnknownReason)
		_, err = session.ParseReason("window open")
		assert.ErrorIs(t, err, session.ErrUnknownReason)
	})
	t.Run("ASCII case is ignored", func(t *testing.T) {
		r, err := session.ParseReason("Window_Open")
		require.NoError(t, err)
		assert.Equal(t, session.WindowOpen, r)
		_, err = session.ParseForm("free_ſorm") // long s folds to s only under Unicode folding
		assert.ErrorIs(t, err, session.ErrUnknownForm)
	})
}

func TestComposerJSON(t *testing.T) {
	c := session.Composer{CanReply: true, Reason: session.HumanAgentOnly, Tag: true}
	b, err := json.Marshal(struct {
		Reason session.Reason `json:"reason"`
		Form   session.Form   `json:"form"`
	}{c.Reason, session.HumanAgentTag})
	require.NoError(t, err)
	assert.JSONEq(t, `{"reason":"human_agent_only","form":"human_agent_tag"}`, string(b))

	var out session.Outbound
	require.NoError(t, json.Unmarshal([]byte(`{"Form":"approved_template","Human":true}`), &out))
	assert.Equal(t, session.Outbound{Form: session.ApprovedTemplate, Human: true}, out)
	assert.Error(t, json.Unmarshal([]byte(`{"Form":2}`), &out), "a number is not a form")
}

// FuzzParseText checks ParseForm and ParseReason: what one accepts marshals
// to its String and parses back to the same value.
func FuzzParseText(f *testing.F) {
	for _, s := range []string{"free_form", "HUMAN_AGENT_TAG", "window_open", "never_opened", "", "free-form"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if v, err := session.ParseForm(s); err == nil {
			b, err := v.MarshalText()
			if err != nil || string(b) != v.String() {
				t.Fatalf("ParseForm(%q) = %v marshals to %q, %v", s, v, b, err)
			}
			if back, err := session.ParseForm(string(b)); err != nil || back != v {
				t.Fatalf("ParseForm(%q) = %v, then %q parses to %v, %v", s, v, b, back, err)
			}
		}
		if v, err := session.ParseReason(s); err == nil {
			b, err := v.MarshalText()
			if err != nil || string(b) != v.String() {
				t.Fatalf("ParseReason(%q) = %v marshals to %q, %v", s, v, b, err)
			}
			if back, err := session.ParseReason(string(b)); err != nil || back != v {
				t.Fatalf("ParseReason(%q) = %v, then %q parses to %v, %v", s, v, b, back, err)
			}
		}
	})
}
