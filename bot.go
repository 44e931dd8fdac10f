package parley

import (
	"context"

	"github.com/parleyhq/parley/conversation"
)

// PauseBot stops the bot from answering in the conversation; ResumeBot
// lets it answer again. Assigning an agent pauses it by itself. actorID
// must see the conversation (routing.ErrNotVisible).
func (d *Desk) PauseBot(ctx context.Context, actorID string, id conversation.ID) error {
	return d.setBot(ctx, actorID, id, true)
}

// ResumeBot lets the bot answer in the conversation again; actorID must
// see it (routing.ErrNotVisible).
func (d *Desk) ResumeBot(ctx context.Context, actorID string, id conversation.ID) error {
	return d.setBot(ctx, actorID, id, false)
}

func (d *Desk) setBot(ctx context.Context, actorID string, id conversation.ID, paused bool) error {
	v, err := d.actor(ctx, actorID)
	if err != nil {
		return err
	}
	return d.withConversation(ctx, id, func() (after, error) {
		_, err := d.mutate(ctx, id, func(c *conversation.Conversation) error {
			if err := see(v, c); err != nil {
				return err
			}
			if c.BotPaused == paused {
				return errUnchanged
			}
			c.BotPaused = paused
			return nil
		})
		return after{}, err
	})
}
