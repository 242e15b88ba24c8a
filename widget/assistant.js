/**
 * Citizen chat widget: entry point.
 *
 * Embed with one tag; every setting is a data attribute:
 *   <script type="module" src="https://assist.example/widget/assistant.js"
 *     data-assistant-service="https://assist.example"
 *     data-assistant-title="Ask Millbrook Council"
 *     data-assistant-mode="launcher"></script>
 * The widget lives in a Shadow DOM, renders every message as text, and keeps the
 * conversation across pages in sessionStorage. Elements marked data-assistant-fallback
 * (a link to the contact page) are hidden once the widget is running.
 */
import { Connection, serviceUrl } from "./src/connection.js";
import { MessageLog } from "./src/log.js";
import { h } from "./src/render.js";
import { ConversationStore, compareIds } from "./src/store.js";
import { format, stringsFor } from "./src/strings.js";
import { buildView, describeState, setContact } from "./src/view.js";
import { configFromScript } from "./src/config.js";
import { FocusTrap } from "./src/focus-trap.js";
import { Survey } from "./src/survey.js";
import { copyFileName, downloadText, eraseConversation, transcriptText } from "./src/privacy-controls.js";

export const MAX_LENGTH = 1000;
const TYPING_AFTER_MESSAGE_MS = 1500;
const COUNT_FROM = 100;

export class Assistant {
  /** @param {object} config - see configFromScript for the fields. */
  constructor(config) {
    this.config = config;
    this.s = stringsFor(config.lang);
    this.store = new ConversationStore(new URL(config.service).origin);
    this.historyUntil = this.store.lastSeen;
    this.mode = "bot";
    this.stateText = "";
    this.connected = false;
    this.typingTimer = null;
    this.lastTypingSent = 0;
    this.turnStart = null;
    this.lastMessageAt = {};
    this.connection = new Connection({
      service: config.service,
      store: this.store,
      pageUrl: window.location.href,
      on: {
        message: (m) => this.onMessage(m),
        ack: (clientId, id) => this.log.ack(clientId, id),
        state: (f) => this.onState(f),
        typing: (role) => this.onTypingHint(role),
        error: (f) => this.onError(f),
        status: (kind, detail) => this.onStatus(kind, detail),
      },
    });
  }

  /** Build the widget in a shadow root attached to `host`, and restore any conversation. */
  mount(host) {
    this.host = host;
    const shadow = host.attachShadow({ mode: "open" });
    this.v = buildView(shadow, this.config, this.s);
    this.log = new MessageLog(this.v.log, () => this.ctx());
    this.trap = new FocusTrap(this.v.panel, host);
    this.survey = new Survey({ service: this.config.service, s: this.s,
      conversationId: () => this.store.conversationId, announce: (text) => this.announce(text) });
    this.v.privacy.before(this.survey.element);
    const reveal = () => { this.v.root.hidden = false; };
    this.v.stylesheet.addEventListener("load", reveal);
    this.v.stylesheet.addEventListener("error", reveal);
    const info = this.store.read().serviceInfo;
    if (info && !this.config.phone) setContact(this.v, info.phone, info.opening_hours);
    this.bind();
    for (const item of this.store.outbox) this.addPending(item);
    if (this.store.conversationId || this.store.outbox.length) this.connection.start();
    if (this.config.mode !== "launcher" || this.store.open) this.open(false);
    return this;
  }

  bind() {
    const v = this.v;
    if (v.launcher) v.launcher.addEventListener("click", () => (v.panel.hidden ? this.open(true) : this.close()));
    if (v.close) v.close.addEventListener("click", () => this.close());
    v.panel.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && this.config.mode === "launcher") {
        event.preventDefault();
        this.close();
      }
    });
    v.person.addEventListener("click", () => this.onPerson());
    v.clear.addEventListener("click", () => {
      v.confirm.hidden = false;
      v.confirmText.focus();
    });
    v.confirmNo.addEventListener("click", () => {
      v.confirm.hidden = true;
      v.clear.focus();
    });
    v.confirmYes.addEventListener("click", () => this.deleteConversation());
    v.save.addEventListener("click", () => {
      downloadText(transcriptText(v.log, this.config.title, this.s), copyFileName());
      v.status.textContent = this.s.copySaved;
    });
    v.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    v.input.addEventListener("keydown", (event) => {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        this.submit();
      }
    });
    v.input.addEventListener("input", () => this.onInput());
  }

  /** Open the panel; `focus` moves keyboard focus to the message box. */
  open(focus) {
    const v = this.v;
    v.panel.hidden = false;
    if (v.launcher) v.launcher.setAttribute("aria-expanded", "true");
    if (this.config.mode === "launcher") {
      this.store.open = true;
      this.trap.start();
    }
    this.connection.start();
    this.scrollToEnd();
    if (focus) v.input.focus();
  }

  /** Close the panel (launcher mode) and return focus to the launcher. */
  close() {
    const v = this.v;
    if (!v.launcher) return;
    this.trap.stop();
    v.panel.hidden = true;
    v.launcher.setAttribute("aria-expanded", "false");
    this.store.open = false;
    v.launcher.focus();
  }

  onInput() {
    const v = this.v;
    const length = v.input.value.length;
    const left = MAX_LENGTH - length;
    v.count.textContent = left <= COUNT_FROM
      ? format(left >= 0 ? this.s.charsLeft : this.s.charsOver, { count: Math.abs(left) }, this.config.lang)
      : "";
    v.count.classList.toggle("csa-count--over", left < 0);
    clearTimeout(this.countTimer);
    this.countTimer = setTimeout(() => { v.countLive.textContent = v.count.textContent; }, 1000);
    if (left >= 0 && !v.error.hidden && v.input.value.trim()) this.showError("");
    if (this.mode === "adviser" && Date.now() - this.lastTypingSent > 3000) {
      this.lastTypingSent = Date.now();
      this.connection.sendControl({ type: "typing" });
    }
  }

  showError(text) {
    const v = this.v;
    v.error.hidden = !text;
    v.error.replaceChildren(...(text ? [h("span", { class: "csa-vh", text: `${this.s.errorPrefix} ` }), text] : []));
    v.input.setAttribute("aria-describedby", text ? "csa-error csa-count" : "csa-count");
    if (text) v.input.setAttribute("aria-invalid", "true");
    else v.input.removeAttribute("aria-invalid");
  }

  submit() {
    const v = this.v;
    const text = v.input.value.trim();
    if (!text) {
      this.showError(this.s.errorEmpty);
      v.input.focus();
      return;
    }
    if (text.length > MAX_LENGTH) {
      this.showError(format(this.s.errorTooLong, { count: MAX_LENGTH }));
      v.input.focus();
      return;
    }
    this.showError("");
    v.input.value = "";
    this.onInput();
    this.send(text);
  }

  /** Send a visitor message: typed text, or a quick reply's payload shown as its label. */
  send(text, label) {
    this.connection.start();
    const clientId = this.connection.sendMessage(text, label);
    this.addPending({ client_id: clientId, text, label });
    if (this.mode === "bot" && this.connected) this.showTyping("bot", 30000);
  }

  addPending(item) {
    this.log.addPending(item, this.connected ? this.s.sending : this.s.notSent);
    this.turnStart = null;
    this.scrollToEnd();
  }

  ctx() {
    return {
      strings: this.s,
      lang: this.config.lang,
      allowedOrigins: this.config.linkOrigins,
      onChoice: (title, payload, group) => this.onChoice(title, payload, group),
      onFeedback: (id, helpful, box) => this.onFeedback(id, helpful, box),
    };
  }

  onMessage(message) {
    if (!message) return;
    const li = this.log.receive(message);
    if (!li) return;
    const history = this.historyUntil && compareIds(message.id, this.historyUntil) <= 0;
    this.lastMessageAt[message.role] = Date.now();
    if (message.role === "bot" && message.sources && message.sources.length) this.survey.offer();
    if (message.role !== "citizen") {
      this.hideTyping();
      if (!history) {
        const who = li.firstChild.textContent;
        const text = message.text || "";
        this.announce(message.role === "system" ? text : format(this.s.said, { name: who, text }));
      }
    }
    if (history || message.role === "citizen") {
      this.turnStart = null;
      this.scrollToEnd();
    } else {
      // A reply: keep the start of the first reply to this turn in view, not the bottom.
      if (!this.turnStart || !this.turnStart.isConnected) this.turnStart = li;
      this.revealStart(this.turnStart);
    }
  }

  onChoice(title, payload, group) {
    for (const b of group.querySelectorAll("button")) b.disabled = true;
    this.send(payload || title, title);
    this.v.input.focus();
  }

  onFeedback(id, helpful, box) {
    this.connection.sendControl({ type: "feedback", message_id: id, helpful });
    const thanks = h("p", { class: "csa-feedback__thanks", tabindex: "-1", text: this.s.feedbackThanks });
    box.replaceWith(thanks);
    thanks.focus();
  }

  onPerson() {
    if (this.mode === "queued") {
      this.connection.sendControl({ type: "leave_queue" });
    } else {
      this.connection.start();
      this.connection.sendControl({ type: "handoff", reason: "requested" });
      this.showTyping("bot", 15000);
    }
  }

  onState(frame) {
    const v = this.v;
    const s = this.s;
    this.mode = ["bot", "queued", "adviser", "closed"].includes(frame.mode) ? frame.mode : "bot";
    this.adviserName = typeof frame.adviser === "string" ? frame.adviser : "";
    const { title, text } = describeState(frame, this.mode, s, this.config.lang);
    v.mode.hidden = !text;
    v.modeTitle.hidden = !title;
    v.modeTitle.textContent = title;
    v.modeText.textContent = text;
    v.mode.className = `csa-mode csa-mode--${this.mode}`;
    v.person.textContent = this.mode === "queued" ? s.leaveQueue : s.talkToPerson;
    v.person.hidden = this.mode === "adviser";
    if (this.mode !== "bot") this.hideTyping();
    if (this.mode === "closed") this.survey.offer(); // the adviser ended the chat
    if (text !== this.stateText) {
      if (text) this.announce([title, text].filter(Boolean).join(". "));
      this.stateText = text;
    }
  }

  onError(frame) {
    if (frame.client_id) this.log.fail(frame.client_id, frame.detail || this.s.serviceProblem);
    if (frame.code === "too_long" || frame.code === "empty") {
      this.showError(frame.code === "empty" ? this.s.errorEmpty : format(this.s.errorTooLong, { count: MAX_LENGTH }));
      return;
    }
    this.hideTyping();
    const text = typeof frame.detail === "string" && frame.detail ? frame.detail : this.s.serviceProblem;
    this.log.addNotice({ role: "system", text });
    this.announce(text);
    if (frame.code === "unavailable") this.v.down.hidden = false;
    this.scrollToEnd();
  }

  onStatus(kind, detail) {
    const v = this.v;
    const s = this.s;
    this.connected = kind === "open";
    let text = "";
    if (kind === "reconnecting" || kind === "down") {
      text = format(s.reconnecting, { count: detail.seconds }, this.config.lang);
    } else if (kind === "reconnecting-now") {
      text = s.reconnectingNow;
    } else if (kind === "connecting") {
      text = s.connecting;
    } else if (kind === "open" && detail.again) {
      text = s.connectedAgain;
    }
    if (kind === "down" && v.down.hidden) {
      v.down.hidden = false;
      this.announce(s.downHeading);
    }
    if (kind === "open") {
      v.down.hidden = true;
      if (!this.store.read().serviceInfo && !this.config.phone) this.loadServiceInfo();
    }
    v.status.textContent = text;
    v.status.className = `csa-status csa-status--${kind}`;
    if (kind !== "open") this.hideTyping();
    this.log.notePending(this.connected ? s.sending : s.notSent);
  }

  /** Fetch the phone number and opening hours once per visit, for when the chat fails. */
  async loadServiceInfo() {
    try {
      const response = await fetch(serviceUrl(this.config.service, "api/service-info"), { credentials: "omit" });
      if (!response.ok) return;
      const info = await response.json();
      const clean = {
        phone: typeof info.phone === "string" ? info.phone : "",
        opening_hours: typeof info.opening_hours === "string" ? info.opening_hours : "",
      };
      this.store.write({ serviceInfo: clean });
      setContact(this.v, clean.phone, clean.opening_hours);
    } catch {
      /* keep whatever contact details the page gave */
    }
  }

  /** Show "… is typing" for `ms` milliseconds (or until the next message arrives). */
  showTyping(role, ms = 6000) {
    const name = role === "adviser" ? this.adviserName || this.s.adviser : this.s.assistant;
    this.v.typing.textContent = format(this.s.typing, { name });
    this.v.typing.hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => this.hideTyping(), ms);
    if (!this.turnStart) this.scrollToEnd();
  }

  /** A typing hint from the service; one that overtook the message it announced (it
   * travels by another path) must not outlive that message. */
  onTypingHint(role) {
    if (Date.now() - (this.lastMessageAt[role] || 0) < TYPING_AFTER_MESSAGE_MS) return;
    this.showTyping(role);
  }

  hideTyping() {
    clearTimeout(this.typingTimer);
    this.v.typing.hidden = true;
  }

  /**
   * Add one new message or status to the polite live region. Only additions are read, so
   * two quick announcements are both heard; older lines are trimmed silently.
   */
  announce(text) {
    const live = this.v.live;
    setTimeout(() => {
      live.append(h("p", { text }));
      while (live.childElementCount > 3) live.firstElementChild.remove();
    }, 50);
  }

  /** Erase the conversation on the server, then forget it here; if the server could not
   * erase it, say so and keep it (the citizen can try again). */
  async deleteConversation() {
    const v = this.v;
    v.confirmYes.disabled = true;
    v.status.textContent = this.s.clearing;
    const outcome = await eraseConversation(this.config.service, this.store.conversationId);
    v.confirmYes.disabled = false;
    if (outcome === "failed") {
      v.status.textContent = this.s.clearFailed;
      v.confirmText.focus();
      return;
    }
    this.clearConversation();
  }

  clearConversation() {
    const v = this.v;
    if (this.mode === "queued") this.connection.sendControl({ type: "leave_queue" });
    this.connection.reset();
    const info = this.store.read().serviceInfo;
    this.store.clear();
    if (info) this.store.write({ serviceInfo: info });
    if (this.config.mode === "launcher") this.store.open = true;
    this.historyUntil = null;
    this.log.clear();
    this.survey.reset();
    this.onState({ mode: "bot" });
    v.down.hidden = true;
    v.confirm.hidden = true;
    v.status.textContent = this.s.cleared;
    this.hideTyping();
    v.input.focus();
  }

  /** The element that scrolls the conversation: its own region, or the whole panel when
   * the screen is too short for a separate one (see assistant.css). */
  scroller() {
    const scroll = this.v.scroll;
    return getComputedStyle(scroll).overflowY === "visible" ? this.v.panel : scroll;
  }

  scrollToEnd() {
    const scroller = this.scroller();
    scroller.scrollTop = scroller.scrollHeight;
  }

  /** Scroll so the top of `li` is at the top of the visible conversation. */
  revealStart(li) {
    const scroller = this.scroller();
    const offset = li.getBoundingClientRect().top - scroller.getBoundingClientRect().top;
    scroller.scrollTop += offset - 8;
  }
}

const started = new WeakSet();

/** Start a widget for every script tag that carries data-assistant-service. */
export function initAll(moduleUrl = import.meta.url) {
  const assistants = [];
  for (const script of document.querySelectorAll("script[data-assistant-service]")) {
    if (started.has(script)) continue;
    started.add(script);
    const config = configFromScript(script, moduleUrl);
    let host;
    const target = config.target && document.getElementById(config.target);
    if (config.mode === "inline" && target) {
      host = target.appendChild(document.createElement("div"));
    } else if (config.mode === "inline" && script.closest("body")) {
      host = document.createElement("div");
      script.after(host);
    } else {
      host = document.body.appendChild(document.createElement("div"));
    }
    host.className = "csa-host";
    assistants.push(new Assistant(config).mount(host));
  }
  if (assistants.length) {
    for (const node of document.querySelectorAll("[data-assistant-fallback]")) node.hidden = true;
  }
  return assistants;
}

initAll();
