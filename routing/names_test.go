package routing_test

import (
	"encoding"
	"encoding/json"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/routing"
)

// enumText is one constant of an enum with its text and the enum's parser.
type enumText struct {
	value encoding.TextMarshaler
	text  string
	parse func(string) (any, error)
	// unmarshal decodes into a new zero value with UnmarshalText.
	unmarshal func([]byte) (any, error)
}

func parser[T any](parse func(string) (T, error)) func(string) (any, error) {
	return func(s string) (any, error) { return parse(s) }
}

func unmarshaler[T any, P interface {
	*T
	encoding.TextUnmarshaler
}]() func([]byte) (any, error) {
	return func(b []byte) (any, error) {
		var v T
		err := P(&v).UnmarshalText(b)
		return v, err
	}
}

func enumTexts() []enumText {
	var out []enumText
	outcomes := map[routing.Outcome]string{
		routing.NotRouted: "not_routed", routing.Queued: "queued", routing.Waiting: "waiting",
		routing.Assigned: "assigned", routing.Offered: "offered", routing.Released: "released",
	}
	for v, s := range outcomes {
		out = append(out, enumText{v, s, parser(routing.ParseOutcome), unmarshaler[routing.Outcome]()})
	}
	presences := map[routing.Presence]string{
		routing.Available: "available", routing.Away: "away", routing.Offline: "offline", routing.Draining: "draining",
	}
	for v, s := range presences {
		out = append(out, enumText{v, s, parser(routing.ParsePresence), unmarshaler[routing.Presence]()})
	}
	modes := map[routing.Mode]string{
		routing.Simplified: "simplified", routing.Dedicated: "dedicated", routing.Automatic: "automatic",
	}
	for v, s := range modes {
		out = append(out, enumText{v, s, parser(routing.ParseMode), unmarshaler[routing.Mode]()})
	}
	orders := map[routing.Order]string{
		routing.OldestFirst: "oldest_first", routing.NewestFirst: "newest_first", routing.WindowClosingFirst: "window_closing_first",
	}
	for v, s := range orders {
		out = append(out, enumText{v, s, parser(routing.ParseOrder), unmarshaler[routing.Order]()})
	}
	return out
}

func TestEnumText(t *testing.T) {
	for _, tt := range enumTexts() {
		t.Run(fmt.Sprintf("%T %s", tt.value, tt.text), func(t *testing.T) {
			assert.Equal(t, tt.text, fmt.Sprint(tt.value), "String agrees with MarshalText")
			b, err := tt.value.MarshalText()
			require.NoError(t, err)
			assert.Equal(t, tt.text, string(b))
			got, err := tt.parse(tt.text)
			require.NoError(t, err)
			assert.Equal(t, tt.value, got)
			back, err := tt.unmarshal(b)
			require.NoError(t, err)
			assert.Equal(t, tt.value, back)
		})
	}
}

func TestEnumTextUnknown(t *testing.T) {
	unknown := []encoding.TextMarshaler{routing.Outcome(6), routing.Presence(4), routing.Mode(3), routing.Order(3)}
	for _, v := range unknown {
		t.Run(fmt.Sprintf("%T(%v)", v, v), func(t *testing.T) {
			_, err := v.MarshalText()
			assert.ErrorIs(t, err, routing.ErrInvalid, "an unknown value never marshals")
		})
	}
	parsers := map[string]func(string) (any, error){
		"outcome":  parser(routing.ParseOutcome),
		"presence": parser(routing.ParsePresence),
		"mode":     parser(routing.ParseMode),
		"order":    parser(routing.ParseOrder),
	}
	for name, parse := range parsers {
		for _, s := range []string{"", "Queued", "AVAILABLE", "not routed", "oldest-first", "mode(3)"} {
			_, err := parse(s)
			assert.ErrorIs(t, err, routing.ErrInvalid, "%s: parse(%q)", name, s)
		}
	}
	p := routing.Away
	assert.ErrorIs(t, p.UnmarshalText([]byte("busy")), routing.ErrInvalid)
	assert.Equal(t, routing.Away, p, "a refused text leaves the value unchanged")
}

// The zero Outcome says nothing was routed, never "queued".
func TestOutcomeZeroIsNotRouted(t *testing.T) {
	var d routing.Decision
	assert.Equal(t, routing.NotRouted, d.Outcome)
	assert.Equal(t, "not_routed", d.Outcome.String())
	p, held := newRouter(t, routing.Config{}).Conversation("nobody")
	require.False(t, held)
	assert.Equal(t, routing.NotRouted, p.Outcome)
}

func TestEnumJSON(t *testing.T) {
	type view struct {
		Outcome  routing.Outcome  `json:"outcome"`
		Presence routing.Presence `json:"presence"`
		Mode     routing.Mode     `json:"mode"`
		Order    routing.Order    `json:"order"`
	}
	in := view{Outcome: routing.Assigned, Presence: routing.Draining, Mode: routing.Automatic, Order: routing.WindowClosingFirst}
	b, err := json.Marshal(in)
	require.NoError(t, err)
	assert.JSONEq(t, `{"outcome":"assigned","presence":"draining","mode":"automatic","order":"window_closing_first"}`, string(b))

	var out view
	require.NoError(t, json.Unmarshal(b, &out))
	assert.Equal(t, in, out)
	assert.ErrorIs(t, json.Unmarshal([]byte(`{"presence":"busy"}`), &out), routing.ErrInvalid)
	_, err = json.Marshal(view{Outcome: routing.Outcome(42)})
	assert.ErrorIs(t, err, routing.ErrInvalid)
}

// FuzzParseEnums checks, for every enum of the package, that a text its
// parser accepts marshals back to itself and parses again to the same value.
func FuzzParseEnums(f *testing.F) {
	for _, tt := range enumTexts() {
		f.Add(tt.text)
	}
	for _, s := range []string{"", "QUEUED", "not routed", "\xff", "order(3)"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fuzzRoundTrip(t, s, routing.ParseOutcome)
		fuzzRoundTrip(t, s, routing.ParsePresence)
		fuzzRoundTrip(t, s, routing.ParseMode)
		fuzzRoundTrip(t, s, routing.ParseOrder)
	})
}

func fuzzRoundTrip[T interface {
	comparable
	encoding.TextMarshaler
}](t *testing.T, s string, parse func(string) (T, error)) {
	v, err := parse(s)
	if err != nil {
		return
	}
	b, err := v.MarshalText()
	if err != nil {
		t.Fatalf("parse(%q) = %v, which does not marshal: %v", s, v, err)
	}
	if string(b) != s {
		t.Fatalf("parse(%q) marshals to %q", s, b)
	}
	if again, err := parse(string(b)); err != nil || again != v {
		t.Fatalf("parse(%q) = %v, %v; want %v", b, again, err, v)
	}
}
