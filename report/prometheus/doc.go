// Package prometheus exposes a parley desk's live view and its report's
// figures to Prometheus, through a [Collector] the host registers:
//
//	acc, _ := report.New(report.Config{Touchpoints: cfg.Touchpoints, Agents: cfg.Agents})
//	cfg.Publisher = report.Tee(myPublisher, report.NewRecorder(log, acc)) // log: a report.Log
//	desk, _ := parley.New(cfg)
//	prometheus.MustRegister(promreport.NewCollector(desk, acc, promreport.Options{}))
//
// It is a module of its own, github.com/parleyhq/parley/report/prometheus,
// so that only the hosts that use Prometheus depend on its client.
//
// # Rules
//
//  1. Gauges are read at scrape time from [parley.Desk.Live]: each agent's
//     load and capacity in points, its presence (one series per presence,
//     1 for the current one), its held and offered conversations; each
//     queue's waiting and offered conversations and its oldest wait in
//     seconds. A failed reading is reported as an invalid metric, which
//     fails the scrape rather than show stale figures.
//  2. Counters are the accumulator's totals since it started (or was
//     rebuilt): conversations started (by contact, by business),
//     assigned, transferred, sent to inbox, closed, handled, evicted
//     (open conversations whose state the accumulator dropped), answered,
//     answered within the service-level threshold, abandoned; messages
//     in and out; opt-outs and opt-ins; offers by outcome; and each
//     agent's conversations handled (the leaderboard's first column).
//  3. Times are summaries in seconds, with quantiles 0.5, 0.9 and 0.99
//     from the accumulator's fixed-size sketches (within 12.5 %): wait,
//     first response, response, handle, resolution and wrap-up.
//  4. Names start with Options.Namespace, "parley" by default; labels are
//     agent, queue, presence, state, by, direction, action and outcome.
//
// Either source may be nil: a collector of the live view alone, or of the
// figures alone.
package prometheus
