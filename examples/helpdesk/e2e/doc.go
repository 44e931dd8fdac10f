// Package e2e holds the helpdesk example's browser tests: they start the
// console in-process and drive Debian's Chromium, headless, through the
// customer phone, the agent console and the supervisor view. It is a
// module of its own so that the library does not depend on chromedp.
//
//	cd examples/helpdesk/e2e && go test -count=1 ./...
//
// With CI=true a missing Chromium fails the tests; elsewhere they skip.
// Screenshots go to $PARLEY_ARTIFACTS, or to a temporary directory whose
// path the tests log.
package e2e
