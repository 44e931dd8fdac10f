// The customer's phone: it writes as the providers do, posting signed
// webhooks (Twilio's form, Meta's JSON) to the console's own provider
// handlers, and shows what the business sent back with its ticks.
"use strict";
const $ = (id) => document.getElementById(id);
const cfg = JSON.parse($("phone-config").textContent);
const enc = new TextEncoder();
let clockOffset = 0; // the Desk's clock minus this browser's, in ms
let last = null; // the last webhook posted, for "Retry last webhook"
const acked = new Set();

function contact() {
  const o = $("contact").selectedOptions[0];
  return { id: o.value, name: o.dataset.name, phone: o.dataset.phone, psid: o.dataset.psid };
}
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function randomID(n) { const b = new Uint8Array(n); crypto.getRandomValues(b); return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join(""); }
async function hmac(hash, key, data) {
  if (!crypto.subtle) throw new Error("WebCrypto needs a secure context: open the phone on 127.0.0.1 or localhost");
  const k = await crypto.subtle.importKey("raw", enc.encode(key), { name: "HMAC", hash }, false, ["sign"]);
  return new Uint8Array(await crypto.subtle.sign("HMAC", k, enc.encode(data)));
}

// Twilio: HMAC-SHA1 of the URL and every parameter's name and value,
// sorted by name, base64.
async function twilioSignature(url, form) {
  let data = url;
  for (const name of Object.keys(form).sort()) data += name + form[name];
  return btoa(String.fromCharCode(...await hmac("SHA-1", cfg.twilioToken, data)));
}
// Meta: "sha256=" and the hex HMAC-SHA256 of the raw body.
async function metaSignature(body) {
  return "sha256=" + Array.from(await hmac("SHA-256", cfg.metaSecret, body), (x) => x.toString(16).padStart(2, "0")).join("");
}

async function webhook(ch, c, text) {
  const nowMs = Date.now() + clockOffset;
  if (ch === "sms") {
    const sid = "SM" + randomID(16);
    const form = { MessageSid: sid, SmsMessageSid: sid, SmsSid: sid, AccountSid: cfg.twilioAccount, From: c.phone, To: cfg.smsNumber,
      Body: text, NumMedia: "0", NumSegments: "1", SmsStatus: "received", ApiVersion: "2010-04-01" };
    return { id: sid, url: location.origin + cfg.twilioPath, body: new URLSearchParams(form).toString(), form,
      contentType: "application/x-www-form-urlencoded" };
  }
  if (ch === "whatsapp") {
    const waID = c.phone.replace("+", ""), id = "wamid." + randomID(20);
    const payload = { object: "whatsapp_business_account", entry: [{ id: "102290129340398", changes: [{ field: "messages", value: {
      messaging_product: "whatsapp", metadata: { display_phone_number: cfg.whatsAppNumber.replace("+", ""), phone_number_id: cfg.whatsAppPhoneID },
      contacts: [{ profile: { name: c.name }, wa_id: waID }],
      messages: [{ from: waID, id, timestamp: String(Math.floor(nowMs / 1000)), type: "text", text: { body: text } }] } }] }] };
    return { id, url: location.origin + cfg.metaPath, body: JSON.stringify(payload), contentType: "application/json" };
  }
  const mid = "m_" + randomID(24);
  const payload = { object: "page", entry: [{ id: cfg.pageID, time: nowMs, messaging: [{ sender: { id: c.psid }, recipient: { id: cfg.pageID },
    timestamp: nowMs, message: { mid, text } }] }] };
  return { id: mid, url: location.origin + cfg.metaPath, body: JSON.stringify(payload), contentType: "application/json" };
}

async function post(h, ch, c, text) {
  const headers = { "Content-Type": h.contentType };
  if (h.form) headers["X-Twilio-Signature"] = await twilioSignature(h.url, h.form);
  else headers["X-Hub-Signature-256"] = await metaSignature(h.body);
  if ($("forge").checked) {
    const name = h.form ? "X-Twilio-Signature" : "X-Hub-Signature-256";
    headers[name] = h.form ? btoa("forged-signature-of-twenty") : "sha256=" + "0".repeat(64);
  }
  const r = await fetch(h.url, { method: "POST", headers, body: h.body });
  const status = r.status === 200 ? "accepted (200)" : `refused (${r.status} ${r.statusText})`;
  $("webhook-status").textContent = `${h.form ? "Twilio" : "Meta"} webhook ${h.id.slice(0, 14)}…: ${status}`;
  $("webhook-status").dataset.status = String(r.status);
  await fetch("/phone/api/log", { method: "POST", headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ contact: c.id, channel: ch, id: h.id, text, status }) });
  load();
}

async function send() {
  const text = $("text").value.trim();
  if (!text) return;
  const ch = $("channel").value, c = contact();
  const h = await webhook(ch, c, text);
  last = { h, ch, c, text };
  $("text").value = "";
  await post(h, ch, c, text);
}
$("send").onclick = () => send().catch((e) => { $("webhook-status").textContent = e.message; });
$("text").addEventListener("keydown", (e) => { if (e.key === "Enter") $("send").click(); });
$("resend").onclick = () => { if (last) post(last.h, last.ch, last.c, last.text + " (retry)"); };

const tickText = { sent: "✓", delivered: "✓✓", read: "✓✓" };
async function load() {
  const c = contact(), ch = $("channel").value;
  $("peer").textContent = (ch === "messenger" ? "Acme page · you are PSID " + c.psid : (ch === "sms" ? "SMS to " + cfg.smsNumber : "WhatsApp with " + cfg.whatsAppNumber) + " · you are " + c.phone);
  const r = await fetch("/phone/api/thread?" + new URLSearchParams({ contact: c.id, channel: ch }));
  const t = await r.json();
  clockOffset = t.now_ms - Date.now();
  $("thread").replaceChildren(...t.messages.map((m) => {
    const li = el("li", "pm " + (m.inbound ? "in" : "out") + (m.inbound && m.status.startsWith("refused") ? " refused" : ""));
    li.dataset.id = m.id;
    li.append(el("span", "text", m.text));
    for (const u of m.media || []) { const a = el("a", "", " ⇩ " + decodeURIComponent(u.split("/").pop())); a.href = u; a.target = "_blank"; li.append(a); }
    if (m.inbound) li.append(el("div", "muted", m.status));
    else li.append(el("span", "tick " + m.status, tickText[m.status] || ""));
    if (!m.inbound && m.status !== "read" && !acked.has(m.id) && document.visibilityState === "visible") {
      acked.add(m.id);
      fetch("/phone/api/read", { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify({ id: m.id }) });
    }
    return li;
  }));
  document.body.dataset.loaded = String(t.messages.length);
}
$("contact").onchange = load;
$("channel").onchange = load;
const p = new URLSearchParams(location.search);
if (p.get("contact")) $("contact").value = p.get("contact");
if (p.get("channel")) $("channel").value = p.get("channel");
load();
setInterval(load, 700);
