// Sign-in for the editor pages: shows who is signed in, or a sign-in form when needed.
import { api, ApiError, get, post } from "./api.js";
import { el, replace } from "./dom.js";

let ready = false; // an editor has been signed in on this page
let asking = false; // the sign-in form is showing because the session ended

function signInForm(onDone) {
  const error = el("p", { class: "field-error", id: "signin-error", hidden: true });
  const username = el("input", { id: "signin-username", name: "username", autocomplete: "username",
    required: true, spellcheck: "false", "aria-describedby": "signin-error" });
  const password = el("input", { id: "signin-password", name: "password", type: "password",
    autocomplete: "current-password", required: true });
  const form = el("form", { class: "signin", novalidate: true },
    el("h1", { text: "Sign in to the guidance editor" }),
    el("p", { text: "Use the username and password your team gave you. Your role must be editor." }),
    error,
    el("div", { class: "field" }, el("label", { for: "signin-username", text: "Username" }), username),
    el("div", { class: "field" }, el("label", { for: "signin-password", text: "Password" }), password),
    el("button", { type: "submit", class: "button", text: "Sign in" }));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    try {
      await post("/api/console/login", { username: username.value, password: password.value });
      onDone();
    } catch (err) {
      error.textContent = err instanceof ApiError ? err.message : "Sign-in failed.";
      error.hidden = false;
      username.focus();
    }
  });
  return form;
}

/** Make sure an editor is signed in; resolves with the user, or shows the form and waits. */
export async function requireEditor() {
  const main = document.getElementById("main");
  const showForm = () => new Promise((resolve) => {
    const saved = [...main.childNodes];
    replace(main, signInForm(async () => {
      replace(main, ...saved);
      resolve(await requireEditor());
    }));
    main.querySelector("input")?.focus();
  });
  try {
    const { user } = await get("/api/editor/me");
    showUser(user);
    ready = true;
    return user;
  } catch (err) {
    if (err instanceof ApiError && err.status === 401) return showForm();
    if (err instanceof ApiError && err.status === 403) {
      replace(main, el("h1", { text: "You cannot use the editor" }),
        el("p", { text: "Your account is not an editor account. Ask your team leader to give you the editor role." }));
      throw err;
    }
    throw err;
  }
}

// When the session ends mid-edit, ask for the password again in place: the page's own nodes are
// kept and put back afterwards, so nothing typed is lost. Then the editor presses Save again.
document.addEventListener("editor:signed-out", async () => {
  if (!ready || asking) return;
  ready = false;
  asking = true;
  try {
    await requireEditor();
    const status = document.getElementById("status");
    if (status) {
      status.className = "status status--info";
      status.textContent = "You are signed in again. Nothing was lost: press the button again.";
      status.hidden = false;
    }
  } finally {
    asking = false;
  }
});

function showUser(user) {
  const slot = document.getElementById("who");
  if (!slot) return;
  const out = el("button", { type: "button", class: "link-button", text: "Sign out" });
  out.addEventListener("click", async () => {
    try { await api("POST", "/api/console/logout", {}); } finally { window.location.reload(); }
  });
  replace(slot, `Signed in as ${user.display_name || user.username} `, out);
}
