// The supervisor view: every agent's load against capacity and every
// queue's waiting count and oldest wait, reloaded on the Desk's events.
"use strict";
const $ = (id) => document.getElementById(id);
function cell(text) { const td = document.createElement("td"); td.textContent = text; return td; }
async function load() {
  const v = await (await fetch("/api/supervisor")).json();
  $("clock").textContent = v.now;
  $("agents").tBodies[0].replaceChildren(...v.agents.map((a) => {
    const tr = document.createElement("tr");
    tr.dataset.agent = a.id;
    const bar = document.createElement("span");
    bar.className = "bar" + (a.load >= a.capacity ? " full" : "");
    const fill = document.createElement("span");
    fill.style.width = Math.min(100, (100 * a.load) / a.capacity) + "%";
    bar.append(fill);
    const b = document.createElement("td"); b.append(bar);
    tr.append(cell(a.id), cell(a.presence), cell(a.queues), cell(String(a.open)), cell(`${a.load} / ${a.capacity}`), b);
    return tr;
  }));
  $("queues").tBodies[0].replaceChildren(...v.queues.map((q) => {
    const tr = document.createElement("tr");
    tr.dataset.queue = q.name;
    tr.append(cell(q.name), cell(String(q.waiting)), cell(q.oldest_wait));
    return tr;
  }));
  document.body.dataset.refreshed = String(Date.now());
}
const post = (h) => fetch("/api/clock/advance", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ hours: h }) }).then(load);
$("adv-1h").onclick = () => post(1);
$("adv-25h").onclick = () => post(25);
new EventSource("/api/events").onmessage = load;
load();
setInterval(load, 5000);
