/**
 * The callbacks view: callback requests (as the bot's callback form stored them) listed with
 * every field as plain text, filtered by status, each with a button to mark it done or open.
 */
import { h } from "../src/render.js";
import { format } from "./strings.js";

const KNOWN = new Set(["id", "conversation_id", "name", "phone", "created", "status", "handled_by", "handled_at"]);

/** The callbacks table: every field of each request, with a button to change its status. */
function callbacksTable(callbacks, s, onStatus) {
  if (!callbacks.length) return h("p", { text: s.callbacksEmpty });
  const c = s.callbackColumns;
  const head = h("tr", {}, ...[c.created, c.name, c.phone, c.details, c.status, c.action]
    .map((label) => h("th", { scope: "col", text: label })));
  const rows = callbacks.map((cb) => {
    const created = new Date(Number(cb.created) * 1000);
    const details = Object.entries(cb).filter(([key]) => !KNOWN.has(key))
      .map(([key, value]) => `${key}: ${value}`).join("; ");
    const next = cb.status === "done" ? "open" : "done";
    const button = h("button", { type: "button", class: "con-button con-button--secondary",
      text: next === "done" ? s.callbackDone : s.callbackOpen });
    button.setAttribute("aria-label", `${button.textContent}: ${cb.name || cb.id}`);
    button.addEventListener("click", () => onStatus(cb.id, next));
    return h("tr", {},
      h("td", { text: Number.isNaN(created.getTime()) ? "" : created.toLocaleString("en-GB") }),
      h("td", { text: cb.name || "" }), h("td", { text: cb.phone || "" }),
      h("td", { text: details }), h("td", { text: s.callbacksStatus[cb.status] || cb.status || "" }),
      h("td", {}, button));
  });
  return h("div", { class: "con-table-wrap", role: "region", "aria-label": "Callback requests table", tabindex: "0" },
    h("table", { class: "con-table" }, h("thead", {}, head), h("tbody", {}, ...rows)));
}

export class CallbackList {
  /**
   * @param {import("./api.js").ConsoleApi} api
   * @param {object} s - the console strings.
   * @param {(text: string) => void} announce - tells screen-reader users what happened.
   */
  constructor(api, s, announce) {
    this.api = api;
    this.s = s;
    this.announce = announce;
  }

  /** Fetch and show the requests with the chosen status. */
  async load() {
    const status = document.getElementById("callbacks-status").value;
    const box = document.getElementById("callbacks");
    try {
      const data = await this.api.callbacks(status);
      box.replaceChildren(callbacksTable(data.callbacks || [], this.s, (id, next) => this.set(id, next)));
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
