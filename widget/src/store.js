/**
 * What the widget remembers between pages of one visit, kept in sessionStorage.
 *
 * Holds the conversation id, the id of the last message seen, messages not yet
 * acknowledged by the service (the outbox) and whether the panel was open. Nothing
 * here outlives the browser tab. If sessionStorage is blocked, an in-memory copy is
 * used so the widget still works on the current page.
 */
const ID_PATTERN = /^[A-Za-z0-9_-]{32}$/;

export class ConversationStore {
  /** @param {string} namespace - usually the service origin, so two services never mix. */
  constructor(namespace, storage) {
    this.key = `csa:${namespace}`;
    this.memory = {};
    try {
      this.storage = storage === undefined ? window.sessionStorage : storage;
      this.storage.getItem(this.key);
    } catch {
      this.storage = null;
    }
  }

  /** Read the whole saved state (an object; empty when nothing is saved). */
  read() {
    if (!this.storage) return { ...this.memory };
    try {
      const saved = JSON.parse(this.storage.getItem(this.key) || "{}");
      return saved && typeof saved === "object" ? saved : {};
    } catch {
      return {};
    }
  }

  /** Merge `changes` into the saved state. */
  write(changes) {
    const next = { ...this.read(), ...changes };
    this.memory = next;
    if (!this.storage) return;
    try {
      this.storage.setItem(this.key, JSON.stringify(next));
    } catch {
      /* storage full or blocked: the in-memory copy still serves this page */
    }
  }

  /** The conversation id, or null when there is none or it is malformed. */
  get conversationId() {
    const id = this.read().conversationId;
    return typeof id === "string" && ID_PATTERN.test(id) ? id : null;
  }

  set conversationId(id) {
    this.write({ conversationId: id });
  }

  /** The stream id of the last message shown, or null. */
  get lastSeen() {
    return this.read().lastSeen || null;
  }

  set lastSeen(id) {
    this.write({ lastSeen: id });
  }

  /** Frames waiting to be sent or acknowledged: [{client_id, text, payload?}]. */
  get outbox() {
    const outbox = this.read().outbox;
    return Array.isArray(outbox) ? outbox : [];
  }

  set outbox(items) {
    this.write({ outbox: items });
  }

  /** Whether the panel was open when the visitor left the last page. */
  get open() {
    return this.read().open === true;
  }

  set open(value) {
    this.write({ open: Boolean(value) });
  }

  /** Forget everything: used by "Clear conversation". */
  clear() {
    this.memory = {};
    if (!this.storage) return;
    try {
      this.storage.removeItem(this.key);
    } catch {
      /* nothing to do */
    }
  }
}

/** Compare two Redis stream ids ("ms-seq"); negative when a comes first. */
export function compareIds(a, b) {
  const [am, as] = String(a).split("-").map(Number);
  const [bm, bs] = String(b).split("-").map(Number);
  return am === bm ? (as || 0) - (bs || 0) : am - bm;
}
