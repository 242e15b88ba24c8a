// Content gaps: grouped questions the assistant could not answer, with a way to start an article
// or to add a question to the section that answers it.
import { get, post } from "./api.js";
import { announce, byId, confirmDone, el, replace, when } from "./dom.js";
import { requireEditor } from "./session.js";

const $ = byId;
let reasons = {}; // why an entry is a gap, in words: the server's (editorial.gaps.REASON_WORDS)
let articles = null; // the article list, loaded once for the "add to a section" forms

async function articleList() {
  if (!articles) {
    const data = await get("/api/editor/articles");
    articles = data.articles.filter((a) => a.status !== "retired");
  }
  return articles;
}

async function articleOptions() {
  return (await articleList()).map((a) => el("option", { value: a.article_id, text: a.title || a.article_id }));
}

function fieldError(control, message) {
  const id = `${control.id}-error`;
  control.setAttribute("aria-invalid", "true");
  control.setAttribute("aria-describedby", id);
  control.before(el("p", { class: "field-error", id, text: `Error: ${message}` }));
  control.focus();
}

/** Where a section key points, in words ("the introduction" or the quoted heading). */
function placeName(section) {
  return section === "(introduction)" ? "the introduction" : `“${section}”`;
}

/** Add a gap question to a section as a new draft, reload the groups and confirm; a refusal
 * is thrown for the caller to show next to its control. */
async function attach(articleId, question, section) {
  const data = await post(`/api/editor/articles/${articleId}/questions`,
    { question, section, from_gap: true });
  const title = data.front_matter.title || articleId;
  await load();
  confirmDone(`Added “${data.attached.question}” to ${placeName(section)} in “${title}”, as version ${data.version.number}.`,
    el("p", {}, "It is a draft until you publish it: ",
      el("a", { href: `/editor/articles/${articleId}`, text: `open “${title}” to publish it` }), "."));
}

function problemOf(err) {
  return err.problems?.[0]?.message || err.message;
}

/** "Add a question to a section": pick the question, the article, then the section. */
function attachForm(group, index) {
  const id = `attach-${index}`;
  const question = el("select", { id: `${id}-question` },
    group.questions.slice(0, 50).map((q) => el("option", { value: q, text: q })));
  const article = el("select", { id: `${id}-article` }, el("option", { value: "", text: "Choose an article" }));
  const section = el("select", { id: `${id}-section`, disabled: true }, el("option", { value: "", text: "Choose an article first" }));
  const form = el("form", { class: "attach-form", novalidate: true },
    el("div", { class: "field" }, el("label", { for: question.id, text: "Question" }), question),
    el("div", { class: "field" }, el("label", { for: article.id, text: "Article" }), article),
    el("div", { class: "field" }, el("label", { for: section.id, text: "Section that answers it" }), section),
    el("button", { type: "submit", class: "button button--secondary", text: "Add the question to this section" }));
  let loaded = false;
  const loadArticles = async () => {
    if (loaded) return;
    loaded = true;
    article.append(...await articleOptions());
  };
  article.addEventListener("change", async () => {
    replace(section, el("option", { value: "", text: "Choose a section" }));
    section.disabled = !article.value;
    if (!article.value) return;
    const data = await get(`/api/editor/articles/${article.value}/sections`);
    section.append(...data.sections.map((s) => el("option", { value: s.key,
      text: `${s.heading || "Introduction"} (${s.questions.length} question${s.questions.length === 1 ? "" : "s"}${s.questions.length >= 12 ? ", full" : ""})` })));
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const old of form.querySelectorAll(".field-error")) old.remove();
    for (const control of [question, article, section]) control.removeAttribute("aria-invalid");
    if (!article.value) { fieldError(article, "Choose the article that answers the question."); return; }
    if (!section.value) { fieldError(section, "Choose the section that answers the question."); return; }
    try {
      await attach(article.value, question.value, section.value);
    } catch (err) {
      fieldError(section, problemOf(err));
    }
  });
  return el("details", { class: "attach", ontoggle: loadArticles },
    el("summary", { text: "Add a question to the section that answers it" }),
    el("p", { class: "hint", text: "If an article already answers this, add the question to that section's example questions so the assistant finds it next time. The question leaves this page." }),
    form);
}

/** The parts of a guide citizens picked for these questions: one button each attaches the
 * newest question it was picked for to that part. */
function pickedList(group, titles) {
  if (!group.picked?.length) return [];
  return [
    el("h3", { text: "Citizens picked another part" }),
    el("ul", { class: "picked" }, group.picked.map((pick) => {
      const where = placeName(pick.section);
      const button = el("button", { type: "button", class: "button button--secondary",
        text: `Add “${pick.question}” to ${where}` });
      button.addEventListener("click", async () => {
        try {
          await attach(pick.article_id, pick.question, pick.section);
        } catch (err) {
          announce(problemOf(err), "error");
        }
      });
      const title = titles[pick.article_id] || pick.article_id;
      return el("li", {}, `${where} of “${title}”, picked ${pick.count} time${pick.count === 1 ? "" : "s"} `, button);
    })),
  ];
}

function startArticle(group) {
  sessionStorage.setItem("editor:new-questions", JSON.stringify(group.questions));
  window.location.href = "/editor/new";
}

function groupCard(group, index, titles) {
  const why = Object.entries(group.reasons).map(([reason, count]) => `${count} ${reasons[reason] || reason}`).join(", ");
  const id = `group-${index}`;
  return el("section", { class: "group", "aria-labelledby": id },
    el("h2", { id, text: `“${group.label}”` }),
    el("p", {}, el("strong", { text: `${group.count} question${group.count === 1 ? "" : "s"}` }),
      ` (${why}). Newest: ${when(group.newest_ts)}.`),
    el("h3", { text: "Examples" }),
    el("ul", {}, group.examples.map((e) => el("li", {}, e.question, " ",
      el("span", { class: "hint", text: `– ${reasons[e.reason] || e.reason}, ${when(e.ts)}` })))),
    ...pickedList(group, titles),
    el("button", { type: "button", class: "button button--secondary", text: "Start a new article from these questions",
      "aria-describedby": id, onclick: () => startArticle(group) }),
    attachForm(group, index));
}

async function load(event) {
  event?.preventDefault();
  const days = $("days").value;
  replace($("groups"), el("p", { text: "Grouping the questions…" }));
  try {
    const data = await get(`/api/editor/gaps?days=${days}`);
    reasons = data.reasons || {};
    $("count").textContent = `${data.total} question${data.total === 1 ? "" : "s"} in ${data.groups.length} group${data.groups.length === 1 ? "" : "s"}`;
    if (!data.groups.length) {
      replace($("groups"), el("p", { text: "No gaps in this period. The assistant answered everything it was asked." }));
      return;
    }
    const titles = data.groups.some((g) => g.picked?.length)
      ? Object.fromEntries((await articleList()).map((a) => [a.article_id, a.title || a.article_id]))
      : {};
    replace($("groups"), data.groups.map((group, index) => groupCard(group, index, titles)));
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
