// Package parleytest provides deterministic test doubles for hosts that test
// code built on a [parley.Desk].
//
// The doubles are values passed in, never global setters: a [Clock] that
// moves only when told to, a recording [Transport] with failure injection,
// a recording [Publisher], and [NewDesk], which wires them into a ready
// desk wherever the configuration leaves a seam unset.
//
// The conformance suites for the stores a host implements sit beside their
// contracts: conversationtest.Run for conversation.Store, optouttest.Run
// for optout.Store and routingtest.Run for routing.Ledger.
package parleytest
