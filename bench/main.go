// Command bench measures parley's hot paths beside peers and floors in one
// run and prints one Markdown table, the one docs/performance.md explains.
//
// It is its own module so that the peers it compares against never enter a
// user's dependency graph. Goals are ratios against a peer or a floor
// measured in the same run, because shared machines are noisy.
//
//	cd bench && go run .          # the full table, three rounds (a little over 2 minutes on 2 cores)
//	cd bench && go run . -quick   # one tiny pass of every row, as CI runs it
//	cd bench && go run . -json    # the same figures for machines
//	cd bench && go run . -postgres "$DSN"   # the PostgreSQL rows on that server (default $PARLEY_TEST_DSN)
//	cd bench && go run . -only scaleout     # some suites only
package main

import (
	"cmp"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"
)

// figures are one side of a comparison, as testing.Benchmark reports them.
type figures struct {
	NsPerOp     float64 `json:"ns_per_op"`
	BytesPerOp  int64   `json:"bytes_per_op"`
	AllocsPerOp int64   `json:"allocs_per_op"`
}

// row is one line of the table: a parley hot path beside its peer or floor.
type row struct {
	Path   string  `json:"path"`
	Parley figures `json:"parley"`
	Peer   string  `json:"peer"`
	Other  figures `json:"peer_figures"`
	Ratio  string  `json:"ratio"`
	Goal   string  `json:"goal"`
	OK     bool    `json:"ok"`

	// pick is how the row's rounds are combined (see combine); score is
	// what a medianScore row is ranked by.
	pick  pick
	score float64
}

// pick says which of a row's rounds the table shows. Rows are combined one
// by one, so two rows that print the same measurement (the 10 000-agent
// decision beside the scan and beside round robin) may show different
// rounds of it.
type pick uint8

const (
	// medianRound suits a ratio: another program's burst can land on
	// either side of it and move it either way, so the middle round is
	// the honest one. Rounds are ranked by parley's time over the peer's,
	// or by parley's bytes for a row without times.
	medianRound pick = iota
	// medianScore is medianRound ranked by the row's score, for a row
	// whose goal is a ratio its figures do not show.
	medianScore
	// fastestRound suits an absolute time: other work only ever slows a
	// run down, so the quickest round is the nearest to the code's own
	// cost.
	fastestRound
)

// rank is what a row's rounds are ordered by, lower being better for
// parley (see pick).
func (r row) rank() float64 {
	switch {
	case r.pick == medianScore:
		return r.score
	case r.pick == fastestRound:
		return r.Parley.NsPerOp
	case r.Other.NsPerOp > 0:
		return r.Parley.NsPerOp / r.Other.NsPerOp
	}
	return float64(r.Parley.BytesPerOp)
}

// rounds is how many times the full run measures every row. The rounds
// follow one another, so each row's are spread over the whole run rather
// than taken back to back: a neighbour's burst of a few seconds, which
// would spoil every repetition of a row measured within it, spoils one
// round of it.
const rounds = 3

// combine keeps, for each row, the round its pick names. Every round
// yields the same rows in the same order.
func combine(all [][]row) []row {
	key := func(r row) string { return r.Path + "\x00" + r.Peer }
	out := make([]row, len(all[0]))
	for i := range out {
		c := make([]row, len(all))
		for r := range all {
			if len(all[r]) != len(out) || key(all[r][i]) != key(all[0][i]) {
				panic(fmt.Sprintf("bench: round %d does not yield round 1's rows (row %d: %q)", r+1, i, key(all[0][i])))
			}
			c[r] = all[r][i]
		}
		slices.SortStableFunc(c, func(a, b row) int { return cmp.Compare(a.rank(), b.rank()) })
		if c[0].pick == fastestRound {
			out[i] = c[0]
		} else {
			out[i] = c[len(c)/2]
		}
	}
	return out
}

// options are what every suite is told about the run.
type options struct {
	quick bool
	// dsn is the PostgreSQL server the postgres rows run on; "" skips them.
	dsn string
}

// suites lists every comparison, in the order docs/performance.md gives,
// by the name -only picks them by.
var suites = []struct {
	name string
	rows func(options) []row
}{
	{"optout", optoutRows}, {"channel", channelRows}, {"template", templateRows}, {"routing", routingRows},
	{"desk", deskRows}, {"scale", scaleRows}, {"postgres", postgresRows}, {"scaleout", scaleOutRows}, {"report", reportRows},
}

func measure(f func(b *testing.B)) figures {
	r := testing.Benchmark(f)
	if r.N == 0 {
		return figures{}
	}
	return figures{
		NsPerOp:     float64(r.T.Nanoseconds()) / float64(r.N),
		BytesPerOp:  int64(r.MemBytes) / int64(r.N),
		AllocsPerOp: int64(r.MemAllocs) / int64(r.N),
	}
}

// fastest measures f runs times (once with -quick) and keeps the quickest
// run. Other work on a shared machine only ever slows a run down, so the
// quickest is the closest to the code's own cost; rows whose goal is an
// absolute time measure both of their sides this way.
func fastest(o options, runs int, f func(b *testing.B)) figures {
	if o.quick {
		runs = 1
	}
	best := measure(f)
	for range runs - 1 {
		if r := measure(f); r.NsPerOp < best.NsPerOp {
			best = r
		}
	}
	return best
}

// faster is how many times quicker parley ran than the peer: peer/parley.
func faster(parley, peer figures) float64 {
	if parley.NsPerOp == 0 {
		return 0
	}
	return peer.NsPerOp / parley.NsPerOp
}

// slower is parley's time as a multiple of the floor's: parley/floor.
func slower(parley, floor figures) float64 {
	if floor.NsPerOp == 0 {
		return 0
	}
	return parley.NsPerOp / floor.NsPerOp
}

func main() {
	if spec := os.Getenv(holdEnv); spec != "" {
		// A child of the failover rows: it holds the routing lock until
		// killed, and returns only when it could not take it.
		fmt.Fprintln(os.Stderr, "bench: lock holder:", holdLock(spec))
		os.Exit(1)
	}
	quick := flag.Bool("quick", false, "run every row once with a tiny benchtime (CI); goals are not judged")
	asJSON := flag.Bool("json", false, "print JSON instead of Markdown")
	only := flag.String("only", "", "run only these suites, comma-separated: optout, channel, template, routing, desk, scale, postgres, scaleout, report")
	dsn := flag.String("postgres", os.Getenv("PARLEY_TEST_DSN"), "PostgreSQL connection string for the postgres rows (default $PARLEY_TEST_DSN); each run works in a schema of its own and drops it")
	testing.Init()
	flag.Parse()
	benchtime := "300ms"
	if *quick {
		benchtime = "1x"
	}
	if err := flag.Set("test.benchtime", benchtime); err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(2)
	}

	n := rounds
	if *quick {
		n = 1
	}
	all := make([][]row, n)
	for r := range all {
		for _, s := range suites {
			if *only != "" && !slices.Contains(strings.Split(*only, ","), s.name) {
				continue
			}
			start := time.Now()
			got := s.rows(options{quick: *quick, dsn: *dsn})
			fmt.Fprintf(os.Stderr, "bench: round %d of %d: %s: %d rows in %s\n", r+1, n, strings.TrimSuffix(got[0].Path[:strings.IndexAny(got[0].Path, " ,")], "."), len(got), time.Since(start).Round(time.Millisecond))
			all[r] = append(all[r], got...)
		}
	}
	rows := combine(all)

	if *asJSON {
		enc := json.NewEncoder(os.Stdout)
		enc.SetIndent("", "  ")
		if err := enc.Encode(rows); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	} else {
		printTable(rows, *quick)
	}
	if !*quick {
		for _, r := range rows {
			if !r.OK {
				os.Exit(1)
			}
		}
	}
}

func printTable(rows []row, quick bool) {
	var b strings.Builder
	b.WriteString("| hot path | parley ns/op | B/op | allocs/op | peer or floor | ns/op | B/op | allocs/op | ratio | goal | ok |\n")
	b.WriteString("| --- | ---: | ---: | ---: | --- | ---: | ---: | ---: | ---: | --- | :---: |\n")
	for _, r := range rows {
		mark := "✔"
		switch {
		case quick:
			mark = "–"
		case !r.OK:
			mark = "✘"
		}
		fmt.Fprintf(&b, "| %s | %s | %d | %d | %s | %s | %d | %d | %s | %s | %s |\n",
			r.Path, ns(r.Parley.NsPerOp), r.Parley.BytesPerOp, r.Parley.AllocsPerOp,
			r.Peer, ns(r.Other.NsPerOp), r.Other.BytesPerOp, r.Other.AllocsPerOp,
			r.Ratio, r.Goal, mark)
	}
	fmt.Print(b.String())
}

func ns(v float64) string {
	switch {
	case v == 0:
		return "–"
	case v < 10:
		return fmt.Sprintf("%.2f", v)
	case v < 100:
		return fmt.Sprintf("%.1f", v)
	default:
		return fmt.Sprintf("%.0f", v)
	}
}
