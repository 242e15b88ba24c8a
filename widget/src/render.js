/**
 * Safe rendering: builds DOM nodes from service data without ever parsing it as HTML.
 *
 * Message text goes in with textContent only. Links are kept only when they are
 * https: (or on an origin the page allowed) and open with rel="noopener noreferrer".
 */
import { format } from "./strings.js";
import { isConfirmation, messageText } from "./message-text.js";

/**
 * Create an element. `props` may hold `class`, `text` (set as textContent) and any
 * attribute; `hidden: true` sets the hidden attribute. Children are nodes or strings.
 */
export function h(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "class") node.className = value;
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children) {
    if (child !== null && child !== undefined && child !== false) node.append(child);
  }
  return node;
}

/**
 * Return a safe absolute URL string, or null. Allowed: https: anywhere, or any URL whose
 * origin is in `allowedOrigins` (for example the service's own origin in development).
 */
export function safeUrl(raw, allowedOrigins = []) {
  if (typeof raw !== "string" || raw.length > 2000) return null;
  let url;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.username || url.password) return null;
  if (url.protocol === "https:" || allowedOrigins.includes(url.origin)) return url.toString();
  return null;
}

/** Format an ISO date (YYYY-MM-DD) as "1 October 2026" in the widget's language. */
export function formatDate(iso, lang = "en-GB") {
  const match = /^(\d{4})-(\d{2})-(\d{2})/.exec(String(iso || ""));
  if (!match) return "";
  const date = new Date(Date.UTC(Number(match[1]), Number(match[2]) - 1, Number(match[3])));
  if (Number.isNaN(date.getTime())) return "";
  const locale = lang === "en" ? "en-GB" : lang;
  return new Intl.DateTimeFormat(locale, {
    day: "numeric", month: "long", year: "numeric", timeZone: "UTC",
  }).format(date);
}

/** A link that opens in a new tab safely, with the "opens in a new tab" hint. */
export function externalLink(href, label, strings) {
  return h("a", { href, target: "_blank", rel: "noopener noreferrer" },
    label, " ", h("span", { class: "csa-vh", text: strings.newTab }));
}

/** Who wrote a message, as the visitor should read it. */
export function speaker(message, strings) {
  if (message.role === "citizen") return strings.you;
  if (message.role === "adviser") {
    return typeof message.author === "string" && message.author ? message.author : strings.adviser;
  }
  if (message.role === "system") return strings.notice;
  return strings.assistant;
}

function renderSources(sources, ctx) {
  const items = [];
  for (const source of sources.slice(0, 5)) {
    if (!source || typeof source !== "object") continue;
    const href = safeUrl(source.url, ctx.allowedOrigins);
    const title = [source.title, source.heading].filter((part) => typeof part === "string" && part)
      .join(": ");
    if (!title) continue;
    const date = formatDate(source.last_reviewed, ctx.lang);
    items.push(h("li", {},
      href ? externalLink(href, title, ctx.strings) : h("span", { text: title }),
      date ? h("span", { class: "csa-reviewed", text: format(ctx.strings.lastReviewed, { date }) }) : null));
  }
  if (!items.length) return null;
  return h("div", { class: "csa-sources" },
    h("p", { class: "csa-sources__title", text: ctx.strings.sources }),
    h("ul", {}, ...items));
}

function renderButtons(buttons, ctx) {
  const group = h("div", { class: "csa-choices", role: "group", "aria-label": ctx.strings.chooseReply });
  for (const button of buttons.slice(0, 10)) {
    if (!button || typeof button.title !== "string" || !button.title) continue;
    const payload = typeof button.payload === "string" ? button.payload : "";
    const node = h("button", { type: "button", class: "csa-choice", text: button.title });
    node.addEventListener("click", () => ctx.onChoice(button.title, payload, group));
    group.append(node);
  }
  return group.childElementCount ? group : null;
}

function renderFeedback(message, ctx) {
  const strings = ctx.strings;
  const box = h("div", { class: "csa-feedback", role: "group", "aria-label": strings.feedbackQuestion },
    h("span", { class: "csa-feedback__q", text: strings.feedbackQuestion }));
  for (const [label, helpful] of [[strings.feedbackYes, true], [strings.feedbackNo, false]]) {
    const node = h("button", { type: "button", class: "csa-link-button", text: label });
    node.addEventListener("click", () => ctx.onFeedback(message.id, helpful, box));
    box.append(node);
  }
  return box;
}

/**
 * Build the list item for one message. `ctx` holds strings, lang, allowedOrigins and the
 * onChoice / onFeedback callbacks. Message text is set with textContent only.
 */
export function renderMessage(message, ctx) {
  const role = ["citizen", "bot", "adviser", "system"].includes(message.role) ? message.role : "bot";
  const confirmation = isConfirmation({ ...message, role });
  const item = h("li", { class: `csa-msg csa-msg--${role}${confirmation ? " csa-msg--confirmation" : ""}` },
    h("p", { class: "csa-msg__who", text: speaker(message, ctx.strings) }),
    messageText(message.text, role !== "citizen"));
  if (message.id) item.dataset.id = message.id;
  if (Array.isArray(message.sources)) {
    const sources = renderSources(message.sources, ctx);
    if (sources) {
      item.append(sources);
      // The widget asks for feedback itself unless the bot offers its own quick replies.
      const hasButtons = Array.isArray(message.buttons) && message.buttons.length > 0;
      if (message.id && role === "bot" && !hasButtons) item.append(renderFeedback(message, ctx));
    }
  }
  if (Array.isArray(message.buttons) && role !== "citizen") {
    const buttons = renderButtons(message.buttons, ctx);
    if (buttons) item.append(buttons);
  }
  return item;
}
