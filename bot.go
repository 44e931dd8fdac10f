package parley

import (
	"context"

	"github.com/parleyhq/parley/conversation"
)

// PauseBot stops the bot from answering in the conversation; ResumeBot
// lets it answer again. Assigning an agent pauses it by itself.
func (d *Desk) PauseBot(ctx context.Context, id conversation.ID) error {
	return d.setBot(ctx, id, true)
}

// ResumeBot lets the bot answer in the conversation again.
func (d *Desk) ResumeBot(ctx context.Context, id conversation.ID) error {
	return d.setBot(ctx, id, false)
}

func (d *Desk) setBot(ctx context.Context, id conversation.ID, paused bool) error {
	return d.withConversation(ctx, id, func() (after, error) {
		_, err := d.mutate(ctx, id, func(c *conversation.Conversation) error {
			if c.BotPaused == paused {
				return errUnchanged
			}
			c.BotPaused = paused
			return nil
		})
		return after{}, err
	})
}
