/**
 * Console renderers: queue items, transcript messages, the bot's context, notes and
 * callbacks. Everything from the service is set as text (h() never parses HTML).
 */
import { h, safeUrl, externalLink } from "../src/render.js";
import { format } from "./strings.js";

/** "3 min 20 s" style waiting time. */
export function waitingText(seconds, s) {
  const total = Math.max(0, Math.floor(seconds));
  const minutes = Math.floor(total / 60);
  const rest = total % 60;
  const parts = [];
  if (minutes) parts.push(format(s.minutes, { count: minutes }));
  parts.push(format(s.seconds, { count: rest }));
  return parts.join(" ");
}

/** "14:05" for a unix time in seconds. */
export function clock(ts) {
  const date = new Date(Number(ts) * 1000);
  if (Number.isNaN(date.getTime())) return "";
  return date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
}

/** Plain words for a handoff reason. */
export function reasonText(reason, s) {
  return s.reasons[reason] || reason || "";
}

/**
 * One queue entry as a button that opens the conversation. The waiting time is kept in
 * a span marked with the time the snapshot arrived, so it can tick without a new push
 * (`receivedAt` null: no waiting time, for conversations already held).
 */
export function queueItem(item, s, onOpen, receivedAt, showQueue = false) {
  let wait = null;
  if (receivedAt !== null) {
    wait = h("span", { class: "con-wait" });
    wait.dataset.base = String(item.waiting_seconds || 0);
    wait.dataset.at = String(receivedAt);
    wait.textContent = format(s.waited, { time: waitingText(item.waiting_seconds || 0, s) });
  }
  const button = h("button", { type: "button", class: `con-item${item.priority ? " con-item--priority" : ""}` },
    item.priority ? h("strong", { class: "con-tag", text: s.priority }) : null,
    h("span", { class: "con-item__topic", text: item.topic || s.noTopic }),
    h("span", { class: "con-item__reason", text: [reasonText(item.reason, s), showQueue ? item.queue : ""].filter(Boolean).join(" · ") }),
    wait);
  button.dataset.id = item.conversation_id;
  button.addEventListener("click", () => onOpen(item.conversation_id));
  return h("li", {}, button);
}

/** Refresh every waiting time from its snapshot base. */
export function tickWaits(root, s, now = Date.now()) {
  for (const span of root.querySelectorAll(".con-wait")) {
    const seconds = Number(span.dataset.base) + (now - Number(span.dataset.at)) / 1000;
    span.textContent = format(s.waited, { time: waitingText(seconds, s) });
  }
}

function speakerOf(message, s) {
  if (message.role === "citizen") return s.citizen;
  if (message.role === "adviser") return message.author || s.adviser;
  if (message.role === "system") return s.system;
  return s.bot;
}

/** One transcript line; bot sources are shown with their retrieval scores. */
export function transcriptItem(message, s, labels) {
  const text = message.role === "citizen" && labels.has(message.text) ? labels.get(message.text) : message.text;
  const item = h("li", { class: `con-msg con-msg--${message.role}` },
    h("p", { class: "con-msg__who" }, speakerOf(message, s), " ",
      h("span", { class: "con-msg__time", text: clock(message.ts) })),
    h("p", { class: "con-msg__text", text: text || "" }));
  item.dataset.id = message.id;
  if (Array.isArray(message.sources) && message.sources.length) {
    item.append(h("ul", { class: "con-sources" }, ...message.sources.map((source) => sourceLine(source, s))));
  }
  if (Array.isArray(message.buttons) && message.buttons.length) {
    for (const b of message.buttons) if (b && b.payload) labels.set(b.payload, b.title);
    item.append(h("p", { class: "con-hint", text: message.buttons.map((b) => `[${b.title}]`).join(" ") }));
  }
  return item;
}

function sourceLine(source, s) {
  const title = [source.title, source.heading].filter(Boolean).join(": ");
  const href = safeUrl(source.url, [window.location.origin]);
  const score = typeof source.score === "number" ? ` (${source.score.toFixed(2)})` : "";
  return h("li", {}, href ? externalLink(href, title, { newTab: s.newTab }) : title, score);
}

function section(title, children, s) {
  return [h("h3", { text: title }), children.length ? h("ul", { class: "con-list" }, ...children)
    : h("p", { text: s.nothing })];
}

/** "Postcode", from a slot name the assistant uses ("bin_postcode"). */
function slotLabel(name, s) {
  const known = s.slotLabels[name];
  if (known) return known;
  const words = String(name).replace(/_/g, " ");
  return words.charAt(0).toUpperCase() + words.slice(1);
}

function slotValue(value, s) {
  if (value === true) return s.yes;
  if (value === false) return s.no;
  return typeof value === "string" ? value : JSON.stringify(value);
}

/** One thing the citizen said, with what the assistant took it to mean, in plain words. */
function saidLine(turn, s) {
  const text = String(turn.text || "");
  const meaning = s.meanings[turn.intent] || s.meaningUnknown;
  const unsure = typeof turn.confidence === "number" && turn.confidence < 0.6 ? ` ${s.unsure}` : "";
  if (text.startsWith("/")) return h("li", { text: `${s.pressed}: ${meaning}${unsure}` });
  return h("li", {}, h("q", { text }), ` — ${meaning}${unsure}`);
}

function articleLine(article, s) {
  const title = [article.title, article.heading].filter(Boolean).join(": ");
  const href = safeUrl(article.url, [window.location.origin]);
  const score = typeof article.score === "number"
    ? ` (${format(s.matchScore, { score: article.score.toFixed(2) })})` : "";
  return h("li", {}, href ? externalLink(href, title, { newTab: s.newTab }) : title, score);
}

/** The bot's context in plain words: what they said and meant, guidance offered, details
 * they gave (labelled as a person would), pages they were on. No internal names. */
export function contextView(context, s) {
  if (!context || !context.available) {
    return [h("p", { text: (context && context.detail) || s.contextNone })];
  }
  const said = (context.intents || []).map((turn) => saidLine(turn, s));
  const articles = (context.articles || []).map((a) => articleLine(a, s));
  const slots = Object.entries(context.slots || {}).map(([name, value]) =>
    h("li", {}, h("strong", { text: `${slotLabel(name, s)}: ` }), slotValue(value, s)));
  const pages = (context.pages || []).map((page) => h("li", { text: page }));
  const out = [];
  if (context.active_form) {
    out.push(h("p", { text: format(s.activeForm, { form: s.forms[context.active_form] || slotLabel(context.active_form, s) }) }));
  }
  out.push(...section(s.intents, said, s), ...section(s.articles, articles, s),
    ...section(s.slots, slots, s), ...section(s.pages, pages, s));
  return out;
}

/** One private note. */
export function noteItem(note) {
  return h("li", { class: "con-note" },
    h("p", { class: "con-msg__who" }, note.author || "", " ", h("span", { class: "con-msg__time", text: clock(note.ts) })),
    h("p", { class: "con-msg__text", text: note.text || "" }));
}
