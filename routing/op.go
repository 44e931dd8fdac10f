package routing

import (
	"context"
	"time"
)

// OpKind names a change to a router; it is the method that makes it.
type OpKind string

// The changes a router records, one per method that changes its state.
const (
	OpEnqueue          OpKind = "enqueue"
	OpRelease          OpKind = "release"
	OpAssign           OpKind = "assign"
	OpAccept           OpKind = "accept"
	OpReject           OpKind = "reject"
	OpTransfer         OpKind = "transfer"
	OpTransferToQueues OpKind = "transfer_to_queues"
	OpSendToInbox      OpKind = "send_to_inbox"
	OpEscalate         OpKind = "escalate"
	OpReplied          OpKind = "replied"
	OpExpire           OpKind = "expire"
	OpSetPresence      OpKind = "set_presence"
	OpAddAgent         OpKind = "add_agent"
	OpUpdateAgent      OpKind = "update_agent"
	OpRemoveAgent      OpKind = "remove_agent"
	OpRefresh          OpKind = "refresh"
	OpSetWeights       OpKind = "set_weights"
)

// Op is one change to a router as data (it encodes as JSON): the method
// and its arguments. [Router.Apply] makes it; a [Replica] records it in
// its [Log] so that every other replica makes it too.
type Op struct {
	Kind OpKind
	// At is the now the method is called with.
	At             time.Time
	ConversationID string   `json:",omitempty"`
	AgentID        string   `json:",omitempty"`
	Queues         []string `json:",omitempty"` // OpTransferToQueues
	Presence       Presence `json:",omitempty"` // OpSetPresence
	Item           *Item    `json:",omitempty"` // OpEnqueue
	Agent          *Agent   `json:",omitempty"` // OpAddAgent, OpUpdateAgent
	// Weights are OpSetWeights' weights by channel.Kind; 0 is the default.
	Weights []int `json:",omitempty"`
}

// WeightsOp returns the Op that sets w.
func WeightsOp(w Weights, now time.Time) Op {
	return Op{Kind: OpSetWeights, At: now, Weights: w.list()}
}

// wall returns op with its instants on the wall clock alone (no monotonic
// reading), as a log gives it back.
func (op Op) wall() Op {
	op.At = op.At.Round(0)
	if op.Item != nil {
		it := *op.Item
		it.Enqueued, it.PreviousAt, it.WindowCloses = it.Enqueued.Round(0), it.PreviousAt.Round(0), it.WindowCloses.Round(0)
		op.Item = &it
	}
	return op
}

// Apply makes op: it calls the method op names with op's arguments and
// returns that method's decisions and error, keeping op's slices as the
// method keeps its arguments' (an Item's Queues). An unknown kind, or an op
// missing what its method needs, is refused with an error matching
// [ErrInvalid], changing nothing.
func (r *Router) Apply(ctx context.Context, op Op) ([]Decision, error) {
	now := op.At
	switch op.Kind {
	case OpEnqueue:
		if op.Item == nil {
			return nil, invalidf("op %s without an item", op.Kind)
		}
		d, err := r.Enqueue(ctx, *op.Item, now)
		if err != nil || d.Outcome == NotRouted {
			return nil, err
		}
		return []Decision{d}, nil
	case OpRelease:
		return r.Release(ctx, op.ConversationID, now)
	case OpAssign:
		return nil, r.Assign(ctx, op.ConversationID, op.AgentID, now)
	case OpAccept:
		return nil, r.Accept(op.ConversationID, op.AgentID, now)
	case OpReject:
		return r.Reject(ctx, op.ConversationID, op.AgentID, now)
	case OpTransfer:
		return r.Transfer(ctx, op.ConversationID, op.AgentID, now)
	case OpTransferToQueues:
		return r.TransferToQueues(ctx, op.ConversationID, op.Queues, now)
	case OpSendToInbox:
		return r.SendToInbox(ctx, op.ConversationID, now)
	case OpEscalate:
		return r.Escalate(ctx, op.ConversationID, now)
	case OpReplied:
		return nil, r.Replied(op.ConversationID, now)
	case OpExpire:
		return r.Expire(ctx, now)
	case OpSetPresence:
		return r.SetPresence(ctx, op.AgentID, op.Presence, now)
	case OpAddAgent, OpUpdateAgent:
		if op.Agent == nil {
			return nil, invalidf("op %s without an agent", op.Kind)
		}
		if op.Kind == OpAddAgent {
			return r.AddAgent(ctx, *op.Agent, now)
		}
		return r.UpdateAgent(ctx, *op.Agent, now)
	case OpRemoveAgent:
		return r.RemoveAgent(ctx, op.AgentID, now)
	case OpRefresh:
		return r.Refresh(ctx, op.AgentID, now)
	case OpSetWeights:
		w, err := weightsFrom(op.Weights)
		if err != nil {
			return nil, err
		}
		return r.SetWeights(ctx, w, now), nil
	}
	return nil, invalidf("op kind %q", op.Kind)
}
