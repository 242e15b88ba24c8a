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
  region.className = `status status--${kind}`;
  region.textContent = message;
  region.hidden = !message;
}

const ALLOWED = new Set([
  "P", "H1", "H2", "H3", "H4", "H5", "H6", "UL", "OL", "LI", "A", "STRONG", "EM", "CODE", "PRE",
  "BLOCKQUOTE", "HR", "BR", "TABLE", "THEAD", "TBODY", "TR", "TH", "TD",
]);

/** Copy server-rendered Markdown HTML into ``target`` keeping only safe elements and links. */
export function renderSafeHtml(target, html) {
  const parsed = new DOMParser().parseFromString(`<body>${html}</body>`, "text/html");
  const copy = (from, to) => {
    for (const node of from.childNodes) {
      if (node.nodeType === Node.TEXT_NODE) { to.append(node.textContent); continue; }
      if (node.nodeType !== Node.ELEMENT_NODE) continue;
      if (!ALLOWED.has(node.tagName)) { copy(node, to); continue; }
      const clean = document.createElement(node.tagName.toLowerCase());
      if (node.tagName === "A") {
        const href = node.getAttribute("href") || "";
        if (/^(https:|mailto:|tel:|#)/i.test(href)) clean.setAttribute("href", href);
        clean.setAttribute("rel", "noopener noreferrer");
      }
      copy(node, clean);
      to.append(clean);
    }
  };
  target.replaceChildren();
  copy(parsed.body, target);
}
