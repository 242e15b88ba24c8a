// The performance page's only script: a sign-in form when nobody is signed in. The figures
// themselves are server-made HTML, so the page needs no script once signed in.

function field(id, label, attrs) {
  const wrap = document.createElement("div");
  wrap.className = "field";
  const text = document.createElement("label");
  text.htmlFor = id;
  text.textContent = label;
  const input = document.createElement("input");
  input.id = id;
  input.name = id;
  input.required = true;
  for (const [key, value] of Object.entries(attrs)) input.setAttribute(key, value);
  wrap.append(text, input);
  return { wrap, input };
}

function signInForm() {
  const form = document.createElement("form");
  form.noValidate = true;
  const error = document.createElement("p");
  error.className = "error";
  error.id = "signin-error";
  error.setAttribute("role", "alert");
  error.hidden = true;
  const user = field("username", "Username", { autocomplete: "username", spellcheck: "false",
    "aria-describedby": "signin-error" });
  const pass = field("password", "Password", { type: "password",
    autocomplete: "current-password" });
  const button = document.createElement("button");
  button.type = "submit";
  button.textContent = "Sign in";
  form.append(error, user.wrap, pass.wrap, button);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.hidden = true;
    let message = "Sign-in failed. Please try again.";
    try {
      const response = await fetch("/api/console/login", {
        method: "POST", credentials: "same-origin",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ username: user.input.value, password: pass.input.value }),
      });
      if (response.ok) {
        window.location.reload();
        return;
      }
      const body = await response.json().catch(() => ({}));
      const detail = body && body.error && body.error.detail;
      if (typeof detail === "string") message = detail;
    } catch {
      message = "The service cannot be reached. Please try again.";
    }
    error.textContent = message;
    error.hidden = false;
    user.input.focus();
  });
  return form;
}

const holder = document.getElementById("signin");
if (holder) holder.append(signInForm());
