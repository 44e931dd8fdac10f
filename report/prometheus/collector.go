package prometheus

import (
	"context"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/parleyhq/parley"
	"github.com/parleyhq/parley/report"
	"github.com/parleyhq/parley/routing"
)

// Live is what the collector reads the live view from; *parley.Desk is
// one.
type Live interface {
	Live(ctx context.Context) (parley.LiveView, error)
}

// Options configure a [Collector]. The zero value is the default.
type Options struct {
	// Namespace prefixes every metric name; empty means "parley".
	Namespace string
	// Timeout bounds one reading of the live view; zero means 5 s.
	Timeout time.Duration
}

// Collector is a prometheus.Collector of a desk's live view and a report
// accumulator's figures (rules 1–4). It is safe for concurrent scrapes.
type Collector struct {
	live    Live
	acc     *report.Accumulator
	timeout time.Duration

	load, capacity, presence, convs                    *prom.Desc
	waiting, offered, oldest                           *prom.Desc
	started, moves, messages, optouts, offers, answers *prom.Desc
	handled                                            *prom.Desc
	times                                              map[string]*prom.Desc
}

// presences are every presence, for the state-set series of rule 1.
var presences = []routing.Presence{routing.Available, routing.Away, routing.Offline, routing.Draining}

// NewCollector returns a collector of live's view and acc's figures;
// either may be nil.
func NewCollector(live Live, acc *report.Accumulator, opts Options) *Collector {
	ns := opts.Namespace
	if ns == "" {
		ns = "parley"
	}
	desc := func(name, help string, labels ...string) *prom.Desc {
		return prom.NewDesc(prom.BuildFQName(ns, "", name), help, labels, nil)
	}
	c := &Collector{
		live: live, acc: acc, timeout: opts.Timeout,
		load:     desc("agent_load_points", "Points the agent holds now.", "agent"),
		capacity: desc("agent_capacity_points", "The agent's capacity in points.", "agent"),
		presence: desc("agent_presence", "1 for the agent's current presence, 0 for the others.", "agent", "presence"),
		convs:    desc("agent_conversations", "Conversations the agent holds (state held) or is offered (state offered).", "agent", "state"),
		waiting:  desc("queue_waiting", "Conversations waiting in the queue's inbox, unassigned and not offered.", "queue"),
		offered:  desc("queue_offered", "The queue's conversations offered to an agent who has not answered.", "queue"),
		oldest:   desc("queue_oldest_wait_seconds", "How long the queue's longest-waiting conversation has waited.", "queue"),
		started:  desc("conversations_started_total", "Conversations started, by the contact or the business.", "by"),
		moves:    desc("conversations_total", "Conversations assigned, transferred, sent to inbox, closed and handled, and open ones whose state the accumulator evicted (evicted).", "event"),
		messages: desc("messages_total", "Messages from the contact (in) and sent to the contact (out).", "direction"),
		optouts:  desc("optouts_total", "Keyword opt-outs and opt-ins.", "action"),
		offers:   desc("offers_total", "Offers by how they ended.", "outcome"),
		answers:  desc("conversations_answered_total", "First responses (answered), those within the service-level threshold (within) and conversations abandoned.", "outcome"),
		handled:  desc("agent_handled_total", "Conversations closed that the agent held last.", "agent"),
		times:    map[string]*prom.Desc{},
	}
	if c.timeout == 0 {
		c.timeout = 5 * time.Second
	}
	for _, name := range []string{"wait", "first_response", "response", "handle", "resolution", "wrap_up"} {
		c.times[name] = desc(name+"_seconds", "Durations of "+name+", as defined by package report.")
	}
	return c
}

// Describe sends every metric's description.
func (c *Collector) Describe(ch chan<- *prom.Desc) {
	for _, d := range []*prom.Desc{c.load, c.capacity, c.presence, c.convs, c.waiting, c.offered, c.oldest,
		c.started, c.moves, c.messages, c.optouts, c.offers, c.answers, c.handled} {
		ch <- d
	}
	for _, d := range c.times {
		ch <- d
	}
}

// Collect reads the live view and the figures and sends them.
func (c *Collector) Collect(ch chan<- prom.Metric) {
	if c.live != nil {
		c.collectLive(ch)
	}
	if c.acc != nil {
		c.collectFigures(ch)
	}
}

func (c *Collector) collectLive(ch chan<- prom.Metric) {
	ctx, cancel := context.WithTimeout(context.Background(), c.timeout)
	defer cancel()
	v, err := c.live.Live(ctx)
	if err != nil {
		ch <- prom.NewInvalidMetric(c.waiting, err)
		return
	}
	gauge := func(d *prom.Desc, v float64, labels ...string) {
		ch <- prom.MustNewConstMetric(d, prom.GaugeValue, v, labels...)
	}
	for _, a := range v.Agents {
		gauge(c.load, float64(a.Load), a.ID)
		gauge(c.capacity, float64(a.Capacity), a.ID)
		for _, p := range presences {
			on := 0.0
			if p == a.Presence {
				on = 1
			}
			gauge(c.presence, on, a.ID, p.String())
		}
		gauge(c.convs, float64(len(a.Held)), a.ID, "held")
		gauge(c.convs, float64(len(a.Offered)), a.ID, "offered")
	}
	for _, q := range v.Queues {
		gauge(c.waiting, float64(q.Waiting), q.Name)
		gauge(c.offered, float64(q.Offered), q.Name)
		gauge(c.oldest, q.OldestWait.Seconds(), q.Name)
	}
}

func (c *Collector) collectFigures(ch chan<- prom.Metric) {
	f := c.acc.Total()
	counter := func(d *prom.Desc, v int64, labels ...string) {
		ch <- prom.MustNewConstMetric(d, prom.CounterValue, float64(v), labels...)
	}
	counter(c.started, f.StartedByContact, "contact")
	counter(c.started, f.StartedByBusiness, "business")
	counter(c.moves, f.Assigned, "assigned")
	counter(c.moves, f.Transferred, "transferred")
	counter(c.moves, f.SentToInbox, "sent_to_inbox")
	counter(c.moves, f.Closed, "closed")
	counter(c.moves, f.Handled, "handled")
	counter(c.moves, f.Evicted, "evicted")
	counter(c.messages, f.MessagesIn, "in")
	counter(c.messages, f.MessagesOut, "out")
	counter(c.optouts, f.OptOuts, "opt_out")
	counter(c.optouts, f.OptIns, "opt_in")
	counter(c.offers, f.OffersAccepted, "accepted")
	counter(c.offers, f.OffersRejected, "rejected")
	counter(c.offers, f.OffersExpired, "expired")
	counter(c.answers, f.Answered, "answered")
	counter(c.answers, f.AnsweredWithin, "within")
	counter(c.answers, f.Abandoned, "abandoned")
	for agent, af := range c.acc.ByAgent() {
		counter(c.handled, af.Handled, agent)
	}
	for name, d := range map[string]*report.Durations{"wait": &f.Wait, "first_response": &f.FirstResponse, "response": &f.Response,
		"handle": &f.Handle, "resolution": &f.Resolution, "wrap_up": &f.WrapUp} {
		q := map[float64]float64{}
		for _, p := range []float64{0.5, 0.9, 0.99} {
			q[p] = d.Percentile(p).Seconds()
		}
		ch <- prom.MustNewConstSummary(c.times[name], uint64(d.Count), d.Sum.Seconds(), q)
	}
}

var _ prom.Collector = (*Collector)(nil)
