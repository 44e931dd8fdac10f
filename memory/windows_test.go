package memory_test

import (
	"context"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"

	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/memory"
	"github.com/parleyhq/parley/session"
	"github.com/parleyhq/parley/session/sessiontest"
)

// The window store keeps the whole session.Store contract.
func TestWindowStore(t *testing.T) {
	sessiontest.Run(t, func(*testing.T) session.Store { return memory.NewWindowStore(nil) })
}

func TestWindowStoreRefusesADoneContext(t *testing.T) {
	s := memory.NewWindowStore(nil)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	k := session.Key{
		Business: channel.Address{Kind: channel.WhatsApp, ID: "+14155550100"},
		Contact:  channel.Address{Kind: channel.WhatsApp, ID: "+33612345678"},
	}
	_, err := s.Touch(ctx, k, time.Now())
	assert.ErrorIs(t, err, context.Canceled)
	assert.Zero(t, s.Tracker().Len(), "a refused touch records nothing")
}
