package routing

import "context"

// Ledger is the shared record of capacity reservations that keeps agents
// within capacity across processes. A router selects an
// agent optimistically from its own view and commits the choice through
// Reserve; when Reserve refuses, another process won the room and the
// router tries the next candidate.
//
// Implementations must be safe for concurrent use, and Reserve must be
// atomic with respect to every other call on the same store, whichever
// process makes it. memory.Ledger is the in-process implementation;
// routingtest.Run checks any implementation against this contract.
type Ledger interface {
	// Reserve charges weight points to agentID for conversationID if the
	// agent's load, counted over every conversation reserved for it, stays
	// within capacity.
	//
	//   - Over capacity: returns an error matching ErrOverCapacity and
	//     changes nothing.
	//   - Already reserved for the same agent: the reservation's weight is
	//     replaced, atomically and under the same capacity check (this is
	//     how a conversation escalated to voice is re-weighed); reserving
	//     the same weight again is a no-op, so retries are safe.
	//   - Already reserved for another agent: returns an error matching
	//     ErrAlreadyReserved and changes nothing.
	//   - weight < 1 or capacity < 1: returns an error matching ErrInvalid.
	Reserve(ctx context.Context, agentID, conversationID string, weight, capacity int) error

	// Release frees conversationID's reservation and returns the weight it
	// held: exactly the weight charged, whatever weights are configured
	// now. Releasing a conversation with no reservation returns 0 and no
	// error, so Release is idempotent.
	Release(ctx context.Context, conversationID string) (weight int, err error)

	// Load returns the points reserved for agentID; 0 for an agent with
	// none.
	Load(ctx context.Context, agentID string) (int, error)
}
