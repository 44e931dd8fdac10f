// Package routingtest is the conformance suite for implementations of
// [routing.Ledger], the shared record of capacity reservations that keeps
// agents within capacity when several processes route the same agents: a
// host that shares capacity through its own database proves its ledger
// keeps the contract with one call to [Run] from its tests.
//
//	func TestLedger(t *testing.T) {
//		routingtest.Run(t, func(t *testing.T) routing.Ledger {
//			db := openTestDatabase(t) // registers its own t.Cleanup
//			return mystore.NewLedger(db)
//		})
//	}
//
// # What it proves
//
// [routing.Ledger] has no optional interfaces; every rule is required.
//
//   - Reserve charges the weight when the agent's load stays within
//     capacity, and otherwise fails with [routing.ErrOverCapacity] and
//     changes nothing. Load counts only the agent's own reservations.
//   - Reserving again for the same agent replaces the weight under the same
//     capacity check; the same weight again is a no-op, so retries are safe.
//   - A conversation reserved for another agent fails with
//     [routing.ErrAlreadyReserved]; a weight or capacity below 1 with
//     [routing.ErrInvalid].
//   - Release returns exactly the weight charged; releasing a conversation
//     with no reservation returns 0 and no error, so Release is idempotent,
//     and a released conversation may be reserved anew by any agent.
//   - Reserve is atomic: concurrent reservations never over-commit an
//     agent.
//
// # Failures
//
// Each rule runs as its own subtest, on a fresh ledger, and a failure
// quotes the rule it broke:
//
//	--- FAIL: TestLedger/refuse_over_capacity
//	    rule "over capacity returns ErrOverCapacity and changes nothing" broken: ...
//
// The package imports only the standard library and the contract packages
// it tests, so running it adds nothing to a host's module.
package routingtest
