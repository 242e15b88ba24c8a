// Calls to the editor API: CSRF header, JSON, and errors turned into plain messages.

export class ApiError extends Error {
  constructor(status, body) {
    const error = (body && body.error) || {};
    super(error.detail || `The server answered ${status}.`);
    this.status = status;
    this.code = error.code || "error";
    this.body = body || {};
    this.problems = error.problems || [];
  }
}

function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)csa_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

/** fetch JSON from the API; throws ApiError (401 shows the sign-in form). */
export async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  const options = { method, headers, credentials: "same-origin" };
  if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  if (method !== "GET") headers["X-CSRF-Token"] = csrfToken();
  let response;
  try {
    response = await fetch(path, options);
  } catch {
    throw new ApiError(0, { error: { code: "offline",
      detail: "We could not reach the server. Check your connection and try again." } });
  }
  let data = null;
  const text = await response.text();
  if (text) {
    try { data = JSON.parse(text); } catch { data = null; }
  }
  if (!response.ok) {
    if (response.status === 413 && !(data && data.error)) {
      data = { error: { code: "too_large", detail: "That is too large to upload." } };
    }
    const error = new ApiError(response.status, data);
    if (response.status === 401) document.dispatchEvent(new CustomEvent("editor:signed-out"));
    throw error;
  }
  return data;
}

export const get = (path) => api("GET", path);
export const post = (path, body = {}) => api("POST", path, body);
export const put = (path, body) => api("PUT", path, body);
