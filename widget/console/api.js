/**
 * The console's HTTP calls: JSON in and out, the CSRF header on every change, and one
 * error type carrying the gateway's `{"error": {"code", "detail"}}`.
 */
export class ApiError extends Error {
  constructor(status, code, detail) {
    super(detail || code);
    this.status = status;
    this.code = code;
    this.detail = detail || code;
  }
}

export class ConsoleApi {
  /** @param {string} base - the gateway's base URL ("" for this site). */
  constructor(base = "") {
    this.base = base;
    this.csrf = "";
    this.onSignedOut = () => {};
  }

  async request(method, path, body) {
    const headers = { Accept: "application/json" };
    if (method !== "GET") {
      headers["Content-Type"] = "application/json";
      headers["X-CSRF-Token"] = this.csrf;
    }
    let response;
    try {
      response = await fetch(`${this.base}/api/console/${path}`, {
        method, headers, credentials: "same-origin",
        body: method === "GET" ? undefined : JSON.stringify(body || {}),
      });
    } catch {
      throw new ApiError(0, "network", "The service cannot be reached.");
    }
    if (response.status === 204) return null;
    let data = null;
    try {
      data = await response.json();
    } catch {
      data = null;
    }
    if (!response.ok) {
      const error = (data && data.error) || {};
      const failure = new ApiError(response.status, error.code || "error", error.detail);
      if (response.status === 401 && path !== "login") this.onSignedOut(failure);
      throw failure;
    }
    return data;
  }

  /** Sign in; remembers the CSRF token. */
  async login(username, password) {
    const data = await this.request("POST", "login", { username, password });
    this.csrf = data.csrf_token;
    return data.user;
  }

  /** The signed-in user, or null. */
  async me() {
    try {
      const data = await this.request("GET", "me");
      this.csrf = data.csrf_token;
      return data.user;
    } catch (error) {
      if (error.status === 401) return null;
      throw error;
    }
  }

  logout() { return this.request("POST", "logout"); }
  queue() { return this.request("GET", "queue"); }
  conversation(id) { return this.request("GET", `conversations/${id}`); }
  claim(id) { return this.request("POST", `conversations/${id}/claim`); }
  reply(id, text, clientId) { return this.request("POST", `conversations/${id}/messages`, { text, client_id: clientId }); }
  note(id, text) { return this.request("POST", `conversations/${id}/notes`, { text }); }
  transfer(id, queue) { return this.request("POST", `conversations/${id}/transfer`, { queue }); }
  end(id, outcome, handBack) {
    return this.request("POST", `conversations/${id}/end`, { outcome, hand_back: handBack });
  }
  callbacks(status) { return this.request("GET", `callbacks?status=${encodeURIComponent(status)}`); }
  callbackStatus(id, status) { return this.request("POST", `callbacks/${encodeURIComponent(id)}/status`, { status }); }
  canned() { return this.request("GET", "canned"); }
  schedule() { return this.request("GET", "schedule"); }
  saveSchedule(schedule) { return this.request("PUT", "schedule", schedule); }
  addCanned(title, text) { return this.request("POST", "canned", { title, text }); }
}
