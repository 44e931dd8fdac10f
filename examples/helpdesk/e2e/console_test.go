package e2e

import (
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestPresenceAndOffers: the presence switch takes an agent out of
// routing; Messenger's automatic routing offers a conversation to the
// available agent, who sees the countdown and rejects or accepts it. A
// rejected conversation no one else can take waits in the inbox, with its
// touchpoint's priority.
func TestPresenceAndOffers(t *testing.T) {
	e := start(t)
	ben := e.console("ben")
	ana := e.console("ana")
	e.do(ben, chromedp.SetValue(chromedp.ID("presence"), "away"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("presence").dispatchEvent(new Event("change"))`))
	sup := e.open("/supervisor")
	e.until(sup, `document.querySelector('#agents tr[data-agent="ben"]').innerText.includes("away")`)

	aiko := e.phone("aiko", "messenger")
	require.Equal(t, http.StatusOK, e.say(aiko, "Do you ship to Japan?"))
	e.until(ana, `[...document.querySelectorAll("#offers .offer")].some((o) => o.innerText.includes("Aiko Tanaka"))`)
	countdown := e.text(ana, "#offers .countdown")
	assert.Regexp(t, regexp.MustCompile(`^\d+ s$`), countdown)
	e.shot(ana, "06-console-offer")
	e.click(ana, "#offers .offer .reject")
	e.until(ana, `document.querySelectorAll("#offers .offer").length === 0`)

	// Nobody else may take it (ben away, sam offline): it waits in the
	// inbox, Messenger's priority 1 on it, its message unread.
	e.pick(ana, "inbox", "Aiko Tanaka")
	entry := eval[string](e, ana, `[...document.querySelectorAll("#list .conv")].find((li) => li.innerText.includes("Aiko")).innerHTML`)
	assert.Contains(t, entry, `class="prio"`)
	assert.Contains(t, entry, `class="bubble"`)
	assert.Contains(t, entry, `icon messenger`)

	john := e.phone("john", "messenger")
	require.Equal(t, http.StatusOK, e.say(john, "Is the store open on Sunday?"))
	e.until(ana, `[...document.querySelectorAll("#offers .offer")].some((o) => o.innerText.includes("John Smith"))`)
	e.click(ana, "#offers .offer .accept")
	e.until(ana, `document.getElementById("conv-title").innerText === "John Smith" && document.getElementById("conv-status").innerText === "assigned"`)
}

// TestInboxSortSearchAndBubbles: the inbox lists the agent's queues'
// waiting conversations oldest or newest first, with unread bubbles and
// channel icons, and searches by name, number and e-mail.
func TestInboxSortSearchAndBubbles(t *testing.T) {
	e := start(t)
	for _, c := range []string{"maria", "john", "aiko"} {
		require.Equal(t, http.StatusOK, e.say(e.phone(c, "sms"), "Hello from "+c))
	}
	cleo := e.console("cleo") // billing: the SMS line's queue
	names := func() string {
		return eval[string](e, cleo, `[...document.querySelectorAll("#list .conv .name")].map((n) => n.innerText.trim()).join(",")`)
	}
	e.until(cleo, `document.querySelectorAll("#list .conv").length === 3`)
	assert.Equal(t, "Maria Lopez,John Smith,Aiko Tanaka", names())
	e.do(cleo, chromedp.SetValue(chromedp.ID("sort"), "newest"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("sort").dispatchEvent(new Event("change"))`))
	e.until(cleo, `document.querySelector("#list .conv .name").innerText.includes("Aiko")`)
	assert.Equal(t, "Aiko Tanaka,John Smith,Maria Lopez", names())
	assert.Equal(t, 3, eval[int](e, cleo, `document.querySelectorAll("#list .conv .bubble").length`), "one unread bubble each")
	assert.Equal(t, 3, eval[int](e, cleo, `document.querySelectorAll("#list .conv .icon.sms").length`))

	for _, c := range []struct{ query, want string }{
		{"john.smith@example", "John Smith"}, // e-mail, from the host's directory
		{"+8190", "Aiko Tanaka"},             // number
		{"maria", "Maria Lopez"},             // name
	} {
		t.Run(c.query, func(t *testing.T) {
			e.t = t
			e.do(cleo, chromedp.SetValue(chromedp.ID("search"), c.query),
				chromedp.Evaluate[chromedp.Void](`document.getElementById("search").dispatchEvent(new Event("input"))`))
			e.until(cleo, fmt.Sprintf(`document.querySelectorAll("#list .conv").length === 1 && document.querySelector("#list .conv").innerText.includes(%q)`, c.want))
		})
	}

	// Picking another agent opens the console as them: ben serves support,
	// one of the SMS line's queues, so he sees the same three.
	e.t = t
	e.do(cleo, chromedp.SetValue(chromedp.ID("agent"), "ben")) // its change event navigates
	e.until(cleo, `location.search === "?agent=ben" && document.body.dataset.live === "1" && document.getElementById("count-inbox").innerText === "3"`)
}

// TestSnippetsAndSegmentCounter: "/" opens the snippet picker with the
// channel's variant; on SMS the counter shows segments and encoding live.
func TestSnippetsAndSegmentCounter(t *testing.T) {
	e := start(t)
	john := e.phone("john", "sms")
	require.Equal(t, http.StatusOK, e.say(john, "Hi there"))
	ana := e.console("ana")
	e.pick(ana, "inbox", "John Smith")
	e.click(ana, "#take")
	e.until(ana, `document.getElementById("conv-status").innerText === "assigned"`)

	typeText := func(s string) {
		e.do(ana, chromedp.SetValue(chromedp.ID("composer"), s),
			chromedp.Evaluate[chromedp.Void](`document.getElementById("composer").dispatchEvent(new Event("input"))`))
	}
	typeText("/")
	e.until(ana, `!document.getElementById("snippets").hidden && document.querySelectorAll("#snippets li").length === 3`)
	assert.Contains(t, e.text(ana, "#snippets"), "sms variant, 1 SMS, GSM-7")
	e.shot(ana, "07-console-snippet-picker")
	pickGreet := func() {
		e.until(ana, `!document.getElementById("snippets").hidden && document.querySelectorAll("#snippets li").length === 1 && document.querySelector('#snippets li[data-shortcut="greet"]')`)
		// Clicked in the page: the picker may redraw between a query and a click.
		e.do(ana, chromedp.Evaluate[chromedp.Void](`document.querySelector('#snippets li[data-shortcut="greet"]').click()`))
	}
	typeText("/gr")
	pickGreet()
	// Twilio's SMS webhooks carry no name, so the Desk knows none:
	// the snippet's default fills in.
	e.until(ana, `document.getElementById("composer").value === "Hi there, Acme here. How can we help?"`)
	e.until(ana, `document.getElementById("segments").innerText === "1 SMS, GSM-7"`)

	for _, c := range []struct{ text, want string }{
		{strings.Repeat("a", 161), "2 SMS, GSM-7"},
		{strings.Repeat("a", 306), "2 SMS, GSM-7"},
		{strings.Repeat("a", 307), "3 SMS, GSM-7"},
		{"Thanks 🙂", "1 SMS, UCS-2"},
		{strings.Repeat("é", 70) + "🙂", "2 SMS, UCS-2"},
	} {
		typeText(c.text)
		e.until(ana, fmt.Sprintf(`document.getElementById("segments").innerText === %q`, c.want))
	}

	typeText("/greet")
	pickGreet()
	e.until(ana, `document.getElementById("composer").value === "Hi there, Acme here. How can we help?"`)
	e.click(ana, "#send")
	e.until(john, `document.getElementById("thread").innerText.includes("Hi there, Acme here. How can we help?")`)

	// On WhatsApp the same shortcut gives the default variant, and no counter.
	maria := e.phone("maria", "whatsapp")
	require.Equal(t, http.StatusOK, e.say(maria, "Hello"))
	var assigned []struct {
		Contact string `json:"contact"`
	}
	agent := "ana"
	e.api("/api/assigned?agent=ben", &assigned)
	if len(assigned) > 0 {
		agent = "ben"
	}
	tab := e.console(agent)
	e.pick(tab, "assigned", "Maria Lopez")
	e.do(tab, chromedp.SetValue(chromedp.ID("composer"), "/greet"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("composer").dispatchEvent(new Event("input"))`))
	e.until(tab, `document.querySelectorAll("#snippets li").length === 1`)
	assert.Contains(t, e.text(tab, "#snippets"), "this is "+agent+" from Acme")
	assert.Contains(t, e.text(tab, "#snippets"), "(default)")
	assert.Empty(t, e.text(tab, "#segments"))
}

// TestNotesMentionsAndSearchInside: an internal note names a colleague
// with @, who is told; the search inside a conversation keeps the
// messages that match.
func TestNotesMentionsAndSearchInside(t *testing.T) {
	e := start(t)
	maria := e.phone("maria", "whatsapp")
	require.Equal(t, http.StatusOK, e.say(maria, "My order number is 4521"))
	require.Equal(t, http.StatusOK, e.say(maria, "It was due last Friday"))
	owner, other := "ana", "ben"
	var assigned []any
	e.api("/api/assigned?agent=ben", &assigned)
	if len(assigned) > 0 {
		owner, other = "ben", "ana"
	}
	tab := e.console(owner)
	colleague := e.console(other)
	e.pick(tab, "assigned", "Maria Lopez")
	e.do(tab, chromedp.SetValue(chromedp.ID("note"), "@"+other+" can you check the courier for 4521?"), chromedp.Click(chromedp.ID("add-note")))
	e.until(tab, `[...document.querySelectorAll("#messages .msg.note .mention")].some((m) => m.innerText === "@`+other+`")`)
	e.until(colleague, `document.getElementById("toasts").innerText.includes("`+owner+` mentioned you")`)
	e.shot(colleague, "08-console-mention")
	assert.NotContains(t, e.text(maria, "#thread"), "courier", "a note never reaches the contact")

	e.do(tab, chromedp.SetValue(chromedp.ID("msg-search"), "4521"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("msg-search").dispatchEvent(new Event("input"))`))
	e.until(tab, `document.querySelectorAll("#messages .msg").length === 2`)
	assert.NotContains(t, e.text(tab, "#messages"), "last Friday")
}

// TestAttachments: a file goes where the channel allows attachments and
// reaches the phone.
func TestAttachments(t *testing.T) {
	e := start(t)
	maria := e.phone("maria", "whatsapp")
	require.Equal(t, http.StatusOK, e.say(maria, "Can you send me the invoice?"))
	agent := "ana"
	var assigned []any
	e.api("/api/assigned?agent=ben", &assigned)
	if len(assigned) > 0 {
		agent = "ben"
	}
	tab := e.console(agent)
	e.pick(tab, "assigned", "Maria Lopez")
	e.until(tab, `!document.getElementById("attach-box").hidden`)
	file := filepath.Join(t.TempDir(), "invoice.pdf")
	require.NoError(t, os.WriteFile(file, []byte("%PDF-1.4\n% an invoice\n"), 0o644))
	e.do(tab, chromedp.SetValue(chromedp.ID("composer"), "Here it is"), chromedp.SetUploadFiles(chromedp.ID("file"), []string{file}))
	e.until(tab, `[...document.querySelectorAll("#messages .msg.outbound .media")].some((a) => a.innerText.includes("invoice.pdf"))`)
	e.until(maria, `document.getElementById("thread").innerText.includes("invoice.pdf")`)
	e.shot(maria, "09-phone-attachment")
}

// TestSendToInboxTransferToQueueAndClose: an agent gives a conversation
// back to the inbox, takes it again, transfers it to another queue whose
// agent closes it.
func TestSendToInboxTransferToQueueAndClose(t *testing.T) {
	e := start(t)
	john := e.phone("john", "sms")
	require.Equal(t, http.StatusOK, e.say(john, "Where is my refund?"))
	ana := e.console("ana")
	e.pick(ana, "inbox", "John Smith")
	e.click(ana, "#take")
	e.until(ana, `document.getElementById("conv-status").innerText === "assigned"`)
	e.click(ana, "#to-inbox")
	e.until(ana, `document.getElementById("conv-status").innerText === "queued"`)
	e.pick(ana, "inbox", "John Smith")
	e.click(ana, "#take")
	e.until(ana, `document.getElementById("conv-status").innerText === "assigned"`)
	e.do(ana, chromedp.SetValue(chromedp.ID("transfer-to"), "queue:billing"), chromedp.Click(chromedp.ID("transfer")))
	cleo := e.console("cleo")
	e.pick(cleo, "inbox", "John Smith")
	assert.Contains(t, e.text(cleo, "#conv-assignee"), "billing")
	e.click(cleo, "#close-now")
	e.until(cleo, `document.getElementById("conv-status").innerText === "closed"`)
	assert.True(t, eval[bool](e, cleo, `document.getElementById("composer").disabled`))
}

// TestSupervisorView: every agent's load against capacity and every
// queue's waiting count and oldest wait.
func TestSupervisorView(t *testing.T) {
	e := start(t)
	require.Equal(t, http.StatusOK, e.say(e.phone("john", "sms"), "Billing question"))
	require.Equal(t, http.StatusOK, e.say(e.phone("aiko", "sms"), "Another billing question"))
	ana := e.console("ana")
	e.pick(ana, "inbox", "John Smith")
	e.click(ana, "#take")
	e.until(ana, `document.getElementById("conv-status").innerText === "assigned"`)
	require.Equal(t, http.StatusOK, e.say(e.phone("maria", "whatsapp"), "Where is my order?"))
	sup := e.open("/supervisor")
	row := func(sel string) string { return e.text(sup, sel) }
	// ana carries an SMS (5), so the WhatsApp conversation (20) went to ben.
	e.until(sup, `document.querySelector('#agents tr[data-agent="ana"]').innerText.includes("5 / 100")`)
	e.until(sup, `document.querySelector('#agents tr[data-agent="ben"]').innerText.includes("20 / 100")`)
	assert.Contains(t, row(`#agents tr[data-agent="sam"]`), "offline")
	e.click(sup, "#adv-1h")
	e.until(sup, `document.querySelector('#queues tr[data-queue="billing"]').innerText.includes("1h0m")`)
	assert.Contains(t, row(`#queues tr[data-queue="billing"]`), "\t1\t")
	assert.Contains(t, row(`#queues tr[data-queue="support"]`), "\t1\t")
	assert.Contains(t, row(`#queues tr[data-queue="sales"]`), "\t0\t")
	e.shot(sup, "10-supervisor")
}

// TestPhoneShowsWhatTheBusinessSends: the welcome, and the busy message
// when no agent of the queue is available; the list previews the last
// message.
func TestPhoneShowsWhatTheBusinessSends(t *testing.T) {
	e := start(t)
	for _, agent := range []string{"ana", "ben"} {
		status, out := e.postJSON("/api/presence", `{"agent":"`+agent+`","presence":"away"}`)
		require.Equal(t, http.StatusOK, status, out)
	}
	maria := e.phone("maria", "whatsapp")
	require.Equal(t, http.StatusOK, e.say(maria, "Is anyone there?"))
	e.until(maria, `document.getElementById("thread").innerText.includes("An agent will be with you shortly")`)
	e.until(maria, `document.getElementById("thread").innerText.includes("All our agents are busy right now")`)
	e.shot(maria, "11-phone-welcome-and-busy")

	var billing []any
	e.api("/api/inbox?agent=cleo", &billing)
	assert.Empty(t, billing, "the inbox lists only the agent's queues")
	ana := e.console("ana")
	e.click(ana, "#tab-inbox")
	e.until(ana, `[...document.querySelectorAll("#list .conv")].some((li) => li.innerText.includes("Maria Lopez") && li.querySelector(".preview").innerText.startsWith("Auto: All our agents are busy"))`)
}
