// Small DOM helpers for the editor pages. Text is always set with textContent, never as HTML.

const found = new Map();

/** getElementById, remembered: while the sign-in form shows, the page's own nodes are detached
 * (and put back afterwards), and late callbacks must still reach them. */
export function byId(id) {
  if (!found.has(id)) {
    const node = document.getElementById(id);
    if (!node) return null;
    found.set(id, node);
  }
  return found.get(id);
}

/** Create an element: el("a", {href: "/x", class: "link"}, "text", childNode, ...). */
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === null || value === undefined || value === false) continue;
    if (name === "class") node.className = value;
    else if (name === "text") node.textContent = value;
    else if (name.startsWith("on") && typeof value === "function") {
      node.addEventListener(name.slice(2), value);
    } else node.setAttribute(name, value === true ? "" : String(value));
  }
  append(node, children);
  return node;
}

/** Append children (strings become text nodes; arrays are flattened; null is skipped). */
export function append(node, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

/** Wrap a wide table so it scrolls sideways on a narrow screen (keyboard reachable, named). */
export function scrollable(table, label) {
  return el("div", { class: "table-wrap", role: "region", tabindex: "0", "aria-label": label }, table);
}

/** Replace every child of ``node``. */
export function replace(node, ...children) {
  node.replaceChildren();
  return append(node, children);
}

/** "14:05 on 29 November 2026" for a unix time in seconds. */
export function when(ts) {
  const date = new Date(ts * 1000);
  const time = date.toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit" });
  const day = date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
  return `${time} on ${day}`;
}

/** "29 November 2026" for an ISO date. */
export function day(iso) {
  if (!iso) return "not set";
  const date = new Date(`${iso}T12:00:00`);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toLocaleDateString("en-GB", { day: "numeric", month: "long", year: "numeric" });
}

/** Announce a short message to screen readers and show it in the page's status area. */
export function announce(message, kind = "info") {
  const region = byId("status");
  if (!region) return;
  region.setAttribute("role", "status");
  region.className = `status status--${kind}`;
  region.textContent = message;
  region.hidden = !message;
}

/** A success banner (GOV.UK notification banner pattern) at the top of the page, focused, so the
 * confirmation is on screen and read out however far down the button was. */
export function confirmDone(message, ...details) {
  const region = byId("status");
  if (!region) return null;
  region.removeAttribute("role");
  region.className = "status-area";
  region.hidden = false;
  const banner = el("div", { class: "notification-banner notification-banner--success", role: "alert",
    "aria-labelledby": "banner-title", tabindex: "-1" },
    el("div", { class: "notification-banner__header" },
      el("h2", { class: "notification-banner__title", id: "banner-title", text: "Success" })),
    el("div", { class: "notification-banner__content" },
      el("p", { class: "notification-banner__heading", text: message }), ...details));
  replace(region, banner);
  banner.focus();
  return banner;
}

const ALLOWED = new Set([
  "P", "H1", "H2", "H3", "H4", "H5", "H6", "UL", "OL", "LI", "A", "STRONG", "EM", "CODE", "PRE",
  "BLOCKQUOTE", "HR", "BR", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD",
]);

/** Where a preview link may go: an https address with a host, a place in this page, or another
 * article (``missed-bin.md``, opened in the editor). Anything else is shown but not clickable. */
export function safeHref(href) {
  const target = (href || "").trim();
  if (/^#[\w-]+$/.test(target)) return target;
  const article = target.match(/^(?:\.\/)?([a-z0-9]+(?:-[a-z0-9]+)*)\.md(#[\w-]+)?$/);
  if (article) return `/editor/articles/${article[1]}`;
  if (!/^https:\/\//i.test(target) || /\s/.test(target)) return null;
  try {
    const url = new URL(target);
    return url.protocol === "https:" && url.hostname.includes(".") ? url.href : null;
  } catch {
    return null;
  }
}

/** Copy server-rendered Markdown HTML into ``target`` keeping only safe elements and links. */
export function renderSafeHtml(target, html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const copy = (from, to) => {
    for (const node of from.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) { to.append(node.textContent); continue; }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      if (!ALLOWED.has(node.tagName)) { copy(node, to); continue; }
      if (node.tagName === "A") {
        const href = safeHref(node.getAttribute("href"));
        if (!href) {
          const dead = el("span", { class: "dead-link" });
          copy(node, dead);
          dead.append(el("span", { class: "dead-link__note",
            text: ` (not a working link: ${node.getAttribute("href") || "no address"})` }));
          to.append(dead);
          continue;
        }
        const clean = el("a", { href, rel: "noopener noreferrer" });
        copy(node, clean);
        to.append(clean);
        continue;
      }
      const clean = document.createElement(node.tagName.toLowerCase());
      copy(node, clean);
      to.append(clean);
    }
  };
  target.replaceChildren();
  copy(parsed.body, target);
}
