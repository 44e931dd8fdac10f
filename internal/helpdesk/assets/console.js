// The agent console: lists, offers and the conversation view, reloaded
// from the JSON API whenever the Desk publishes an event.
"use strict";
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
const state = { agent: params.get("agent") || "ana", tab: "inbox", sort: "oldest", q: "", conv: null, convQ: "", view: null,
  snippet: null, snippetItems: [], templates: [] };
const icons = { whatsapp: "WA", sms: "SMS", messenger: "FB" };

async function api(method, path, body) {
  const opts = { method, headers: {} };
  if (body !== undefined) { opts.headers["Content-Type"] = "application/json"; opts.body = JSON.stringify(body); }
  const r = await fetch(path, opts);
  const data = await r.json().catch(() => ({}));
  if (!r.ok) { const e = new Error(data.error || r.statusText); e.data = data; e.status = r.status; throw e; }
  return data;
}
const q = (o) => new URLSearchParams(o).toString();
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function icon(ch) { return el("span", "icon " + ch, icons[ch] || "?"); }
function toast(text) { const t = el("div", "toast", text); $("toasts").appendChild(t); setTimeout(() => t.remove(), 6000); }
function showError(text) { const e = $("error"); e.textContent = text; e.hidden = !text; }

async function loadLists() {
  const base = { agent: state.agent, sort: state.sort, q: state.q };
  const [inbox, assigned] = await Promise.all([api("GET", "/api/inbox?" + q(base)), api("GET", "/api/assigned?" + q(base))]);
  $("count-inbox").textContent = inbox.length;
  $("count-assigned").textContent = assigned.length;
  const items = state.tab === "inbox" ? inbox : assigned;
  const list = $("list");
  list.replaceChildren(...items.map((it) => {
    const li = el("li", "conv" + (it.id === state.conv ? " selected" : ""));
    li.dataset.id = it.id;
    li.append(icon(it.channel));
    const name = el("span", "name", it.contact + " ");
    if (it.priority > 0) name.append(el("span", "prio", "P" + it.priority));
    li.append(name);
    const meta = el("span", "meta", it.at + " ");
    if (it.unread > 0) meta.append(el("span", "bubble", String(it.unread)));
    li.append(meta, el("span", "preview", it.preview));
    li.onclick = () => openConversation(it.id);
    return li;
  }));
}

let offers = [];
async function loadOffers() {
  const got = await api("GET", "/api/offers?" + q({ agent: state.agent }));
  const at = Date.now();
  offers = got.map((o) => ({ ...o, deadline: at + o.remaining_ms }));
  renderOffers();
}
// renderOffers keeps one card per standing offer and only counts down
// in place, so a button is never replaced under the agent's click.
function renderOffers() {
  const box = $("offers"), live = offers.filter((o) => o.deadline > Date.now());
  for (const card of [...box.children]) if (!live.some((o) => o.conversation === card.dataset.id)) card.remove();
  for (const o of live) {
    let d = box.querySelector(`.offer[data-id="${o.conversation}"]`);
    if (!d) {
      d = el("div", "offer");
      d.dataset.id = o.conversation;
      d.append(icon(o.channel), el("strong", "", " " + o.contact), el("div", "muted", o.preview));
      const left = el("div", "", "Offer expires in ");
      left.append(el("span", "countdown"));
      const acc = el("button", "primary accept", "Accept"), rej = el("button", "reject", "Reject");
      acc.onclick = () => answer(o.conversation, "accept");
      rej.onclick = () => answer(o.conversation, "reject");
      d.append(left, acc, document.createTextNode(" "), rej);
      box.append(d);
    }
    d.querySelector(".countdown").textContent = Math.max(0, Math.ceil((o.deadline - Date.now()) / 1000)) + " s";
  }
}
setInterval(renderOffers, 1000);
async function answer(id, verb) {
  try { await api("POST", `/api/offers/${id}/${verb}`, { agent: state.agent }); } catch (e) { toast(e.message); }
  offers = offers.filter((o) => o.conversation !== id);
  renderOffers();
  if (verb === "accept") { state.tab = "assigned"; setTab(); openConversation(id); }
  refresh();
}

function ticks(m) {
  const s = el("span", "ticks " + (m.status || ""));
  s.textContent = { pending: "…", sent: "✓", delivered: "✓✓", read: "✓✓", failed: "✗ " + (m.reason || "failed") }[m.status] || "";
  s.title = m.status;
  return s;
}
function noteText(m) {
  const span = el("span", "text");
  for (const part of m.text.split(/(@[a-z][a-z0-9_]*)/)) {
    if (part.startsWith("@") && (m.mentions || []).includes(part.slice(1))) span.append(el("span", "mention", part));
    else span.append(document.createTextNode(part));
  }
  return span;
}

async function openConversation(id) {
  if (state.conv !== id) { state.conv = id; state.convQ = ""; $("msg-search").value = ""; showError(""); $("composer").value = ""; state.snippet = null; }
  await loadConversation();
  loadLists();
}
async function loadConversation() {
  if (!state.conv) return;
  let v;
  try {
    v = await api("GET", `/api/conversations/${state.conv}?` + q({ agent: state.agent, q: state.convQ }));
  } catch (e) {
    if (e.status === 403 || e.status === 404) { state.conv = null; $("conv").hidden = true; $("placeholder").hidden = false; return; }
    throw e;
  }
  state.view = v;
  $("placeholder").hidden = true; $("conv").hidden = false;
  const c = v.conversation, comp = v.composer;
  $("conv-icon").replaceWith(Object.assign(icon(c.channel), { id: "conv-icon" }));
  $("conv-title").textContent = c.contact;
  $("conv-address").textContent = c.address + (c.email ? " · " + c.email : "");
  $("conv-status").textContent = c.status;
  $("conv-assignee").textContent = c.assignee ? "with " + c.assignee : "queues: " + c.queues;
  const msgs = $("messages");
  msgs.replaceChildren(...v.messages.map((m) => {
    const li = el("li", "msg " + m.direction + (m.note ? " note" : "") + (m.status === "failed" ? " failed" : ""));
    li.dataset.id = m.id;
    const who = m.direction === "inbound" && m.author !== "system" ? c.contact : m.author;
    li.append(el("div", "who", (m.note ? "Note · " : "") + who + " · " + m.at + (m.template ? " · template " + m.template : "")));
    if (m.note) li.append(noteText(m)); else li.append(el("span", "text", m.text));
    for (const u of m.media || []) { const a = el("a", "media", " ⇩ " + decodeURIComponent(u.split("/").pop())); a.href = u; a.target = "_blank"; li.append(a); }
    if (m.direction === "outbound" && !m.note) li.append(ticks(m));
    return li;
  }));
  $("history-count").textContent = "(" + v.history.length + ")";
  $("history").replaceChildren(...v.history.map((h) => { const li = el("li", "", `${h.at} · ${h.status} · ${h.preview}`); return li; }));
  const open = c.status === "queued" || c.status === "assigned";
  $("take").hidden = c.status !== "queued";
  $("end").hidden = c.status !== "assigned";
  $("close-now").hidden = !open;
  $("to-inbox").hidden = c.status !== "assigned";
  $("wrap").hidden = c.status !== "wrap_up";
  $("closed-info").textContent = c.status === "closed" ? `Closed · ${v.disposition || "no disposition"} · ${v.closing_note}` : "";
  const tsel = $("transfer-to");
  if (tsel.dataset.built !== "1") {
    tsel.replaceChildren(el("option", "", "Transfer to…"));
    for (const a of comp.agents) { const o = el("option", "", "agent " + a); o.value = "agent:" + a; tsel.append(o); }
    for (const qn of ["support", "sales", "billing"]) { const o = el("option", "", "queue " + qn); o.value = "queue:" + qn; tsel.append(o); }
    tsel.dataset.built = "1";
  }
  $("lock").textContent = comp.lock || ""; $("lock").hidden = !comp.lock;
  $("warning").textContent = comp.warning || ""; $("warning").hidden = !comp.warning;
  $("info").textContent = comp.info || ""; $("info").hidden = !comp.info;
  const locked = !comp.can_reply;
  $("composer").disabled = locked; $("send").disabled = locked;
  $("composer").placeholder = locked ? "Locked" : "Reply… (type / for snippets)";
  $("attach-box").hidden = !comp.attachments || locked;
  $("templates").hidden = !(locked && comp.templates && c.channel === "whatsapp");
  if (!$("templates").hidden) await (state.templatesLoaded ||= loadTemplates()); // once: the inputs keep what was typed
  updateSegments();
  if (c.unread > 0 && c.assignee === state.agent) api("POST", `/api/conversations/${c.id}/read`, { agent: state.agent }).catch(() => {});
}

async function loadTemplates() {
  state.templates = await api("GET", "/api/templates");
  $("tpl").replaceChildren(...state.templates.map((t, i) => { const o = el("option", "", t.name + " (" + t.language + ")"); o.value = i; return o; }));
  renderTemplate();
}
function renderTemplate() {
  const t = state.templates[$("tpl").value];
  if (!t) return;
  $("tpl-body").textContent = t.body;
  $("tpl-params").replaceChildren(...t.params.map((p) => { const i = el("input"); i.placeholder = "{{" + p + "}}"; i.dataset.param = p; i.className = "tpl-param"; return i; }));
}
$("tpl").onchange = renderTemplate;
$("send-template").onclick = async () => {
  const t = state.templates[$("tpl").value], ps = {};
  document.querySelectorAll(".tpl-param").forEach((i) => { ps[i.dataset.param] = i.value; });
  await act("template", { template: t.name, language: t.language, params: ps });
};

async function act(verb, extra) {
  showError("");
  try {
    await api("POST", `/api/conversations/${state.conv}/${verb}`, { agent: state.agent, ...extra });
    return true;
  } catch (e) {
    showError("Refused: " + e.message);
    return false;
  } finally {
    await refresh();
  }
}

// The composer: /shortcut picker, live SMS segment counter, send.
let segTimer = null;
function updateSegments() {
  clearTimeout(segTimer);
  const v = state.view;
  if (!v || !v.composer.sms || !$("composer").value) { $("segments").textContent = ""; return; }
  const text = $("composer").value;
  segTimer = setTimeout(async () => {
    const r = await api("POST", "/api/sms-count", { text });
    if ($("composer").value === text) $("segments").textContent = r.label; // not a stale answer
  }, 120);
}
let snippetAsk = 0;
async function updateSnippets() {
  const text = $("composer").value;
  const box = $("snippets");
  if (!text.startsWith("/") || text.includes(" ") || !state.conv) { box.hidden = true; return; }
  const mine = ++snippetAsk;
  const items = await api("GET", "/api/snippets?" + q({ agent: state.agent, conversation: state.conv, prefix: text.slice(1) }));
  if (mine !== snippetAsk || $("composer").value !== text) return; // a later keystroke asked again
  box.hidden = items.length === 0;
  if (JSON.stringify(items) === JSON.stringify(state.snippetItems) && box.children.length) return; // nothing new: keep the nodes
  state.snippetItems = items;
  box.replaceChildren(...state.snippetItems.map((s) => {
    const li = el("li", "snippet");
    li.dataset.shortcut = s.shortcut;
    li.append(el("strong", "", "/" + s.shortcut), document.createTextNode(" " + s.title + " "), el("span", "muted", "(" + s.variant + (s.count ? ", " + s.count : "") + ")"), el("div", "muted", s.text));
    li.onclick = () => pickSnippet(s);
    return li;
  }));
  box.hidden = state.snippetItems.length === 0;
}
function pickSnippet(s) {
  $("composer").value = s.text;
  state.snippet = s;
  $("snippets").hidden = true;
  updateSegments();
  $("composer").focus();
}
$("composer").addEventListener("input", () => { updateSegments(); updateSnippets(); });
$("composer").addEventListener("keydown", (e) => {
  if (e.key === "Enter" && !e.shiftKey) {
    e.preventDefault();
    if (!$("snippets").hidden && state.snippetItems.length) pickSnippet(state.snippetItems[0]); else send();
  }
});
async function send() {
  const text = $("composer").value.trim();
  if (!text) return;
  const s = state.snippet;
  const ok = s && s.text === text ? await act("snippet", { shortcut: s.shortcut }) : await act("reply", { text });
  if (ok) { $("composer").value = ""; state.snippet = null; updateSegments(); }
}
$("send").onclick = send;
$("file").onchange = async () => {
  const f = $("file").files[0];
  if (!f) return;
  const fd = new FormData(); fd.append("file", f); fd.append("caption", $("composer").value);
  const r = await fetch(`/api/conversations/${state.conv}/attachments?` + q({ agent: state.agent }), { method: "POST", body: fd });
  if (!r.ok) showError("Refused: " + ((await r.json().catch(() => ({}))).error || r.statusText)); else $("composer").value = "";
  $("file").value = "";
  refresh();
};
$("add-note").onclick = async () => { if (await act("note", { text: $("note").value })) $("note").value = ""; };
$("take").onclick = async () => { if (await act("take", {})) { state.tab = "assigned"; setTab(); refresh(); } };
$("transfer").onclick = async () => {
  const [kind, target] = $("transfer-to").value.split(":");
  if (!target) return;
  await act("transfer", kind === "agent" ? { to_agent: target } : { queue: target });
};
$("to-inbox").onclick = () => act("inbox", {});
$("end").onclick = () => act("end", {});
$("close").onclick = () => act("close", { note: $("closing-note").value, disposition: $("disposition").value });
$("close-now").onclick = () => act("close", { note: $("closing-note").value });

let searchTimer = null;
$("msg-search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => { state.convQ = $("msg-search").value; loadConversation(); }, 150); });
$("search").addEventListener("input", () => { clearTimeout(searchTimer); searchTimer = setTimeout(() => { state.q = $("search").value; loadLists(); }, 150); });
$("sort").onchange = () => { state.sort = $("sort").value; loadLists(); };
function setTab() { document.querySelectorAll(".tab").forEach((b) => b.classList.toggle("active", b.dataset.tab === state.tab)); }
document.querySelectorAll(".tab").forEach((b) => { b.onclick = () => { state.tab = b.dataset.tab; setTab(); loadLists(); }; });
$("agent").value = state.agent;
$("agent").onchange = () => { location.search = "?agent=" + $("agent").value; };
$("presence").onchange = async () => {
  try { await api("POST", "/api/presence", { agent: state.agent, presence: $("presence").value }); } catch (e) { toast(e.message); }
};
async function loadClock() { const c = await api("GET", "/api/clock"); $("clock").textContent = c.now + (c.speed > 1 ? " (×" + c.speed + ")" : ""); }
$("adv-1h").onclick = () => api("POST", "/api/clock/advance", { hours: 1 }).then(refresh);
$("adv-25h").onclick = () => api("POST", "/api/clock/advance", { hours: 25 }).then(refresh);

let busy = false, again = false;
async function refresh() {
  if (busy) { again = true; return; }
  busy = true;
  try { await Promise.all([loadLists(), loadOffers(), loadConversation(), loadClock()]); } catch (e) { console.error(e); }
  busy = false;
  document.body.dataset.refreshed = String(Date.now());
  if (again) { again = false; refresh(); }
}
function connect() {
  const es = new EventSource("/api/events");
  es.onmessage = (m) => {
    const ev = JSON.parse(m.data);
    if (ev.name === "note.mention" && ev.agent === state.agent) toast(`${ev.from} mentioned you: ${ev.text}`);
    if (ev.name === "agent.presence" && ev.agent === state.agent) $("presence").value = ev.text;
    refresh();
  };
  es.onopen = () => { document.body.dataset.live = "1"; };
}
(async () => {
  const sup = await api("GET", "/api/supervisor");
  const me = sup.agents.find((a) => a.id === state.agent);
  if (me) $("presence").value = me.presence;
  connect();
  refresh();
  setInterval(loadClock, 5000);
})();
