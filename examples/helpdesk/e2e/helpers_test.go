package e2e

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/require"

	"github.com/parleyhq/parley/internal/helpdesk"
)

// chromium is where Debian installs the browser (.ci/run installs it).
const chromium = "/usr/bin/chromium"

// wait bounds every wait for the page; the clock's own waits are far
// shorter.
const wait = 15 * time.Second

// morning is the Desk's clock at the start of every test: a Monday.
var morning = time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC)

// env is one console server with a headless browser driving it.
type env struct {
	t       *testing.T
	srv     *helpdesk.Server
	url     string
	browser context.Context
}

// start serves a fresh console (memory stores, a clock from morning that
// ticks ten times a second) and starts Chromium. Without Chromium the test
// fails in CI (CI=true) and is skipped elsewhere.
func start(t *testing.T) *env {
	t.Helper()
	path := chromium
	if _, err := os.Stat(path); err != nil {
		p, lerr := exec.LookPath("chromium")
		if lerr != nil {
			if os.Getenv("CI") == "true" {
				t.Fatalf("chromium is required in CI (apt-get install chromium): %v", err)
			}
			t.Skipf("no chromium (%v): the browser tests need Debian's chromium package", err)
		}
		path = p
	}
	srv, err := helpdesk.New(helpdesk.Options{Clock: helpdesk.NewClock(morning, 1), TickEvery: 100 * time.Millisecond})
	require.NoError(t, err)
	hs := httptest.NewServer(srv)
	t.Cleanup(hs.Close)
	runCtx, stopRun := context.WithCancel(context.Background())
	t.Cleanup(stopRun)
	go func() { _ = srv.Run(runCtx) }()

	alloc, cancelAlloc := chromedp.NewExecAllocator(context.Background(),
		chromedp.ExecPath(path), chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU,
		chromedp.Flag("no-first-run", true), chromedp.WindowSize(1400, 900))
	t.Cleanup(cancelAlloc)
	browser, cancelBrowser := chromedp.NewContext(alloc)
	t.Cleanup(cancelBrowser)
	require.NoError(t, chromedp.Do(browser), "start chromium")
	return &env{t: t, srv: srv, url: hs.URL, browser: browser}
}

// open opens path in a new tab and waits for its body.
func (e *env) open(path string) context.Context {
	e.t.Helper()
	tab, cancel := chromedp.NewContext(e.browser)
	e.t.Cleanup(cancel)
	// The tab lives as long as the context its first action ran on: not
	// one of do's timeouts.
	require.NoError(e.t, chromedp.Do(tab))
	e.do(tab, chromedp.Navigate(e.url+path), chromedp.WaitReady(chromedp.CSS("body")))
	return tab
}

// console opens the agent console as agent, with its event stream live.
func (e *env) console(agent string) context.Context {
	tab := e.open("/console?agent=" + agent)
	e.until(tab, `document.body.dataset.live === "1" && !!document.body.dataset.refreshed`)
	return tab
}

// phone opens the customer phone as contact on channel.
func (e *env) phone(contact, channel string) context.Context {
	tab := e.open("/phone?contact=" + contact + "&channel=" + channel)
	e.until(tab, `document.body.dataset.loaded !== undefined`)
	return tab
}

func (e *env) do(tab context.Context, steps ...chromedp.Action[chromedp.Void]) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(tab, 2*wait)
	defer cancel()
	require.NoError(e.t, chromedp.Do(ctx, steps...))
}

// until waits for a JavaScript condition to hold in tab.
func (e *env) until(tab context.Context, expr string) {
	e.t.Helper()
	ctx, cancel := context.WithTimeout(tab, 2*wait)
	defer cancel()
	// A condition on an element not rendered yet throws: that is "not yet".
	guarded := fmt.Sprintf(`(() => { try { return !!(%s); } catch (e) { return false; } })()`, expr)
	deadline := time.Now().Add(wait)
	var err error
	for {
		_, err = chromedp.Run(ctx, chromedp.Poll[chromedp.Void](guarded, chromedp.WithPollingTimeout(time.Until(deadline)),
			chromedp.WithPollingInterval(50*time.Millisecond)))
		// A page navigating away (a new agent picked) ends the poll with
		// an error: poll the next page.
		if err == nil || time.Until(deadline) < 100*time.Millisecond {
			break
		}
		time.Sleep(50 * time.Millisecond)
	}
	if err != nil {
		body, _ := chromedp.Run(tab, chromedp.Evaluate[string](`document.body.innerText`))
		e.shot(tab, "failed-"+sanitize(e.t.Name()))
		e.t.Fatalf("waiting for %s: %v\npage text:\n%s", expr, err, body)
	}
}

// eval runs JavaScript in tab and returns its value.
func eval[T any](e *env, tab context.Context, expr string) T {
	e.t.Helper()
	v, err := chromedp.Run(tab, chromedp.Evaluate[T](expr))
	require.NoError(e.t, err, expr)
	return v
}

// say writes text on the phone and waits for the webhook's answer, which
// it returns (200 accepted, 403 refused).
func (e *env) say(phone context.Context, text string) int {
	e.t.Helper()
	e.do(phone, chromedp.Evaluate[chromedp.Void](`document.getElementById("webhook-status").dataset.status = ""`),
		chromedp.SetValue(chromedp.ID("text"), text), chromedp.Click(chromedp.ID("send")))
	e.until(phone, `!!document.getElementById("webhook-status").dataset.status`)
	return eval[int](e, phone, `Number(document.getElementById("webhook-status").dataset.status)`)
}

// click clicks the element the CSS selector picks.
func (e *env) click(tab context.Context, css string) {
	e.t.Helper()
	e.do(tab, chromedp.Click(chromedp.CSS(css)))
}

// pick opens the conversation of the list whose entry contains text.
func (e *env) pick(tab context.Context, tabName, text string) {
	e.t.Helper()
	e.click(tab, "#tab-"+tabName)
	e.until(tab, fmt.Sprintf(`[...document.querySelectorAll("#list .conv")].some((li) => li.innerText.includes(%q))`, text))
	e.do(tab, chromedp.Evaluate[chromedp.Void](fmt.Sprintf(`[...document.querySelectorAll("#list .conv")].find((li) => li.innerText.includes(%q)).click()`, text)))
	e.until(tab, fmt.Sprintf(`!document.getElementById("conv").hidden && document.getElementById("conv-title").innerText.includes(%q)`, text))
}

// text returns the inner text of the element the CSS selector picks.
func (e *env) text(tab context.Context, css string) string {
	e.t.Helper()
	return eval[string](e, tab, fmt.Sprintf(`(document.querySelector(%q) || {innerText: ""}).innerText`, css))
}

// api calls the console's JSON API directly, for what a test checks
// outside the page.
func (e *env) api(path string, v any) {
	e.t.Helper()
	resp, err := http.Get(e.url + path)
	require.NoError(e.t, err)
	defer resp.Body.Close()
	require.Equal(e.t, http.StatusOK, resp.StatusCode, path)
	require.NoError(e.t, json.NewDecoder(resp.Body).Decode(v))
}

// postJSON posts body to the console's JSON API and returns the status
// and the answer.
func (e *env) postJSON(path, body string) (int, map[string]any) {
	e.t.Helper()
	resp, err := http.Post(e.url+path, "application/json", strings.NewReader(body))
	require.NoError(e.t, err)
	defer resp.Body.Close()
	var out map[string]any
	_ = json.NewDecoder(resp.Body).Decode(&out)
	return resp.StatusCode, out
}

var (
	artifactsOnce sync.Once
	artifactsDir  string
)

// artifacts is where screenshots go: $PARLEY_ARTIFACTS, or a temporary
// directory kept after the run.
func artifacts(t *testing.T) string {
	artifactsOnce.Do(func() {
		artifactsDir = os.Getenv("PARLEY_ARTIFACTS")
		if artifactsDir == "" {
			artifactsDir, _ = os.MkdirTemp("", "parley-helpdesk-e2e-")
		}
		_ = os.MkdirAll(artifactsDir, 0o755)
	})
	return artifactsDir
}

// shot saves a PNG screenshot of tab as name.png and logs its path.
func (e *env) shot(tab context.Context, name string) string {
	e.t.Helper()
	png, err := chromedp.Run(tab, chromedp.FullScreenshot(100))
	if err != nil {
		e.t.Logf("screenshot %s: %v", name, err)
		return ""
	}
	path := filepath.Join(artifacts(e.t), name+".png")
	require.NoError(e.t, os.WriteFile(path, png, 0o644))
	e.t.Logf("screenshot: %s", path)
	return path
}

func sanitize(s string) string {
	return strings.NewReplacer("/", "-", " ", "_").Replace(s)
}
