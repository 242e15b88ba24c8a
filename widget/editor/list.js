// The article list: search, status filter, overdue reviews highlighted.
import { get } from "./api.js";
import { announce, day, el, replace, scrollable } from "./dom.js";
import { requireEditor } from "./session.js";

const STATUS_WORDS = { draft: "Draft", published: "Published", retired: "Retired" };

function row(article) {
  const status = el("span", { class: `tag tag--${article.status}`, text: STATUS_WORDS[article.status] || article.status });
  const flags = [];
  if (article.unpublished_changes && article.status !== "draft") {
    flags.push(" ", el("span", { class: "tag tag--changes", text: "Unpublished changes" }));
  }
  const review = [day(article.review_by)];
  if (article.overdue) review.push(" ", el("span", { class: "tag tag--overdue", text: "Overdue" }));
  return el("tr", { class: article.overdue ? "overdue" : null },
    el("th", { scope: "row" }, el("a", { href: `/editor/articles/${article.article_id}`, text: article.title || article.article_id }),
      el("br"), el("span", { class: "hint", text: article.article_id })),
    el("td", {}, status, flags),
    el("td", { text: article.owner || "—" }),
    el("td", {}, review));
}

async function load() {
  const q = document.getElementById("q").value.trim();
  const status = document.getElementById("status-filter").value;
  const params = new URLSearchParams();
  if (q) params.set("q", q);
  if (status) params.set("status", status);
  const results = document.getElementById("results");
  try {
    const data = await get(`/api/editor/articles?${params}`);
    const overdue = data.articles.filter((a) => a.overdue).length;
    const words = `${data.articles.length} article${data.articles.length === 1 ? "" : "s"}` +
      (overdue ? `, ${overdue} overdue for review` : "");
    document.getElementById("count").textContent = words;
    if (!data.articles.length) {
      replace(results, el("p", { text: "No articles match. Try fewer words, or another status." }));
      return;
    }
    replace(results, scrollable(el("table", {},
      el("caption", { class: "visually-hidden", text: "Articles" }),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: "Article" }), el("th", { scope: "col", text: "Status" }),
        el("th", { scope: "col", text: "Owner" }), el("th", { scope: "col", text: "Check again by" }))),
      el("tbody", {}, data.articles.map(row))), "Articles table"));
  } catch (err) {
    announce(err.message, "error");
  }
}

async function start() {
  await requireEditor();
  const params = new URLSearchParams(window.location.search);
  document.getElementById("q").value = params.get("q") || "";
  document.getElementById("status-filter").value = params.get("status") || "";
  document.getElementById("search").addEventListener("submit", (event) => {
    event.preventDefault();
    const q = document.getElementById("q").value.trim();
    const status = document.getElementById("status-filter").value;
    const next = new URLSearchParams();
    if (q) next.set("q", q);
    if (status) next.set("status", status);
    history.replaceState(null, "", `?${next}`);
    load();
  });
  await load();
}

start();
