package optout_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/optout"
)

func TestActionText(t *testing.T) {
	tests := []struct {
		action optout.Action
		text   string
	}{
		{optout.None, "none"},
		{optout.OptOut, "opt-out"},
		{optout.OptIn, "opt-in"},
		{optout.Help, "help"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			assert.Equal(t, tt.text, tt.action.String())
			b, err := tt.action.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.text, string(b))
			got, err := optout.ParseAction(tt.text)
			require.NoError(t, err)
			assert.Equal(t, tt.action, got)
			var back optout.Action
			require.NoError(t, back.UnmarshalText(b))
			assert.Equal(t, tt.action, back)
		})
	}
}

func TestActionTextUnknown(t *testing.T) {
	assert.Equal(t, "action(7)", optout.Action(7).String())
	_, err := optout.Action(7).MarshalText()
	assert.ErrorIs(t, err, optout.ErrUnknownAction, "an unknown value never marshals")

	for _, s := range []string{"", "stop", "OPT-OUT", "opt_out", "action(7)"} {
		_, err := optout.ParseAction(s)
		assert.ErrorIs(t, err, optout.ErrUnknownAction, "ParseAction(%q)", s)
	}
	a := optout.Help
	assert.ErrorIs(t, a.UnmarshalText([]byte("unstop")), optout.ErrUnknownAction)
	assert.Equal(t, optout.Help, a, "a refused text leaves the value unchanged")
}

func TestActionJSON(t *testing.T) {
	type result struct {
		Action optout.Action `json:"action"`
	}
	b, err := json.Marshal(result{Action: optout.OptOut})
	require.NoError(t, err)
	assert.JSONEq(t, `{"action":"opt-out"}`, string(b))

	var got result
	require.NoError(t, json.Unmarshal([]byte(`{"action":"opt-in"}`), &got))
	assert.Equal(t, optout.OptIn, got.Action)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"action":"maybe"}`), &got), optout.ErrUnknownAction)

	_, err = json.Marshal(result{Action: optout.Action(9)})
	assert.ErrorIs(t, err, optout.ErrUnknownAction)
}

// FuzzParseAction checks that every text ParseAction accepts marshals back
// to itself and parses again to the same action.
func FuzzParseAction(f *testing.F) {
	for _, s := range []string{"none", "opt-out", "opt-in", "help", "", "STOP", "opt_out", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := optout.ParseAction(s)
		if err != nil {
			return
		}
		b, err := a.MarshalText()
		if err != nil {
			t.Fatalf("ParseAction(%q) = %d, which does not marshal: %v", s, a, err)
		}
		if string(b) != s {
			t.Fatalf("ParseAction(%q) marshals to %q", s, b)
		}
		again, err := optout.ParseAction(string(b))
		if err != nil || again != a {
			t.Fatalf("ParseAction(%q) = %v, %v; want %v", b, again, err, a)
		}
	})
}
