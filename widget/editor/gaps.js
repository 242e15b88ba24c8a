// Content gaps: grouped questions the assistant could not answer, with a way to start an article.
import { get } from "./api.js";
import { announce, byId, el, replace, when } from "./dom.js";
import { requireEditor } from "./session.js";

const $ = byId;
const REASONS = { abstained: "the assistant did not know", not_helpful: "marked not helpful", handoff: "handed to an adviser" };

function startArticle(group) {
  sessionStorage.setItem("editor:new-questions", JSON.stringify(group.questions));
  window.location.href = "/editor/new";
}

function groupCard(group, index) {
  const reasons = Object.entries(group.reasons).map(([reason, count]) => `${count} ${REASONS[reason] || reason}`).join(", ");
  const id = `group-${index}`;
  return el("section", { class: "group", "aria-labelledby": id },
    el("h2", { id, text: `“${group.label}”` }),
    el("p", {}, el("strong", { text: `${group.count} question${group.count === 1 ? "" : "s"}` }),
      ` (${reasons}). Newest: ${when(group.newest_ts)}.`),
    el("h3", { text: "Examples" }),
    el("ul", {}, group.examples.map((e) => el("li", {}, e.question, " ",
      el("span", { class: "hint", text: `– ${REASONS[e.reason] || e.reason}, ${when(e.ts)}` })))),
    el("button", { type: "button", class: "button button--secondary", text: "Start a new article from these questions",
      "aria-describedby": id, onclick: () => startArticle(group) }));
}

async function load(event) {
  event?.preventDefault();
  const days = $("days").value;
  replace($("groups"), el("p", { text: "Grouping the questions…" }));
  try {
    const data = await get(`/api/editor/gaps?days=${days}`);
    $("count").textContent = `${data.total} question${data.total === 1 ? "" : "s"} in ${data.groups.length} group${data.groups.length === 1 ? "" : "s"}`;
    if (!data.groups.length) {
      replace($("groups"), el("p", { text: "No gaps in this period. The assistant answered everything it was asked." }));
      return;
    }
    replace($("groups"), data.groups.map(groupCard));
  } catch (err) {
    replace($("groups"));
    announce(err.message, "error");
  }
}

async function start() {
  await requireEditor();
  $("gaps-form").addEventListener("submit", load);
  await load();
}

start();
