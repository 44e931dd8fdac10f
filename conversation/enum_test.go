package conversation_test

import (
	"encoding"
	"encoding/json"
	"errors"
	"fmt"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/conversation"
)

// enumCase is one enum's text encoding: every valid value with its name,
// a value that is not valid, the parser and the sentinel its errors match.
type enumCase struct {
	name    string
	values  map[string]any // name → value
	invalid any
	parse   func(string) (any, error)
	newPtr  func() encoding.TextUnmarshaler
	deref   func(encoding.TextUnmarshaler) any
	unknown error
}

// enumOf builds an enumCase for T.
func enumOf[T interface {
	comparable
	fmt.Stringer
	encoding.TextMarshaler
}, P interface {
	*T
	encoding.TextUnmarshaler
}](name string, values map[string]T, invalid T, parse func(string) (T, error), unknown error) enumCase {
	vs := make(map[string]any, len(values))
	for k, v := range values {
		vs[k] = v
	}
	return enumCase{
		name:    name,
		values:  vs,
		invalid: invalid,
		parse:   func(s string) (any, error) { return parse(s) },
		newPtr:  func() encoding.TextUnmarshaler { return P(new(T)) },
		deref:   func(u encoding.TextUnmarshaler) any { return *u.(P) },
		unknown: unknown,
	}
}

func enums() []enumCase {
	return []enumCase{
		enumOf("Status", map[string]conversation.Status{
			"bot": conversation.Bot, "queued": conversation.Queued, "assigned": conversation.Assigned,
			"wrap_up": conversation.WrapUp, "closed": conversation.Closed,
		}, 0, conversation.ParseStatus, conversation.ErrUnknownStatus),
		enumOf("Direction", map[string]conversation.Direction{
			"inbound": conversation.Inbound, "outbound": conversation.Outbound,
		}, 0, conversation.ParseDirection, conversation.ErrUnknownDirection),
		enumOf("DeliveryStatus", map[string]conversation.DeliveryStatus{
			"none": conversation.DeliveryNone, "pending": conversation.DeliveryPending,
			"sent": conversation.DeliverySent, "delivered": conversation.DeliveryDelivered,
			"read": conversation.DeliveryRead, "failed": conversation.DeliveryFailed,
		}, 9, conversation.ParseDeliveryStatus, conversation.ErrUnknownDeliveryStatus),
		enumOf("AssignMode", map[string]conversation.AssignMode{
			"none": 0, "manual": conversation.AssignManual, "auto": conversation.AssignAuto,
			"dedicated": conversation.AssignDedicated,
		}, 9, conversation.ParseAssignMode, conversation.ErrUnknownAssignMode),
		enumOf("ReopenPolicy", map[string]conversation.ReopenPolicy{
			"keep_agent": conversation.KeepAgent, "to_inbox": conversation.ToInbox,
		}, 9, conversation.ParseReopenPolicy, conversation.ErrUnknownReopenPolicy),
		enumOf("Sort", map[string]conversation.Sort{
			"newest": conversation.Newest, "oldest": conversation.Oldest,
		}, 9, conversation.ParseSort, conversation.ErrUnknownSort),
		enumOf("AuthorKind", map[string]conversation.AuthorKind{
			"contact": conversation.AuthorContact, "agent": conversation.AuthorAgent,
			"bot": conversation.AuthorBot, "system": conversation.AuthorSystem,
		}, 0, conversation.ParseAuthorKind, conversation.ErrUnknownAuthorKind),
		enumOf("Notice", map[string]conversation.Notice{
			"none": 0, "unsupported": conversation.NoticeUnsupported,
		}, 9, conversation.ParseNotice, conversation.ErrUnknownNotice),
	}
}

func TestEnumsEncodeAsText(t *testing.T) {
	for _, e := range enums() {
		t.Run(e.name, func(t *testing.T) {
			for want, v := range e.values {
				t.Run(want, func(t *testing.T) {
					assert.Equal(t, want, v.(fmt.Stringer).String(), "String")
					b, err := v.(encoding.TextMarshaler).MarshalText()
					require.NoError(t, err)
					assert.Equal(t, want, string(b), "MarshalText")

					got, err := e.parse(want)
					require.NoError(t, err)
					assert.Equal(t, v, got, "Parse(%q)", want)

					u := e.newPtr()
					require.NoError(t, u.UnmarshalText(b))
					assert.Equal(t, v, e.deref(u), "UnmarshalText(%q)", b)
				})
			}
		})
	}
}

func TestEnumsRefuseUnknownValues(t *testing.T) {
	for _, e := range enums() {
		t.Run(e.name, func(t *testing.T) {
			b, err := e.invalid.(encoding.TextMarshaler).MarshalText()
			assert.ErrorIs(t, err, e.unknown, "MarshalText of %v", e.invalid)
			assert.Nil(t, b, "an invalid value marshals to nothing")

			for _, s := range []string{"", "Delivered", "bogus", e.invalid.(fmt.Stringer).String()} {
				_, err := e.parse(s)
				assert.ErrorIs(t, err, e.unknown, "Parse(%q)", s)
				assert.ErrorIs(t, e.newPtr().UnmarshalText([]byte(s)), e.unknown, "UnmarshalText(%q)", s)
			}
		})
	}
}

// A host's JSON shows names, not numbers, and reads back what it wrote.
func TestJSONShowsNames(t *testing.T) {
	ids := conversation.SequentialIDs(t0)
	c, _, err := conversation.Start(conversation.Params{
		ID: ids(), Touchpoint: "tp", Channel: channel.WhatsApp, Direction: conversation.Inbound,
		Contact: conversation.Contact{ID: "ana"}, Queues: []string{"sales"},
	}, t0)
	require.NoError(t, err)
	b, err := json.Marshal(c)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"Direction":"inbound"`)
	assert.Contains(t, string(b), `"Status":"queued"`)
	assert.Contains(t, string(b), `"AssignMode":"none"`)
	var back conversation.Conversation
	require.NoError(t, json.Unmarshal(b, &back))
	assert.Equal(t, c, &back)

	m := &conversation.Message{
		ID: ids(), ConversationID: c.ID, Direction: conversation.Outbound,
		Author: conversation.Author{Kind: conversation.AuthorAgent, ID: "agent-1"},
		Text:   "hello", ProviderID: "wamid.1",
		Delivery:  conversation.Delivery{Status: conversation.DeliveryDelivered, At: t0},
		CreatedAt: t0,
	}
	b, err = json.Marshal(m)
	require.NoError(t, err)
	assert.Contains(t, string(b), `"Direction":"outbound"`)
	assert.Contains(t, string(b), `"Status":"delivered"`)
	assert.Contains(t, string(b), `"Kind":"agent"`)
	assert.Contains(t, string(b), `"Notice":"none"`)
	var msg conversation.Message
	require.NoError(t, json.Unmarshal(b, &msg))
	assert.Equal(t, m, &msg)

	_, err = json.Marshal(conversation.Message{})
	assert.ErrorIs(t, err, conversation.ErrUnknownDirection, "a zero message has no direction to write")
}

// FuzzParseEnums checks every parser of the package: what it accepts is
// exactly what String and MarshalText write back, and what it refuses
// matches the enum's sentinel.
func FuzzParseEnums(f *testing.F) {
	for _, e := range enums() {
		for s := range e.values {
			f.Add(s)
		}
	}
	f.Add("Queued")
	f.Add("status(9)")
	f.Add("")
	f.Fuzz(func(t *testing.T, s string) {
		for _, e := range enums() {
			v, err := e.parse(s)
			if err != nil {
				if !errors.Is(err, e.unknown) {
					t.Fatalf("Parse%s(%q): %v does not match %v", e.name, s, err, e.unknown)
				}
				continue
			}
			b, err := v.(encoding.TextMarshaler).MarshalText()
			if err != nil || string(b) != s || v.(fmt.Stringer).String() != s {
				t.Fatalf("Parse%s(%q) = %v, which marshals to %q, %v", e.name, s, v, b, err)
			}
			u := e.newPtr()
			if err := u.UnmarshalText(b); err != nil || e.deref(u) != v {
				t.Fatalf("Parse%s(%q) = %v does not round-trip: %v, %v", e.name, s, v, e.deref(u), err)
			}
		}
	})
}
