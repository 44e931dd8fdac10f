package conversation_test

import (
	"encoding/json"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/conversation"
)

func TestID(t *testing.T) {
	id := conversation.NewID()
	assert.False(t, id.IsZero())
	assert.True(t, conversation.ID{}.IsZero())
	back, err := conversation.ParseID(id.String())
	require.NoError(t, err)
	assert.Equal(t, id, back)

	b, err := json.Marshal(struct{ ID conversation.ID }{id})
	require.NoError(t, err)
	var got struct{ ID conversation.ID }
	require.NoError(t, json.Unmarshal(b, &got))
	assert.Equal(t, id, got.ID)

	_, err = conversation.ParseID("not-a-uuid")
	assert.ErrorIs(t, err, conversation.ErrBadID)
}

func TestSequentialIDs(t *testing.T) {
	next := conversation.SequentialIDs(t0)
	a, b := next(), next()
	assert.Equal(t, -1, a.Compare(b), "sequential IDs sort in creation order")
	assert.Equal(t, t0, a.Time(), "they carry the start time (UUIDv7)")
	again := conversation.SequentialIDs(t0)
	assert.Equal(t, a, again(), "deterministic across generators")
	parsed, err := conversation.ParseID(a.String())
	require.NoError(t, err)
	assert.Equal(t, a, parsed)
}

func FuzzParseID(f *testing.F) {
	f.Add("0195500e-d780-7000-8000-000000000001")
	f.Add("urn:uuid:0195500e-d780-7000-8000-000000000001")
	f.Add("{0195500e-d780-7000-8000-000000000001}")
	f.Add("zz")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := conversation.ParseID(s)
		if err != nil {
			return
		}
		back, err := conversation.ParseID(id.String())
		if err != nil || back != id {
			t.Fatalf("ParseID(%q) = %s does not round-trip: %v, %v", s, id, back, err)
		}
	})
}
