package e2e

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStory is the main story end to end, one subtest per step,
// each depending on the ones before: the phone writes, the console answers.
func TestStory(t *testing.T) {
	e := start(t)
	john := e.phone("john", "sms")
	maria := e.phone("maria", "whatsapp")
	ana := e.console("ana")
	ben := e.console("ben")

	t.Run("sms waits in the inbox and ana takes it", func(t *testing.T) {
		e.t = t
		require.Equal(t, http.StatusOK, e.say(john, "Hi, a question about my bill"))
		e.pick(ana, "inbox", "John Smith")
		e.click(ana, "#take")
		e.until(ana, `document.getElementById("conv-status").innerText === "assigned"`)
	})

	t.Run("whatsapp message routed to the least loaded agent", func(t *testing.T) {
		e.t = t
		require.Equal(t, http.StatusOK, e.say(maria, "Hi, my order has not arrived"))
		// ana carries John's SMS (5 points): ben, with none, gets Maria.
		e.pick(ben, "assigned", "Maria Lopez")
		e.until(maria, `document.getElementById("thread").innerText.includes("An agent will be with you shortly")`)
		e.shot(ben, "01-console-whatsapp-routed")
	})

	t.Run("reply reaches the phone with its delivery ticks", func(t *testing.T) {
		e.t = t
		e.do(ben, chromedp.SetValue(chromedp.ID("composer"), "Hello Maria, let me check your order."), chromedp.Click(chromedp.ID("send")))
		e.until(maria, `[...document.querySelectorAll("#thread .pm.out")].some((m) => m.innerText.includes("let me check your order") && m.querySelector(".tick.read"))`)
		e.until(ben, `[...document.querySelectorAll("#messages .msg.outbound")].some((m) => m.innerText.includes("let me check") && m.querySelector(".ticks.read"))`)
		e.shot(maria, "02-phone-reply-read")
	})

	t.Run("duplicate webhook ignored", func(t *testing.T) {
		e.t = t
		e.do(maria, chromedp.Evaluate[chromedp.Void](`document.getElementById("webhook-status").dataset.status = ""`), chromedp.Click(chromedp.ID("resend")))
		e.until(maria, `document.getElementById("webhook-status").dataset.status === "200"`)
		// The retry was answered 200 once the Desk had it: what it stored
		// is there to read.
		id := eval[string](e, ben, `state.conv`)
		var v struct {
			Messages []struct {
				Direction string `json:"direction"`
				Text      string `json:"text"`
			} `json:"messages"`
		}
		e.api("/api/conversations/"+id+"?agent=ben", &v)
		inbound := 0
		for _, m := range v.Messages {
			if m.Direction == "inbound" {
				inbound++
			}
		}
		assert.Equal(t, 1, inbound, "the provider's retry stored nothing")
	})

	t.Run("window closes and the composer locks with its reason", func(t *testing.T) {
		e.t = t
		e.click(ben, "#adv-25h")
		e.until(ben, `!document.getElementById("lock").hidden && document.getElementById("composer").disabled`)
		lock := e.text(ben, "#lock")
		assert.Contains(t, lock, "WhatsApp window closed at Tue 09:00")
		assert.Contains(t, lock, "only an approved template")
		e.shot(ben, "03-console-window-closed")
	})

	t.Run("approved template sent", func(t *testing.T) {
		e.t = t
		e.until(ben, `!document.getElementById("templates").hidden && document.querySelectorAll(".tpl-param").length === 2`)
		e.do(ben, chromedp.SetValue(chromedp.CSS(`.tpl-param[data-param="1"]`), "Maria"),
			chromedp.SetValue(chromedp.CSS(`.tpl-param[data-param="2"]`), "#4521"), chromedp.Click(chromedp.ID("send-template")))
		e.until(maria, `document.getElementById("thread").innerText.includes("Hi Maria, your ticket #4521 has an update")`)
		e.until(ben, `[...document.querySelectorAll("#messages .msg")].some((m) => m.innerText.includes("template follow_up"))`)
	})

	t.Run("sms STOP then a refused reply then START", func(t *testing.T) {
		e.t = t
		require.Equal(t, http.StatusOK, e.say(john, "STOP"))
		e.until(john, `[...document.querySelectorAll("#thread .pm.out")].some((m) => /unsubscribed|opted out|no more/i.test(m.innerText))`)
		e.pick(ana, "assigned", "John Smith")
		e.until(ana, `!document.getElementById("warning").hidden && document.getElementById("warning").innerText.includes("opted out")`)
		e.do(ana, chromedp.SetValue(chromedp.ID("composer"), "Sorry to see you go!"), chromedp.Click(chromedp.ID("send")))
		e.until(ana, `!document.getElementById("error").hidden && document.getElementById("error").innerText.includes("Refused")`)
		e.until(ana, `[...document.querySelectorAll("#messages .msg.failed")].some((m) => m.innerText.includes("Sorry to see you go"))`)
		e.shot(ana, "04-console-sms-opted-out")
		require.Equal(t, http.StatusOK, e.say(john, "START"))
		e.until(ana, `document.getElementById("warning").hidden`)
		e.do(ana, chromedp.SetValue(chromedp.ID("composer"), "Welcome back!"), chromedp.Click(chromedp.ID("send")))
		e.until(john, `[...document.querySelectorAll("#thread .pm.out")].some((m) => m.innerText.includes("Welcome back!"))`)
	})

	t.Run("transfer to another agent", func(t *testing.T) {
		e.t = t
		require.Equal(t, http.StatusOK, e.say(maria, "Still waiting!"))
		e.pick(ben, "assigned", "Maria Lopez")
		e.do(ben, chromedp.SetValue(chromedp.ID("transfer-to"), "agent:ana"), chromedp.Click(chromedp.ID("transfer")))
		e.until(ben, `document.getElementById("conv").hidden`)
		e.pick(ana, "assigned", "Maria Lopez")
		assert.Contains(t, e.text(ana, "#conv-assignee"), "with ana")
	})

	t.Run("end with closing note and disposition, then close", func(t *testing.T) {
		e.t = t
		e.click(ana, "#end")
		e.until(ana, `!document.getElementById("wrap").hidden`)
		e.do(ana, chromedp.SetValue(chromedp.ID("closing-note"), "Delivery delayed; customer informed"),
			chromedp.SetValue(chromedp.ID("disposition"), "resolved"), chromedp.Click(chromedp.ID("close")))
		e.until(ana, `document.getElementById("conv-status").innerText === "closed"`)
		info := e.text(ana, "#closed-info")
		assert.Contains(t, info, "resolved")
		assert.Contains(t, info, "Delivery delayed; customer informed")
	})

	t.Run("a new message opens a new conversation", func(t *testing.T) {
		e.t = t
		closed := eval[string](e, ana, `state.conv`)
		require.Equal(t, http.StatusOK, e.say(maria, "One more thing about my order"))
		// The follow-up keeps its agent (ana): it lists in her Assigned tab.
		e.pick(ana, "assigned", "Maria Lopez")
		e.until(ana, fmt.Sprintf(`state.conv !== %q && document.getElementById("conv-status").innerText === "assigned"`, closed))
		e.until(ana, `document.getElementById("history-count").innerText === "(1)"`)
		e.shot(ana, "05-console-follow-up")
	})
}

// TestForgedWebhookRefused: a webhook whose signature is not the
// provider's is answered 403 and reaches nothing.
func TestForgedWebhookRefused(t *testing.T) {
	e := start(t)
	for _, ch := range []string{"whatsapp", "sms", "messenger"} {
		t.Run(ch, func(t *testing.T) {
			e.t = t
			p := e.phone("aiko", ch)
			e.click(p, "#forge")
			assert.Equal(t, http.StatusForbidden, e.say(p, "I am not who I say I am"))
			e.until(p, `document.getElementById("thread").innerText.includes("refused (403")`)
		})
	}
	var view struct {
		Queues []struct {
			Name    string `json:"name"`
			Waiting int    `json:"waiting"`
		} `json:"queues"`
	}
	e.t = t
	e.api("/api/supervisor", &view)
	for _, q := range view.Queues {
		assert.Zero(t, q.Waiting, "queue %s", q.Name)
	}
	var inbox []any
	e.api("/api/inbox?agent=ana", &inbox)
	assert.Empty(t, inbox)
}
