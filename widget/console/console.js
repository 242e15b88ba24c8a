/**
 * The advisers' console: sign in, live queue, claim, transcript with the bot's context,
 * real-time replies, private notes, saved replies, transfer, end (optionally handing back
 * to the assistant) and callback requests. Plain ES modules, no framework; every piece of
 * service data is set as text.
 */
import { h } from "../src/render.js";
import { newClientId } from "../src/connection.js";
import { ConsoleApi } from "./api.js";
import { LiveConsole } from "./live.js";
import { CallbackList } from "./callbacks.js";
import { ScheduleEditor } from "./schedule.js";
import {
  contextView, noteItem, queueItem, reasonText, tickWaits, transcriptItem, clock,
} from "./render.js";
import { consoleStrings, format } from "./strings.js";

const $ = (id) => document.getElementById(id);
const MAX_LENGTH = 1000;

export class AdviserConsole {
  constructor() {
    this.s = consoleStrings(document.documentElement.lang);
    this.api = new ConsoleApi(window.location.origin);
    this.api.onSignedOut = () => this.signedOut();
    this.live = new LiveConsole(window.location.origin, {
      frame: (frame) => this.onFrame(frame),
      status: (kind, seconds) => this.onLive(kind, seconds),
      signedOut: () => this.signedOut(),
    });
    this.callbacks = new CallbackList(this.api, this.s, (text) => this.announce(text), (id) => {
      this.showView("chats");
      this.open(id);
    });
    this.schedule = new ScheduleEditor(this.api, this.s, (text) => this.announce(text));
    this.user = null;
    this.current = null;
    this.view = null;
    this.labels = new Map();
    this.waiting = null;
    this.lastTyping = 0;
  }

  /** Wire the page and show either the sign-in form or the console. */
  async start() {
    this.bind();
    setInterval(() => tickWaits($("view-chats"), this.s), 5000);
    let user = null;
    try {
      user = await this.api.me();
    } catch {
      user = null;
    }
    if (user) this.enter(user, false);
    else this.showSignIn("");
  }

  bind() {
    $("signin-form").addEventListener("submit", (e) => { e.preventDefault(); this.signIn(); });
    $("sign-out").addEventListener("click", () => this.signOut());
    $("nav-chats").addEventListener("click", () => this.showView("chats"));
    $("nav-callbacks").addEventListener("click", () => this.showView("callbacks"));
    $("nav-schedule").addEventListener("click", () => this.showView("schedule"));
    $("claim").addEventListener("click", () => this.claim());
    $("reply-form").addEventListener("submit", (e) => { e.preventDefault(); this.reply(); });
    $("reply").addEventListener("keydown", (e) => {
      if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) { e.preventDefault(); this.reply(); }
    });
    $("reply").addEventListener("input", () => {
      if (this.current && Date.now() - this.lastTyping > 3000) {
        this.lastTyping = Date.now();
        this.live.send({ type: "typing", conversation_id: this.current });
      }
    });
    $("note-form").addEventListener("submit", (e) => { e.preventDefault(); this.addNote(); });
    $("transfer-form").addEventListener("submit", (e) => { e.preventDefault(); this.transfer(); });
    $("end-form").addEventListener("submit", (e) => { e.preventDefault(); this.end(); });
    $("canned-form").addEventListener("submit", (e) => { e.preventDefault(); this.addCanned(); });
    $("callbacks-filter").addEventListener("submit", (e) => { e.preventDefault(); this.callbacks.load(); });
  }

  /** Add one line to the polite live region (only additions are read; old lines are trimmed). */
  announce(text) {
    const region = $("announce");
    setTimeout(() => {
      region.append(h("p", { text }));
      while (region.childElementCount > 3) region.firstElementChild.remove();
    }, 50);
  }

  // --- signing in and out ---------------------------------------------------------------
  showSignIn(message) {
    $("app").hidden = true;
    $("user-bar").hidden = true;
    $("signin").hidden = false;
    $("signin-error").hidden = !message;
    $("signin-error-text").textContent = message;
    (message ? $("signin-error") : $("username")).focus();
  }

  async signIn() {
    const username = $("username").value.trim();
    const password = $("password").value;
    if (!username || !password) {
      this.showSignIn(this.s.signInMissing);
      return;
    }
    try {
      const user = await this.api.login(username, password);
      $("password").value = "";
      this.enter(user, true);
    } catch (error) {
      $("password").value = "";
      this.showSignIn(error.status === 401 ? this.s.signInFailed : error.detail);
    }
  }

  enter(user, focus) {
    this.user = user;
    $("signin").hidden = true;
    $("app").hidden = false;
    $("user-bar").hidden = false;
    $("who").textContent = format(this.s.signedInAs, { name: user.display_name || user.username });
    $("nav-schedule").hidden = user.role !== "admin";
    this.live.start();
    this.loadCanned();
    if (focus) $("queue-title").focus();
  }

  signedOut() {
    this.live.stop();
    this.current = null;
    this.showSignIn(this.s.sessionEnded);
  }

  async signOut() {
    try {
      await this.api.logout();
    } catch {
      /* signed out anyway */
    }
    this.live.stop();
    this.current = null;
    this.showSignIn("");
  }

  showView(name) {
    for (const view of ["chats", "callbacks", "schedule"]) {
      $(`view-${view}`).hidden = view !== name;
      if (view === name) $(`nav-${view}`).setAttribute("aria-current", "page");
      else $(`nav-${view}`).removeAttribute("aria-current");
    }
    if (name === "callbacks") this.callbacks.load();
    if (name === "schedule") this.schedule.load();
  }

  // --- live frames ------------------------------------------------------------------------
  onLive(kind, seconds) {
    $("live-status").textContent = kind === "open" ? this.s.live : format(this.s.liveLost, { count: seconds });
    $("live-status").classList.toggle("con-live-status--lost", kind !== "open");
  }

  onFrame(frame) {
    if (frame.type === "queue") this.renderQueue(frame);
    else if (frame.type === "message" && frame.conversation_id === this.current) this.addMessage(frame.message, true);
    else if (frame.type === "typing" && frame.conversation_id === this.current) this.citizenTyping();
    else if (frame.type === "conversation" && frame.conversation_id === this.current) this.refresh();
    else if (frame.type === "error" && frame.conversation_id === this.current) this.showError(frame.detail);
  }

  renderQueue(snapshot) {
    const s = this.s;
    const now = Date.now();
    const focusedId = document.activeElement && document.activeElement.classList.contains("con-item")
      ? document.activeElement.dataset.id : null;
    const open = (id) => this.open(id);
    const lists = [];
    const waitingIds = new Set();
    let total = 0;
    // Priority chats first, always: one list above every queue, oldest first.
    const urgent = (snapshot.queues || []).flatMap((queue) => queue.waiting || [])
      .filter((item) => item.priority).sort((a, b) => a.queued_at - b.queued_at);
    $("priority").replaceChildren(...urgent.map((item) => queueItem(item, s, open, now, true)));
    $("priority-box").hidden = !urgent.length;
    for (const item of urgent) waitingIds.add(item.conversation_id);
    total += urgent.length;
    for (const queue of snapshot.queues || []) {
      const items = (queue.waiting || []).filter((item) => !item.priority).map((item) => {
        waitingIds.add(item.conversation_id);
        return queueItem(item, s, open, now);
      });
      total += items.length;
      const id = `queue-${queue.name}`;
      lists.push(h("h3", { id, text: queue.name }),
        items.length ? h("ul", { class: "con-list", "aria-labelledby": id }, ...items)
          : h("p", { class: "con-hint", text: s.queueEmpty }));
    }
    $("queue-lists").replaceChildren(...lists);
    const mine = (snapshot.mine || []).map((item) => queueItem(item, s, open, null));
    $("mine").replaceChildren(...(mine.length ? mine : [h("li", { class: "con-hint", text: s.mineEmpty })]));
    $("queue-summary").textContent = [
      format(s.queueSummary, { count: total, advisers: snapshot.advisers_online ?? "?" }),
      snapshot.open_now === false ? s.closedNow : "",
    ].filter(Boolean).join(" ");
    const select = $("transfer-queue");
    const chosen = select.value;
    select.replaceChildren(...(snapshot.queues || []).map((q) => h("option", { value: q.name, text: q.name })));
    if (chosen) select.value = chosen;
    if (this.waiting) {
      for (const queue of snapshot.queues || []) {
        for (const item of queue.waiting || []) {
          if (!this.waiting.has(item.conversation_id)) this.announce(format(s.newWaiting, { topic: item.topic || s.noTopic }));
        }
      }
    }
    this.waiting = waitingIds;
    if (focusedId) {
      const again = document.querySelector(`.con-item[data-id="${CSS.escape(focusedId)}"]`);
      if (again) again.focus();
    }
  }

  // --- one conversation ---------------------------------------------------------------------
  async open(id) {
    this.current = id;
    this.labels.clear();
    $("transcript").replaceChildren();
    this.showError("");
    try {
      this.render(await this.api.conversation(id));
    } catch (error) {
      this.showError(error.detail);
      return;
    }
    $("conv-title").focus();
  }

  async refresh() {
    if (!this.current) return;
    try {
      this.render(await this.api.conversation(this.current));
    } catch (error) {
      this.showError(error.detail);
    }
  }

  holding() {
    return Boolean(this.view && this.view.mode === "adviser" && this.view.adviser === this.user.username);
  }

  render(view) {
    const s = this.s;
    this.view = view;
    $("conv-title").textContent = view.topic ? format(s.chatTitle, { topic: view.topic }) : s.chatUntitled;
    const meta = [format(s.chatMeta, { reason: reasonText(view.reason, s) || "—", queue: view.queue || "—",
      time: clock(view.created) })];
    if (view.page_url) meta.push(format(s.cameFrom, { page: view.page_url }));
    if (view.adviser && !this.holding()) meta.push(format(s.held, { name: view.adviser }));
    $("conv-meta").textContent = meta.join(" ");
    $("claim").hidden = view.mode !== "queued";
    $("holder-tools").hidden = !this.holding();
    $("note-form").hidden = false;
    $("transcript-box").hidden = false;
    for (const message of view.messages || []) this.addMessage(message, false);
    $("context").replaceChildren(...contextView(view.context, s));
    const notes = (view.notes || []).map(noteItem);
    $("notes").replaceChildren(...(notes.length ? notes : [h("li", { class: "con-hint", text: s.notesEmpty })]));
    const last = (view.messages || []).at(-1);
    this.live.watch(view.conversation_id, last ? last.id : null);
  }

  addMessage(message, announce) {
    const list = $("transcript");
    if (!message || list.querySelector(`[data-id="${CSS.escape(message.id)}"]`)) return;
    list.append(transcriptItem(message, this.s, this.labels));
    this.live.seen(this.current, message.id);
    const box = $("transcript-box");
    box.scrollTop = box.scrollHeight;
    if (message.role === "citizen") $("citizen-typing").hidden = true;
    if (announce && message.role !== "adviser") {
      this.announce(`${message.role === "citizen" ? this.s.citizen : this.s.bot}: ${message.text}`);
    }
  }

  citizenTyping() {
    $("citizen-typing").hidden = false;
    clearTimeout(this.typingTimer);
    this.typingTimer = setTimeout(() => { $("citizen-typing").hidden = true; }, 6000);
  }

  showError(text) {
    $("conv-error").hidden = !text;
    $("conv-error").textContent = text ? format(this.s.failed, { detail: text }) : "";
  }

  /** Run one action; on failure show why and refresh the view. */
  async act(action) {
    this.showError("");
    try {
      return await action();
    } catch (error) {
      this.showError(error.status === 409 ? this.s.claimTaken : error.detail);
      this.refresh();
      return null;
    }
  }

  async claim() {
    const result = await this.act(() => this.api.claim(this.current));
    if (!result) return;
    this.render(result.conversation);
    this.announce(this.s.claimed);
    $("reply").focus();
  }

  validText(field, error) {
    const text = field.value.trim();
    const problem = !text ? this.s.empty : text.length > MAX_LENGTH ? format(this.s.tooLong, { count: MAX_LENGTH }) : "";
    if (error) {
      error.hidden = !problem;
      error.textContent = problem;
    }
    field.toggleAttribute("aria-invalid", Boolean(problem));
    if (problem) field.focus();
    return problem ? null : text;
  }

  async reply() {
    const text = this.validText($("reply"), $("reply-error"));
    if (!text) return;
    const result = await this.act(() => this.api.reply(this.current, text, newClientId()));
    if (!result) return;
    $("reply").value = "";
    this.addMessage(result.message, false);
    $("reply").focus();
  }

  async addNote() {
    const text = this.validText($("note"), null);
    if (!text) return;
    const result = await this.act(() => this.api.note(this.current, text));
    if (!result) return;
    $("note").value = "";
    const list = $("notes");
    list.querySelector(".con-hint")?.remove();
    list.append(noteItem(result.note));
  }

  async transfer() {
    const queue = $("transfer-queue").value;
    const result = await this.act(() => this.api.transfer(this.current, queue));
    if (!result) return;
    this.render(result.conversation);
    this.announce(format(this.s.transferred, { queue }));
    $("conv-title").focus();
  }

  async end() {
    const outcome = new FormData($("end-form")).get("outcome") || "resolved";
    const result = await this.act(() => this.api.end(this.current, outcome, $("hand-back").checked));
    if (!result) return;
    this.render(result.conversation);
    this.announce(this.s.ended);
    $("conv-title").focus();
  }

  // --- saved replies -------------------------------------------------------------------------
  async loadCanned() {
    let replies = [];
    try {
      replies = (await this.api.canned()).replies || [];
    } catch {
      replies = [];
    }
    const items = replies.map((reply) => {
      const insert = h("button", { type: "button", class: "con-button con-button--secondary",
        text: this.s.cannedInsert, "aria-label": `${this.s.cannedInsert}: ${reply.title}` });
      insert.addEventListener("click", () => {
        const box = $("reply");
        box.value = box.value ? `${box.value} ${reply.text}` : reply.text;
        box.focus();
      });
      return h("li", { class: "con-canned" }, h("strong", { text: reply.title }), h("span", { text: reply.text }), insert);
    });
    $("canned").replaceChildren(...(items.length ? items : [h("li", { class: "con-hint", text: this.s.cannedNone })]));
  }

  async addCanned() {
    const title = $("canned-title").value.trim();
    const text = this.validText($("canned-text"), null);
    if (!title || !text) {
      $("canned-title").focus();
      return;
    }
    const result = await this.act(() => this.api.addCanned(title, text));
    if (!result) return;
    $("canned-title").value = "";
    $("canned-text").value = "";
    await this.loadCanned();
  }
}

new AdviserConsole().start();
