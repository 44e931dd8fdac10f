// Package parleytest provides deterministic test doubles for hosts that use
// parley, and conformance suites for the stores a host implements.
//
// The doubles are values passed in, never global setters: a [Clock] that
// only moves when told to, a recording [Transport] with failure injection,
// and a recording publisher.
//
// The suites (TestConversationStore, TestLedger and friends) take a factory
// that returns a fresh, empty store, and check every rule of the contract
// the store's interface documents. They use only the standard testing
// package, as testing/fstest does, so running them does not pull parley's
// own test dependencies into a host's module.
package parleytest
