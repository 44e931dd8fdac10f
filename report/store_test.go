package report_test

import (
	"github.com/parleyhq/parley/conversation"
	"github.com/parleyhq/parley/memory"
)

func memoryStore() conversation.Store { return memory.NewConversationStore() }
