// The history page: versions, diffs between any two, one-click restore, and the audit log.
import { ApiError, get, post } from "./api.js";
import { announce, byId, confirmDone, el, replace, scrollable, when } from "./dom.js";
import { requireEditor } from "./session.js";

const $ = byId;
const articleId = window.location.pathname.match(/^\/editor\/articles\/([a-z0-9-]+)\/history$/)[1];
const ACTIONS = {
  created: "Created", imported: "Imported from the files", saved: "Saved", restored: "Restored",
  published: "Published", retired: "Retired", "file-changed": "File changed in git",
};
let state = null;

function diffTable(diff) {
  if (!diff.length) return el("p", { text: "The two versions are the same." });
  return scrollable(el("table", { class: "diff" },
    el("caption", { text: "Removed lines are marked “Removed”, added lines “Added”." }),
    el("tbody", {}, diff.map((line) => el("tr", { class: line.op },
      el("td", { class: "sign", text: { added: "Added", removed: "Removed", same: "", gap: "…" }[line.op] }),
      el("td", { text: line.text }))))), "Differences between the versions");
}

async function restore(version) {
  const live = state.article.status === "published";
  const question = live
    ? `Restore version ${version}? Its text becomes the newest version and goes live straight away.`
    : `Restore version ${version}? Its text becomes the newest version.`;
  if (!window.confirm(question)) return;
  try {
    const data = await post(`/api/editor/articles/${articleId}/restore`, {
      version, base_version: state.article.head_version, publish: true });
    await load();
    confirmDone(`Version ${version} restored as version ${data.version.number}${data.article.status === "published" ? " and published" : ""}.`);
  } catch (err) {
    if (err instanceof ApiError && err.code === "conflict") {
      announce("Someone else changed the article while you were looking. The list below is now up to date; try again.", "error");
      await load();
      return;
    }
    announce(err.message, "error");
  }
}

function versionsTable(versions, chosen) {
  const newest = versions[0]?.number;
  return scrollable(el("table", {},
    el("caption", { class: "visually-hidden", text: "Versions, newest first" }),
    el("thead", {}, el("tr", {},
      el("th", { scope: "col", text: "Version" }), el("th", { scope: "col", text: "What happened" }),
      el("th", { scope: "col", text: "Who and when" }),
      el("th", { scope: "col" }, "Compare ", el("span", { class: "visually-hidden", text: "(older)" }), "from"),
      el("th", { scope: "col", text: "to" }), el("th", { scope: "col", text: "Restore" }))),
    el("tbody", {}, versions.map((v, index) => el("tr", {},
      el("th", { scope: "row" }, el("a", { href: `/api/editor/articles/${articleId}/markdown?version=${v.number}`, text: `Version ${v.number}`, "aria-label": `Download version ${v.number} as Markdown` })),
      el("td", { text: `${ACTIONS[v.action] || v.action}${v.note && v.note !== v.action ? ` – ${v.note}` : ""}` }),
      el("td", { text: `${v.author}, ${when(v.ts)}` }),
      el("td", {}, el("input", { type: "radio", name: "from", value: String(v.number), id: `from-${v.number}`,
        checked: v.number === chosen.from, "aria-label": `Compare from version ${v.number}` })),
      el("td", {}, el("input", { type: "radio", name: "to", value: String(v.number), id: `to-${v.number}`,
        checked: v.number === chosen.to, "aria-label": `Compare to version ${v.number}` })),
      el("td", {}, v.number === newest ? el("span", { class: "hint", text: "Newest" }) :
        el("button", { type: "button", class: "button button--secondary", text: `Restore version ${v.number}`,
          onclick: () => restore(v.number) })))))), "Versions table");
}

async function compare(event, explanation = "") {
  event?.preventDefault();
  const form = $("compare-form");
  const from = form.elements.from?.value;
  const to = form.elements.to?.value;
  if (!from || !to) {
    announce("Choose a version in the “from” column and one in the “to” column.", "error");
    return;
  }
  if (from === to) {
    replace($("diff"), el("p", { text: `You chose version ${from} twice. Choose two different versions to compare.` }));
    return;
  }
  try {
    const data = await get(`/api/editor/articles/${articleId}/diff?from=${from}&to=${to}`);
    replace($("diff"), el("h3", { text: `Changes from version ${from} to version ${to}` }),
      explanation ? el("p", { class: "explanation", text: explanation }) : null, diffTable(data.diff));
  } catch (err) {
    announce(err.message, "error");
  }
}

async function load() {
  const data = await get(`/api/editor/articles/${articleId}/versions`);
  state = data;
  $("heading").textContent = `History: ${data.article.title || articleId}`;
  document.title = `History: ${data.article.title || articleId} – Guidance editor`;
  $("back-link").href = `/editor/articles/${articleId}`;
  $("back-link").textContent = `Back to ${data.article.title || articleId}`;
  const chosen = data.default_comparison || {};
  replace($("versions"), versionsTable(data.versions, { from: chosen.from_version, to: chosen.to_version }));
  const audit = await get(`/api/editor/articles/${articleId}/audit`);
  replace($("audit"), scrollable(el("table", {},
    el("caption", { class: "visually-hidden", text: "Audit log, newest first" }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "When" }), el("th", { scope: "col", text: "Who" }),
      el("th", { scope: "col", text: "What" }), el("th", { scope: "col", text: "Version" }), el("th", { scope: "col", text: "Details" }))),
    el("tbody", {}, audit.entries.map((e) => el("tr", {},
      el("td", { text: when(e.ts) }), el("td", { text: e.user }),
      el("td", { text: ACTIONS[e.action] || e.action }), el("td", { text: String(e.version) }),
      el("td", { text: e.summary }))))), "Audit log table"));
  if (chosen.from_version && chosen.to_version) await compare(null, chosen.explanation);
  else replace($("diff"), el("p", { class: "explanation", text: chosen.explanation || "" }));
}

async function start() {
  await requireEditor();
  $("compare-form").addEventListener("submit", compare);
  try {
    await load();
  } catch (err) {
    replace($("main"), el("h1", { text: "Article not found" }), el("p", { text: err.message }));
  }
}

start();
