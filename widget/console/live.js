/**
 * The console's WebSocket (/ws/console): queue pushes, watched transcripts and typing
 * hints, reconnecting with the same backoff as the citizen widget. On every reconnect
 * it watches the open conversation again from the last message it has seen.
 */
import { backoffDelay, serviceUrl } from "../src/connection.js";

export class LiveConsole {
  /**
   * @param {string} base - the gateway's base URL.
   * @param {object} on - callbacks: frame(frame), status(kind, seconds), signedOut().
   */
  constructor(base, on) {
    this.base = base;
    this.on = on;
    this.ws = null;
    this.attempt = 0;
    this.timer = null;
    this.ping = null;
    this.stopped = true;
    this.watching = null;
  }

  start() {
    if (!this.stopped) return;
    this.stopped = false;
    this.connect();
  }

  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.ping);
    const ws = this.ws;
    this.ws = null;
    if (ws) ws.close(1000);
  }

  connect() {
    if (this.stopped) return;
    const ws = new WebSocket(serviceUrl(this.base, "ws/console", true));
    this.ws = ws;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      this.attempt = 0;
      this.on.status("open", 0);
      if (this.watching) this.send({ type: "watch", ...this.watching });
      clearInterval(this.ping);
      this.ping = setInterval(() => this.send({ type: "ping" }), 20000);
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      let frame;
      try {
        frame = JSON.parse(event.data);
      } catch {
        return;
      }
      if (frame && typeof frame === "object") this.on.frame(frame);
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      this.ws = null;
      clearInterval(this.ping);
      if (event.code === 4401) {
        this.stopped = true;
        this.on.signedOut();
        return;
      }
      const delay = backoffDelay(this.attempt);
      this.attempt += 1;
      this.on.status("lost", Math.max(1, Math.round(delay / 1000)));
      this.timer = setTimeout(() => this.connect(), delay);
    };
  }

  send(frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** Stream one conversation (history after `after`, then live); replaces any other. */
  watch(conversationId, after) {
    if (this.watching && this.watching.conversation_id !== conversationId) {
      this.send({ type: "unwatch", conversation_id: this.watching.conversation_id });
    }
    this.watching = { conversation_id: conversationId, after };
    this.send({ type: "watch", ...this.watching });
  }

  /** Remember the newest message id seen, so a reconnect resumes after it. */
  seen(conversationId, id) {
    if (this.watching && this.watching.conversation_id === conversationId) this.watching.after = id;
  }

  unwatch() {
    if (this.watching) this.send({ type: "unwatch", conversation_id: this.watching.conversation_id });
    this.watching = null;
  }
}
