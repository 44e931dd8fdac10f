package e2e

import (
	"net/http"
	"testing"

	"github.com/chromedp/chromedp"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestConsoleOverview: one agent's day in one screen (the README's
// screenshot, docs/helpdesk.png): the Assigned tab with channel icons and
// unread bubbles, a conversation with delivery ticks and a note, the
// window closed and the template picker in the composer's place.
func TestConsoleOverview(t *testing.T) {
	e := start(t)
	ben := e.console("ben")
	e.do(ben, chromedp.SetValue(chromedp.ID("presence"), "away"),
		chromedp.Evaluate[chromedp.Void](`document.getElementById("presence").dispatchEvent(new Event("change"))`))
	ana := e.console("ana")
	e.until(ana, `document.getElementById("presence").value === "available"`)

	maria := e.phone("maria", "whatsapp")
	require.Equal(t, http.StatusOK, e.say(maria, "Hi, my order #4521 has not arrived"))
	require.Equal(t, http.StatusOK, e.say(e.phone("aiko", "whatsapp"), "Can I change my delivery address?"))
	require.Equal(t, http.StatusOK, e.say(e.phone("john", "whatsapp"), "Do you have the blue one in size M?"))
	require.Equal(t, http.StatusOK, e.say(e.phone("john", "sms"), "And my invoice?"))

	e.pick(ana, "assigned", "Maria Lopez")
	e.do(ana, chromedp.SetValue(chromedp.ID("composer"), "Hello Maria, I am checking with the courier now."), chromedp.Click(chromedp.ID("send")))
	e.until(maria, `document.querySelectorAll("#thread .pm.out .tick.read").length === 2`)
	e.do(ana, chromedp.SetValue(chromedp.ID("note"), "@ben the courier says Thursday: can you confirm?"), chromedp.Click(chromedp.ID("add-note")))
	e.until(ana, `document.querySelectorAll("#messages .msg.outbound .ticks.read").length === 2 && document.querySelector("#messages .mention")`)
	e.click(ana, "#adv-25h")
	e.until(ana, `!document.getElementById("lock").hidden && !document.getElementById("templates").hidden`)
	e.do(ana, chromedp.SetValue(chromedp.CSS(`.tpl-param[data-param="1"]`), "Maria"), chromedp.SetValue(chromedp.CSS(`.tpl-param[data-param="2"]`), "#4521"))

	assert.Equal(t, "3", e.text(ana, "#count-assigned"))
	assert.Equal(t, "1", e.text(ana, "#count-inbox"))
	assert.Equal(t, 2, eval[int](e, ana, `document.querySelectorAll("#list .conv .bubble").length`), "unread, but for the open one")
	e.shot(ana, "00-console-overview")
}
