/**
 * The callbacks view: callback requests (as the bot's callback form stored them) in a table
 * with one column per detail, priority (safety) requests first and marked, each linked to
 * its conversation and with a button to mark it done or open again.
 */
import { h } from "../src/render.js";
import { format } from "./strings.js";

function requestedAt(cb) {
  const created = new Date(Number(cb.created) * 1000);
  return Number.isNaN(created.getTime()) ? "" : created.toLocaleString("en-GB", {
    day: "numeric", month: "short", hour: "2-digit", minute: "2-digit",
  });
}

/** The callbacks table. `on.status(id, next)` changes a status; `on.open(id)` opens a chat. */
function callbacksTable(callbacks, s, on) {
  if (!callbacks.length) return h("p", { text: s.callbacksEmpty });
  const c = s.callbackColumns;
  const head = h("tr", {}, ...[c.reference, c.created, c.name, c.phone, c.time, c.topic,
    c.conversation, c.status, c.action].map((label) => h("th", { scope: "col", text: label })));
  const rows = callbacks.map((cb) => {
    const next = cb.status === "done" ? "open" : "done";
    const who = cb.name || cb.reference || cb.id;
    const button = h("button", { type: "button", class: "con-button con-button--secondary",
      text: next === "done" ? s.callbackDone : s.callbackOpen });
    button.setAttribute("aria-label", `${button.textContent}: ${who}`);
    button.addEventListener("click", () => on.status(cb.id, next));
    let chat = h("span", { text: "—" });
    if (cb.conversation_id) {
      chat = h("button", { type: "button", class: "con-link", text: s.callbackChat,
        "aria-label": format(s.callbackChatLabel, { name: who }) });
      chat.dataset.conversation = cb.conversation_id;
      chat.addEventListener("click", () => on.open(cb.conversation_id));
    }
    const status = cb.status === "done" && cb.handled_by
      ? format(s.callbackDoneBy, { name: cb.handled_by }) : s.callbacksStatus[cb.status] || cb.status || "";
    return h("tr", { class: cb.priority ? "con-row--priority" : null },
      h("th", { scope: "row" },
        cb.priority ? h("strong", { class: "con-tag", text: s.priority }) : null,
        cb.priority ? " " : null, h("span", { class: "con-ref", text: cb.reference || cb.id })),
      h("td", { text: requestedAt(cb) }), h("td", { text: cb.name || "" }),
      h("td", {}, h("span", { class: "con-ref", text: cb.phone || "" })),
      h("td", { text: cb.preferred_time || "" }), h("td", { text: cb.topic || "" }),
      h("td", {}, chat), h("td", { text: status }), h("td", {}, button));
  });
  return h("div", { class: "con-table-wrap", role: "region", "aria-label": s.callbacksTable, tabindex: "0" },
    h("table", { class: "con-table" }, h("caption", { class: "con-vh", text: s.callbacksCaption }),
      h("thead", {}, head), h("tbody", {}, ...rows)));
}

export class CallbackList {
  /**
   * @param {import("./api.js").ConsoleApi} api
   * @param {object} s - the console strings.
   * @param {(text: string) => void} announce - tells screen-reader users what happened.
   * @param {(id: string) => void} openChat - shows a conversation in the chats view.
   */
  constructor(api, s, announce, openChat) {
    this.api = api;
    this.s = s;
    this.announce = announce;
    this.openChat = openChat;
  }

  /** Fetch and show the requests with the chosen status. */
  async load() {
    const status = document.getElementById("callbacks-status").value;
    const box = document.getElementById("callbacks");
    try {
      const data = await this.api.callbacks(status);
      box.replaceChildren(callbacksTable(data.callbacks || [], this.s, {
        status: (id, next) => this.set(id, next),
        open: (id) => this.openChat(id),
      }));
    } catch (error) {
      box.replaceChildren(h("p", { class: "con-error", text: format(this.s.failed, { detail: error.detail }) }));
    }
  }

  async set(id, status) {
    try {
      await this.api.callbackStatus(id, status);
    } catch (error) {
      this.announce(format(this.s.failed, { detail: error.detail }));
    }
    await this.load();
    document.getElementById("callbacks-title").focus();
  }
}
