package parley

import (
	"context"

	"github.com/parleyhq/parley/conversation"
)

// MarkRead resets the conversation's unread count for its agent.
func (d *Desk) MarkRead(ctx context.Context, agentID string, id conversation.ID) error {
	v, err := d.viewer(ctx, agentID)
	if err != nil {
		return err
	}
	now := d.now()
	return d.withConversation(ctx, id, func() (after, error) {
		_, err := d.mutate(ctx, id, func(c *conversation.Conversation) error {
			if err := see(v, c); err != nil {
				return err
			}
			if !c.MarkRead(now) {
				return errUnchanged
			}
			return nil
		})
		return after{}, err
	})
}
