package postgres_test

import (
	"testing"

	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/conversation/conversationtest"
	"github.com/parleyhq/parley/store/postgres"
	"github.com/parleyhq/parley/store/postgres/internal/pgtest"
)

// The conversation store keeps the whole contract, the optional
// interfaces included, against a live server.
func TestConversationStore(t *testing.T) {
	conversationtest.Run(t, func(t *testing.T) conversation.Store {
		_, pool := pgtest.Schema(t)
		return postgres.New(pool).Conversations
	})
}
