package parley_test

import (
	"context"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/conversation"
)

// PauseBot stops the bot from answering in a conversation and ResumeBot
// lets it answer again; asking for the state it already has stores
// nothing, and an unknown conversation is conversation.ErrNotFound.
func TestPauseAndResumeBot(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	id := rc.Conversation.ID
	get := func() *conversation.Conversation {
		t.Helper()
		c, err := f.Conversation(ctx, parley.SystemActor, id)
		require.NoError(t, err)
		return c
	}
	require.False(t, get().BotPaused, "precondition: a new conversation's bot is not paused")

	steps := []struct {
		name       string
		act        func(ctx context.Context, actorID string, id conversation.ID) error
		wantPaused bool
		wantStored bool // a new version was stored
	}{
		{"pause", f.PauseBot, true, true},
		{"pause again changes nothing", f.PauseBot, true, false},
		{"resume", f.ResumeBot, false, true},
		{"resume again changes nothing", f.ResumeBot, false, false},
	}
	for _, st := range steps {
		before := get().Version
		require.NoError(t, st.act(ctx, "ana", id), st.name)
		after := get()
		assert.Equal(t, st.wantPaused, after.BotPaused, st.name)
		assert.Equal(t, st.wantStored, after.Version > before, "%s: version %d → %d", st.name, before, after.Version)
	}

	assert.ErrorIs(t, f.PauseBot(ctx, parley.SystemActor, conversation.NewID()), conversation.ErrNotFound)
	assert.ErrorIs(t, f.ResumeBot(ctx, parley.SystemActor, conversation.NewID()), conversation.ErrNotFound)
}

// Assigning an agent pauses the bot (the hand-off to a person).
func TestAssignPausesTheBot(t *testing.T) {
	ctx := context.Background()
	f := newFixture(t)
	rc := receive(t, f, "wa", wa("+14155550100"), "w1", "hello")
	require.NoError(t, f.Assign(ctx, parley.SystemActor, rc.Conversation.ID, "ana"))
	c, err := f.Conversation(ctx, parley.SystemActor, rc.Conversation.ID)
	require.NoError(t, err)
	assert.True(t, c.BotPaused)
}
