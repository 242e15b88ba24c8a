/**
 * The message list: draws each stored message once, keeps the visitor's unsent messages
 * last (marked "not sent yet"), and swaps a pending bubble for the stored message when
 * the service acknowledges it or echoes it back.
 */
import { h, renderMessage } from "./render.js";

export class MessageLog {
  /**
   * @param {HTMLOListElement} list - the <ol> the messages go in.
   * @param {() => object} ctx - returns the render context (strings, callbacks, …).
   */
  constructor(list, ctx) {
    this.list = list;
    this.ctx = ctx;
    this.rendered = new Map();
    this.pending = new Map();
    this.labels = new Map();
  }

  /** Draw a message the visitor has just sent (or that waits in the outbox). */
  addPending(item, note) {
    const li = renderMessage({ role: "citizen", text: item.label || item.text }, this.ctx());
    li.classList.add("csa-msg--pending");
    li.append(h("p", { class: "csa-msg__note", text: note }));
    this.pending.set(item.client_id, li);
    this.list.append(li);
  }

  /** Set the note on every pending message ("Sending" or "Not sent yet"). */
  notePending(note) {
    for (const li of this.pending.values()) li.querySelector(".csa-msg__note").textContent = note;
  }

  /**
   * Draw a stored message unless it is already shown; returns its element, or null when it
   * was a duplicate. A citizen message that matches a pending one takes its place.
   */
  receive(message) {
    if (this.rendered.has(message.id)) return null;
    if (Array.isArray(message.buttons)) {
      for (const b of message.buttons) if (b && b.payload && b.title) this.labels.set(b.payload, b.title);
    }
    let shown = message;
    if (message.role === "citizen" && this.labels.has(message.text)) {
      shown = { ...message, text: this.labels.get(message.text) };
    }
    const pending = message.role === "citizen" ? this.pending.get(message.client_id) : null;
    if (pending) {
      this.settle(message.client_id, pending, message.id);
      return pending;
    }
    const li = renderMessage(shown, this.ctx());
    this.rendered.set(message.id, li);
    this.list.insertBefore(li, this.list.querySelector(".csa-msg--pending"));
    if (li.querySelector(".csa-choices")) this.retireChoices(li);
    return li;
  }

  /** The service stored a pending message as `id`. */
  ack(clientId, id) {
    const li = this.pending.get(clientId);
    if (!li) return;
    if (this.rendered.has(id)) {
      this.pending.delete(clientId);
      li.remove();
    } else {
      this.settle(clientId, li, id);
    }
  }

  /** The service refused a pending message: keep it on screen with the reason. */
  fail(clientId, reason) {
    const li = this.pending.get(clientId);
    if (!li) return;
    this.pending.delete(clientId);
    li.querySelector(".csa-msg__note").textContent = reason;
    li.classList.add("csa-msg--failed");
  }

  settle(clientId, li, id) {
    this.pending.delete(clientId);
    li.classList.remove("csa-msg--pending");
    li.querySelector(".csa-msg__note")?.remove();
    li.dataset.id = id;
    this.rendered.set(id, li);
  }

  /** Disable quick replies on every message except `keep` (only the newest are live). */
  retireChoices(keep) {
    for (const group of this.list.querySelectorAll(".csa-choices")) {
      if (!keep || !keep.contains(group)) for (const b of group.querySelectorAll("button")) b.disabled = true;
    }
  }

  /** Add a note that is not a stored message (an error from the service). */
  addNotice(message) {
    this.list.insertBefore(renderMessage(message, this.ctx()), this.list.querySelector(".csa-msg--pending"));
  }

  /** Forget everything shown. */
  clear() {
    this.rendered.clear();
    this.pending.clear();
    this.labels.clear();
    this.list.replaceChildren();
  }
}
