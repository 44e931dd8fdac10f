package prometheus_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/channel"
	"github.com/parleyhq/parley/parleytest"
	"github.com/parleyhq/parley/report"
	promreport "github.com/parleyhq/parley/report/prometheus"
	"github.com/parleyhq/parley/routing"
)

// A desk with one answered conversation and one waiting: the collector
// shows the live view (rule 1), the counters (rule 2) and the times (rule
// 3) under the namespace (rule 4).
func TestCollector(t *testing.T) {
	cfg := parley.Config{
		Touchpoints: []parley.Touchpoint{{ID: "sms", Kind: channel.SMS, Address: "+14155550001", Queues: []string{"support"}}},
		Agents:      []routing.Agent{{ID: "ana", Queues: []string{"support"}}},
	}
	acc, err := report.New(report.Config{Touchpoints: cfg.Touchpoints, Agents: cfg.Agents})
	require.NoError(t, err)
	cfg.Publisher = acc
	f := parleytest.NewDesk(t, cfg)
	ctx := context.Background()
	rc, err := f.Receive(ctx, parley.Inbound{Touchpoint: "sms", From: channel.Address{Kind: channel.SMS, ID: "+14155550101"}, ProviderID: "p1", Text: "hi"})
	require.NoError(t, err)
	f.Clock.Advance(time.Minute)
	require.NoError(t, f.Assign(ctx, "ana", rc.Conversation.ID, "ana"))
	f.Clock.Advance(30 * time.Second)
	_, err = f.Reply(ctx, "ana", rc.Conversation.ID, "hello")
	require.NoError(t, err)
	_, err = f.Receive(ctx, parley.Inbound{Touchpoint: "sms", From: channel.Address{Kind: channel.SMS, ID: "+14155550102"}, ProviderID: "p2", Text: "hey"})
	require.NoError(t, err)
	f.Clock.Advance(2 * time.Minute)

	c := promreport.NewCollector(f.Desk, acc, promreport.Options{})
	require.NoError(t, testutil.CollectAndCompare(c, strings.NewReader(`
# HELP parley_agent_load_points Points the agent holds now.
# TYPE parley_agent_load_points gauge
parley_agent_load_points{agent="ana"} 5
# HELP parley_agent_conversations Conversations the agent holds (state held) or is offered (state offered).
# TYPE parley_agent_conversations gauge
parley_agent_conversations{agent="ana",state="held"} 1
parley_agent_conversations{agent="ana",state="offered"} 0
# HELP parley_agent_presence 1 for the agent's current presence, 0 for the others.
# TYPE parley_agent_presence gauge
parley_agent_presence{agent="ana",presence="available"} 1
parley_agent_presence{agent="ana",presence="away"} 0
parley_agent_presence{agent="ana",presence="draining"} 0
parley_agent_presence{agent="ana",presence="offline"} 0
# HELP parley_queue_waiting Conversations waiting in the queue's inbox, unassigned and not offered.
# TYPE parley_queue_waiting gauge
parley_queue_waiting{queue="support"} 1
# HELP parley_queue_oldest_wait_seconds How long the queue's longest-waiting conversation has waited.
# TYPE parley_queue_oldest_wait_seconds gauge
parley_queue_oldest_wait_seconds{queue="support"} 120
# HELP parley_conversations_started_total Conversations started, by the contact or the business.
# TYPE parley_conversations_started_total counter
parley_conversations_started_total{by="business"} 0
parley_conversations_started_total{by="contact"} 2
# HELP parley_messages_total Messages from the contact (in) and sent to the contact (out).
# TYPE parley_messages_total counter
parley_messages_total{direction="in"} 2
parley_messages_total{direction="out"} 1
# HELP parley_agent_handled_total Conversations closed that the agent held last.
# TYPE parley_agent_handled_total counter
parley_agent_handled_total{agent="ana"} 0
# HELP parley_first_response_seconds Durations of first_response, as defined by package report.
# TYPE parley_first_response_seconds summary
parley_first_response_seconds{quantile="0.5"} 90
parley_first_response_seconds{quantile="0.9"} 90
parley_first_response_seconds{quantile="0.99"} 90
parley_first_response_seconds_sum 90
parley_first_response_seconds_count 1
`), "parley_agent_load_points", "parley_agent_conversations", "parley_agent_presence", "parley_queue_waiting",
		"parley_queue_oldest_wait_seconds", "parley_conversations_started_total", "parley_messages_total", "parley_first_response_seconds", "parley_agent_handled_total"))

	// Rule 2: assigned, transferred, sent to inbox, closed, handled and
	// evicted.
	assert.Equal(t, 6, testutil.CollectAndCount(c, "parley_conversations_total"))

	problems, err := testutil.CollectAndLint(c)
	require.NoError(t, err)
	assert.Empty(t, problems)

	reg := prom.NewPedanticRegistry()
	require.NoError(t, reg.Register(c), "descriptions and metrics agree")
	_, err = reg.Gather()
	require.NoError(t, err)
}

type failingLive struct{}

func (failingLive) Live(context.Context) (parley.LiveView, error) {
	return parley.LiveView{}, errors.New("store down")
}

// Rule 1: a failed reading fails the scrape rather than show stale
// figures; either source may be nil.
func TestCollectorFailure(t *testing.T) {
	reg := prom.NewPedanticRegistry()
	require.NoError(t, reg.Register(promreport.NewCollector(failingLive{}, nil, promreport.Options{Namespace: "desk"})))
	_, err := reg.Gather()
	assert.ErrorContains(t, err, "store down")

	acc, err := report.New(report.Config{})
	require.NoError(t, err)
	assert.Equal(t, 24, testutil.CollectAndCount(promreport.NewCollector(nil, acc, promreport.Options{})), "18 counters and 6 summaries")
}
