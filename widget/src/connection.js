/**
 * The widget's link to the gateway: one WebSocket per conversation, reconnecting with
 * backoff, and an outbox so no message is lost or sent twice.
 *
 * Every message the visitor sends gets a client_id and stays in the outbox (kept in
 * sessionStorage) until the service acknowledges it. After every (re)connect the
 * connection first sends `resume` with the last message id it has seen, then sends
 * the outbox again; the service ignores a client_id it already stored.
 */
import { compareIds } from "./store.js";

const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;
/** Close codes the gateway uses when the conversation id is unknown or expired. */
const UNKNOWN_CONVERSATION = new Set([4404, 4410]);
/** Send a ping this often; a socket silent for SILENT_MS is treated as dropped. */
const PING_MS = 20000;
const SILENT_MS = 45000;

/** Milliseconds to wait before reconnect attempt number `attempt` (0-based), with jitter. */
export function backoffDelay(attempt, random = Math.random) {
  const base = Math.min(15000, 500 * 2 ** Math.min(attempt, 10));
  return Math.round(base * (0.8 + 0.4 * random()));
}

/** A random id for one outgoing message. */
export function newClientId() {
  if (globalThis.crypto && crypto.randomUUID) return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Build the URL of an API path under the service URL (which may carry a path prefix). */
export function serviceUrl(service, path, websocket = false) {
  const url = new URL(path, service.endsWith("/") ? service : `${service}/`);
  if (websocket) url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
  return url.toString();
}

export class Connection {
  /**
   * @param {object} options
   * @param {string} options.service - base URL of the gateway.
   * @param {import("./store.js").ConversationStore} options.store
   * @param {object} options.on - callbacks: message, ack, state, typing, error, status.
   * @param {string} [options.pageUrl] - the page the visitor started on.
   * @param {number} [options.downAfter] - failed attempts before the service counts as down.
   */
  constructor({ service, store, on, pageUrl = "", downAfter = 3 }) {
    this.service = service;
    this.store = store;
    this.on = on;
    this.pageUrl = pageUrl;
    this.downAfter = downAfter;
    this.ws = null;
    this.ready = false;
    this.after = null;
    this.attempt = 0;
    this.timer = null;
    this.stopped = true;
    this.controls = [];
    this.wasConnected = false;
    this.onOnline = () => this.retryNow();
    this.onOffline = () => this.ws && this.drop(this.ws);
    this.heartbeat = null;
    this.heardAt = 0;
  }

  /** Start connecting (creating the conversation first if there is none). */
  start() {
    if (!this.stopped) return;
    this.stopped = false;
    window.addEventListener("online", this.onOnline);
    window.addEventListener("offline", this.onOffline);
    this.connect();
  }

  /** Close the socket and stop reconnecting. */
  stop() {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.heartbeat);
    window.removeEventListener("online", this.onOnline);
    window.removeEventListener("offline", this.onOffline);
    const ws = this.ws;
    this.ws = null;
    this.ready = false;
    if (ws) ws.close(1000);
  }

  /** Forget the position in the conversation (after "Clear conversation"). */
  reset() {
    this.stop();
    this.after = null;
    this.attempt = 0;
    this.controls = [];
    this.wasConnected = false;
  }

  /**
   * Queue a visitor message and return its client_id; it is sent now if connected.
   * `label` is what the visitor sees when `text` is a quick reply's payload.
   */
  sendMessage(text, label) {
    const item = { client_id: newClientId(), text };
    if (label && label !== text) item.label = label;
    this.store.outbox = [...this.store.outbox, item];
    if (this.ready) this.transmitMessage(item);
    return item.client_id;
  }

  transmitMessage(item) {
    this.transmit({ type: "message", text: item.text, client_id: item.client_id });
  }

  /** Send a control frame (handoff, leave_queue, feedback, typing); kept until connected. */
  sendControl(frame) {
    if (this.ready) this.transmit(frame);
    else if (frame.type !== "typing") this.controls.push(frame);
  }

  /** Try to reconnect at once (the browser came back online, or the visitor asked). */
  retryNow() {
    if (this.stopped || this.ws) return;
    clearTimeout(this.timer);
    this.connect();
  }

  async connect() {
    this.timer = null;
    if (this.stopped) return;
    this.on.status(this.wasConnected ? "reconnecting-now" : "connecting", {});
    let id;
    try {
      id = await this.ensureConversation();
    } catch {
      this.scheduleRetry();
      return;
    }
    if (this.stopped) return;
    this.openSocket(id);
  }

  async ensureConversation() {
    const saved = this.store.conversationId;
    if (saved) return saved;
    const response = await fetch(serviceUrl(this.service, "api/conversations"), {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ page_url: this.pageUrl }),
      credentials: "omit",
    });
    if (!response.ok) throw new Error(`create conversation: ${response.status}`);
    const body = await response.json();
    if (!ID_PATTERN.test(body.conversation_id || "")) throw new Error("bad conversation id");
    this.store.write({ conversationId: body.conversation_id, lastSeen: null });
    this.after = null;
    return body.conversation_id;
  }

  openSocket(id) {
    let ws;
    try {
      ws = new WebSocket(serviceUrl(this.service, `ws/conversations/${id}`, true));
    } catch {
      this.scheduleRetry();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      if (ws !== this.ws) return;
      ws.send(JSON.stringify({ type: "resume", after: this.after }));
      this.heardAt = Date.now();
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => this.beat(ws), PING_MS);
      this.ready = true;
      this.attempt = 0;
      this.on.status("open", { again: this.wasConnected });
      this.wasConnected = true;
      for (const item of this.store.outbox) this.transmitMessage(item);
      const controls = this.controls;
      this.controls = [];
      for (const frame of controls) this.transmit(frame);
    };
    ws.onmessage = (event) => {
      if (ws !== this.ws) return;
      this.heardAt = Date.now();
      this.receive(event.data);
    };
    ws.onclose = (event) => {
      if (ws !== this.ws) return;
      if (UNKNOWN_CONVERSATION.has(event.code)) {
        this.store.write({ conversationId: null, lastSeen: null });
        this.after = null;
      }
      this.drop(ws);
    };
  }

  /** Keep the socket alive, and give up on one that has gone silent. */
  beat(ws) {
    if (ws !== this.ws) return;
    if (Date.now() - this.heardAt > SILENT_MS) this.drop(ws);
    else this.transmit({ type: "ping" });
  }

  /** Forget a socket that closed or went silent, and reconnect with backoff. */
  drop(ws) {
    if (ws !== this.ws) return;
    clearInterval(this.heartbeat);
    this.ws = null;
    this.ready = false;
    try {
      ws.close();
    } catch {
      /* already closed */
    }
    this.scheduleRetry();
  }

  transmit(frame) {
    try {
      this.ws.send(JSON.stringify(frame));
    } catch {
      /* the close handler reconnects and the outbox is sent again */
    }
  }

  receive(data) {
    let frame;
    try {
      frame = JSON.parse(data);
    } catch {
      return;
    }
    if (!frame || typeof frame !== "object") return;
    if (frame.type === "message" && frame.message && typeof frame.message.id === "string") {
      const id = frame.message.id;
      if (this.after && compareIds(id, this.after) <= 0) return;
      this.after = id;
      this.on.message(frame.message);
      this.store.lastSeen = id;
    } else if (frame.type === "ack" && typeof frame.client_id === "string") {
      this.store.outbox = this.store.outbox.filter((item) => item.client_id !== frame.client_id);
      this.on.ack(frame.client_id, frame.id);
    } else if (frame.type === "state") {
      this.on.state(frame);
    } else if (frame.type === "typing") {
      this.on.typing(frame.role);
    } else if (frame.type === "error") {
      if (typeof frame.client_id === "string") {
        this.store.outbox = this.store.outbox.filter((item) => item.client_id !== frame.client_id);
      }
      this.on.error(frame);
    }
  }

  scheduleRetry() {
    if (this.stopped) return;
    const delay = backoffDelay(this.attempt);
    this.attempt += 1;
    this.on.status(this.attempt >= this.downAfter ? "down" : "reconnecting", {
      seconds: Math.max(1, Math.round(delay / 1000)),
    });
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.connect(), delay);
  }
}
