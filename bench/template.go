package main

import (
	"cmp"
	"errors"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	texttemplate "text/template"

	"github.com/cbroglie/mustache"
	"github.com/osteele/liquid"
	"github.com/valyala/fasttemplate"

	"github.com/parleyhq/parley/template"
)

// The template case: a snippet rendering to about 90 bytes, with 4
// variables.
const (
	tplBody = "Hi {{contact.first_name}}, this is {{agent.name}} from {{company}}. Your order {{order.id}} ships today, reply here with questions."
	tplWant = "Hi Ana, this is Bruno from Acme. Your order A-1042 ships today, reply here with questions."
	// tplDefault has the first variable's default take effect.
	tplDefault     = `Hi {{contact.first_name | default: "there"}}, this is {{agent.name}} from {{company}}. Your order {{order.id}} ships today, reply here with questions.`
	tplDefaultWant = "Hi there, this is Bruno from Acme. Your order A-1042 ships today, reply here with questions."
)

// tplPath names the rows that render the case.
var tplPath = fmt.Sprintf("template Render (%d B, 4 vars)", len(tplWant))

var tplVars = map[string]string{
	"contact.first_name": "Ana",
	"agent.name":         "Bruno",
	"company":            "Acme",
	"order.id":           "A-1042",
}

// sinkString keeps the compiler from discarding a benchmarked result.
//
//lint:ignore U1000 written by the timed loops, read by nobody on purpose
var sinkString string

// peer is one engine rendering the case: a render function that has been
// checked, before any timing, to produce tplWant exactly.
type peer struct {
	name   string
	render func() (string, error)
}

func templateRows(o options) []row {
	parley := template.MustParse(tplBody)
	parleyDefault := template.MustParse(tplDefault)
	noFirst := map[string]string{"agent.name": "Bruno", "company": "Acme", "order.id": "A-1042"}

	peers, err := templatePeers()
	if err != nil {
		fmt.Fprintln(os.Stderr, "bench: template peers:", err)
		os.Exit(1)
	}
	mustEqual("parley Render", func() (string, error) { return parley.Render(tplVars) }, tplWant)
	mustEqual("parley Render with default", func() (string, error) { return parleyDefault.Render(noFirst) }, tplDefaultWant)
	buf, err := parley.AppendRender(nil, tplVars)
	mustEqual("parley AppendRender", func() (string, error) { return string(buf), err }, tplWant)
	for _, p := range peers {
		mustEqual(p.name, p.render, tplWant)
	}
	mustEqual("hand-written", func() (string, error) { return handRender(tplVars) }, tplWant)

	render := func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkString, _ = parley.Render(tplVars)
		}
	}
	// copyFloor makes the result by copying it ready-made: the least any
	// engine does to return it.
	copyFloor := func(want string) func(b *testing.B) {
		src := []byte(want)
		return func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString = string(src)
			}
		}
	}
	floor := copyFloor(tplWant)

	// The goal row: Render beside the hand-written code for this snippet,
	// with the copy floor timed in the same set and shown for reference.
	h := together(o, render, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkString, _ = handRender(tplVars)
		}
	}, floor)
	rows := []row{handWrittenRow(h[0], h[1], h[2])}

	// Copy-floor rows, reported: each is the median of tplPairs
	// back-to-back pairs (see pairs).
	r, f := pairs(o, render, floor)
	rows = append(rows, copyFloorRow(tplPath, r, f))
	d, f := pairs(o, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkString, _ = parleyDefault.Render(noFirst)
		}
	}, copyFloor(tplDefaultWant))
	rows = append(rows, copyFloorRow("template Render, default taking effect", d, f))
	dst := make([]byte, 0, 256)
	a, af := pairs(o, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst, _ = parley.AppendRender(dst[:0], tplVars)
		}
	}, func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			dst = append(dst[:0], tplWant...)
		}
	})
	rows = append(rows, row{
		Path: "template AppendRender into a caller's buffer", Parley: a, Peer: "append-the-result floor", Other: af,
		Ratio: fmt.Sprintf("%.2f× floor", slower(a, af)), Goal: "0 allocs",
		OK: a.AllocsPerOp == 0,
	})

	// Peer rows, each timed right after a fresh parley run.
	goals := map[string]float64{"valyala/fasttemplate": 1.3, "text/template": 8}
	for _, p := range peers {
		pf := measure(func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkString, _ = p.render()
			}
		})
		r := measure(render)
		want, judged := goals[p.name]
		goal := fmt.Sprintf("≥ %.1f× %s", want, p.name)
		if !judged {
			want, goal = 1, "faster (reported)"
		}
		rows = append(rows, row{
			Path: "template Render", Parley: r, Peer: p.name, Other: pf,
			Ratio: fmt.Sprintf("%.1f× faster", faster(r, pf)), Goal: goal,
			OK: faster(r, pf) >= want,
		})
	}
	return rows
}

// tplPairs is how many sets together measures for each template floor
// row in each round (see rounds).
const tplPairs = 3

// pairs measures a and b back to back, tplPairs times (once with -quick),
// and returns the pair whose ratio a/b is the median (see together).
func pairs(o options, a, b func(*testing.B)) (figures, figures) {
	m := together(o, a, b)
	return m[0], m[1]
}

// together measures fs (two or more) one after another, tplPairs times
// (once with -quick), and returns the set whose ratio fs[0]/fs[1] is the
// median. Each set's runs share the load of the moment on a shared
// machine, and the median set drops those a neighbour's burst distorted;
// every side is treated alike, and the figures shown are the ones the
// ratio comes from. Any further side is simply that set's: its own ratios
// are not medians.
func together(o options, fs ...func(*testing.B)) []figures {
	n := tplPairs
	if o.quick {
		n = 1
	}
	sets := make([][]figures, n)
	for i := range sets {
		for _, f := range fs {
			sets[i] = append(sets[i], measure(f))
		}
	}
	slices.SortFunc(sets, func(x, y []figures) int { return cmp.Compare(slower(x[0], x[1]), slower(y[0], y[1])) })
	return sets[len(sets)/2]
}

// handWrittenGoal is Render's time goal: at most this multiple of the
// hand-written code for the same snippet, the least a render from a map
// can cost.
const handWrittenGoal = 1.1

// handWrittenRow judges Render (render) against the hand-written code
// (hand) timed in the same set as the copy floor (floor), whose time the
// ratio column shows for reference.
func handWrittenRow(render, hand, floor figures) row {
	s := slower(render, hand)
	return row{
		Path: tplPath, Parley: render,
		Peer: "hand-written code for this one snippet: 4 lookups, one concatenation", Other: hand,
		Ratio: fmt.Sprintf("%.2f× the hand-written; the hand-written takes %.2f× the copy floor's %s ns", s, slower(hand, floor), ns(floor.NsPerOp)),
		Goal:  fmt.Sprintf("≤ %.1f× the hand-written, 1 alloc", handWrittenGoal),
		OK:    s <= handWrittenGoal && render.AllocsPerOp == 1,
	}
}

// copyFloorRow reports a render (r) beside copying its result ready-made
// (f). The ratio has no goal: on a shared machine the one allocation both
// sides make swings by more than the engine's own work. The row still
// checks that the render allocates once, as the copy does.
func copyFloorRow(path string, r, f figures) row {
	return row{
		Path: path, Parley: r, Peer: "copy-the-result floor", Other: f,
		Ratio: fmt.Sprintf("%.2f× floor", slower(r, f)), Goal: "1 alloc; the time is reported, no goal",
		OK: r.AllocsPerOp == 1,
	}
}

// templatePeers prepares each peer with the same case in its own syntax.
func templatePeers() ([]peer, error) {
	anyVars := make(map[string]any, len(tplVars))
	for k, v := range tplVars {
		anyVars[k] = v
	}
	// Liquid and mustache resolve dotted names through nested maps.
	nested := map[string]any{
		"contact": map[string]any{"first_name": "Ana"},
		"agent":   map[string]any{"name": "Bruno"},
		"company": "Acme",
		"order":   map[string]any{"id": "A-1042"},
	}

	ft, err := fasttemplate.NewTemplate(tplBody, "{{", "}}")
	if err != nil {
		return nil, fmt.Errorf("fasttemplate: %w", err)
	}
	tt, err := texttemplate.New("t").Option("missingkey=error").Parse(
		strings.NewReplacer(
			"{{contact.first_name}}", `{{index . "contact.first_name"}}`,
			"{{agent.name}}", `{{index . "agent.name"}}`,
			"{{company}}", `{{index . "company"}}`,
			"{{order.id}}", `{{index . "order.id"}}`,
		).Replace(tplBody))
	if err != nil {
		return nil, fmt.Errorf("text/template: %w", err)
	}
	lq, err := liquid.NewEngine().ParseString(tplBody)
	if err != nil {
		return nil, fmt.Errorf("liquid: %w", err)
	}
	ms, err := mustache.ParseString(tplBody)
	if err != nil {
		return nil, fmt.Errorf("mustache: %w", err)
	}
	return []peer{
		{"valyala/fasttemplate", func() (string, error) { return ft.ExecuteString(anyVars), nil }},
		{"text/template", func() (string, error) {
			var b strings.Builder
			err := tt.Execute(&b, tplVars)
			return b.String(), err
		}},
		{"osteele/liquid", func() (string, error) {
			s, err := lq.RenderString(nested)
			if err != nil {
				return "", err
			}
			return s, nil
		}},
		{"cbroglie/mustache", func() (string, error) { return ms.Render(nested) }},
	}, nil
}

// handRender is what a developer writes for this one snippet without an
// engine: the four lookups and one concatenation, which Go makes with a
// single allocation of the exact size and a copy per piece. Like Render,
// it refuses an empty value. It is Render's floor, since Render takes its
// variables as a map: Render's time beyond it is what the engine adds.
func handRender(vars map[string]string) (string, error) {
	first, agent, company, order := vars["contact.first_name"], vars["agent.name"], vars["company"], vars["order.id"]
	if first == "" || agent == "" || company == "" || order == "" {
		return "", errors.New("a variable is missing")
	}
	return "Hi " + first + ", this is " + agent + " from " + company + ". Your order " + order + " ships today, reply here with questions.", nil
}

// mustEqual stops the run when an engine's text differs from want: a row
// is only meaningful when every side produces the identical message.
func mustEqual(name string, render func() (string, error), want string) {
	got, err := render()
	if err != nil || got != want {
		fmt.Fprintf(os.Stderr, "bench: %s rendered %q (err %v), want %q\n", name, got, err, want)
		os.Exit(1)
	}
}
