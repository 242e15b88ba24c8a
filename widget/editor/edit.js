// The edit page: form + live preview, save with conflict detection, publish, retire,
// plain-language advice, "try a question" and "what this edit changes".
import { ApiError, post, put, get } from "./api.js";
import { announce, byId, confirmDone, el, renderSafeHtml, replace } from "./dom.js";
import { fillForm, readFrontMatter } from "./form.js";
import { showAdvice, showConflict, showImpact, showProblems, showTry, stateLine } from "./panels.js";
import { INTRO, QuestionsPanel, sectionKeys, sectionName } from "./questions.js";
import { requireEditor } from "./session.js";

const MAX_FILE_BYTES = 100_000;
const form = document.getElementById("article-form");
const $ = byId;
const match = window.location.pathname.match(/^\/editor\/articles\/([a-z0-9-]+)$/);
const page = { id: match ? match[1] : null, base: 0, article: null, dirty: false, questions: [] };
const panel = new QuestionsPanel($("questions"), () => form.elements.body.value, () => { page.dirty = true; });

function draft() {
  return { front_matter: { ...readFrontMatter(form), questions: panel.value() }, body: form.elements.body.value };
}

function setBusy(busy) {
  for (const button of document.querySelectorAll("button")) button.disabled = busy;
}

function showArticle(data) {
  page.article = data.article;
  page.base = data.version.number;
  page.id = data.article.article_id;
  page.questions = data.article.questions || [];
  fillForm(form, data.front_matter, data.body);
  panel.load(data.front_matter.questions);
  page.dirty = false;
  form.elements.id.readOnly = true;
  document.title = `${data.front_matter.title || page.id} – Guidance editor`;
  $("heading").textContent = `Edit: ${data.front_matter.title || page.id}`;
  $("state").textContent = stateLine(data.article, data.version);
  $("history-link").href = `/editor/articles/${page.id}/history`;
  $("history-link").hidden = false;
  $("publish").hidden = false;
  $("publish-with-field").hidden = false;
  $("retire").hidden = data.article.status === "retired";
  $("publish").textContent = data.article.status === "retired" ? "Publish again" : "Publish";
  showQuestions();
  preview();
}

function showQuestions() {
  const box = $("gap-questions");
  if (!page.questions.length) { replace(box); return; }
  replace(box, el("section", { class: "panel", "aria-labelledby": "gapq-heading" },
    el("h2", { id: "gapq-heading", text: "Questions this article should answer" }),
    el("p", { class: "hint", text: "People asked these and the assistant could not help. Use “Try a question” to check your draft answers them." }),
    el("ul", {}, page.questions.map((q) => el("li", {}, q, " ",
      el("button", { type: "button", class: "link-button link-button--dark", text: "Try it",
        onclick: () => { $("try-question").value = q; tryQuestion(); } }))))));
}

let previewTimer = null;
async function preview() {
  try {
    const { html } = await post("/api/editor/preview", { body: form.elements.body.value });
    renderSafeHtml($("preview"), html);
  } catch (err) {
    replace($("preview"), el("p", { text: `The preview is not available: ${err.message}` }));
  }
}

function handleError(err, mine) {
  if (!(err instanceof ApiError)) { announce(String(err), "error"); return; }
  if (err.code === "conflict") {
    showConflict($("conflict"), err, mine, async () => {
      showArticle(await get(`/api/editor/articles/${page.id}`));
      const yours = el("textarea", { id: "my-text", rows: "8", readonly: true, class: "body-input" }, mine);
      replace($("conflict"), el("div", { class: "conflict" },
        el("h2", { text: "Your unsaved text" }),
        el("p", { text: "The form now shows the newest version. Copy your changes from here into it, then save." }),
        el("label", { for: "my-text", text: "Your unsaved text" }), yours));
      form.elements.body.focus();
    });
    announce("Not saved: someone else saved this article first.", "error");
    return;
  }
  const message = err.code === "too_large"
    ? "The article is too large to save. Make it shorter, or split it into two articles."
    : err.message;
  showProblems($("errors"), form, message, err.problems);
  announce(message, "error");
}

async function save(event) {
  event.preventDefault();
  showProblems($("errors"), form, "", []);
  replace($("conflict"));
  setBusy(true);
  const body = draft();
  try {
    let data;
    if (page.id) {
      data = await put(`/api/editor/articles/${page.id}`, { ...body, base_version: page.base, note: form.elements.note.value });
    } else {
      data = await post("/api/editor/articles", { ...body, questions: page.questions });
      sessionStorage.removeItem("editor:new-questions");
      history.replaceState(null, "", `/editor/articles/${data.article.article_id}`);
    }
    showArticle(data);
    form.elements.note.value = "";
    showAdvice($("advice"), data.advice);
    confirmDone(`Saved as version ${data.version.number}. It is not live until you publish it.`);
    runImpact();
  } catch (err) {
    handleError(err, form.elements.body.value);
  } finally {
    setBusy(false);
  }
}

async function publish() {
  if (page.dirty) {
    announce("You have changes that are not saved. Save the draft first, then publish.", "error");
    $("save").focus();
    return;
  }
  const together = $("publish-with").value.split(/[\s,]+/).filter(Boolean);
  if (page.article.status === "published" && !page.article.unpublished_changes && !together.length) {
    announce("This version is already published. Change the text and save it first.", "info");
    return;
  }
  setBusy(true);
  try {
    const data = await post(`/api/editor/articles/${page.id}/publish`, { base_version: page.base, together_with: together });
    showArticle(data);
    $("publish-with").value = "";
    const also = data.published_with.length ? ` together with ${data.published_with.join(", ")}` : "";
    confirmDone(`Published version ${data.version.number}${also}. The assistant uses the new text within 2 seconds.`);
  } catch (err) {
    handleError(err, form.elements.body.value);
  } finally {
    setBusy(false);
  }
}

async function retire() {
  if (!window.confirm("Retire this article? The assistant stops using it straight away. You can publish it again later.")) return;
  setBusy(true);
  try {
    const data = await post(`/api/editor/articles/${page.id}/retire`, { base_version: page.base });
    showArticle(data);
    confirmDone("Retired. The assistant no longer answers from this article.");
  } catch (err) {
    handleError(err, form.elements.body.value);
  } finally {
    setBusy(false);
  }
}

async function check() {
  try {
    const result = await post("/api/editor/check", draft());
    showAdvice($("advice"), result.advice);
    if (result.problems.length) {
      showProblems($("errors"), form, "There are problems to fix before you can save.", result.problems);
    } else {
      showProblems($("errors"), form, "", []);
      announce("No problems found. The advice is in the plain-language check.", "success");
    }
  } catch (err) {
    handleError(err, "");
  }
}

async function tryQuestion(event) {
  event?.preventDefault();
  const question = $("try-question").value.trim();
  if (!question) {
    announce("Type a question to try.", "error");
    $("try-question").focus();
    return;
  }
  replace($("try-result"), el("p", { text: "Asking…" }));
  try {
    const result = await post("/api/editor/try", { question, article_id: page.id, ...draft() });
    showTry($("try-result"), result);
    $("try-result").append(attachForm(question, result));
  } catch (err) {
    const problems = err.problems?.length ? err.problems.map((p) => p.message).join(" ") : "";
    replace($("try-result"), el("p", { class: "field-error", text: `${err.message} ${problems}`.trim() }));
  }
}

/** "Should another section answer this?": add the tried question to a chosen section. */
function attachForm(question, result) {
  const outcome = result.draft_outcome || result.published_outcome;
  const current = outcome && outcome.status !== "abstain" && outcome.article_id === page.id ? outcome.heading : null;
  const select = el("select", { id: "attach-section", name: "attach-section", "aria-describedby": "attach-hint" },
    el("option", { value: "", text: "Choose a section" }),
    sectionKeys(form.elements.body.value).map((key) => el("option", { value: key,
      text: (key === INTRO ? "Introduction" : key) + (key === current ? " (answers now)" : "") })));
  const note = el("div", { id: "attach-note", role: "status" });
  const box = el("form", { class: "attach-form", novalidate: true },
    el("div", { class: "field" }, el("label", { for: select.id, text: "Section that should answer" }), select),
    el("button", { type: "submit", class: "button button--secondary", text: "Add the question to this section" }));
  box.addEventListener("submit", (event) => {
    event.preventDefault();
    box.querySelector(".field-error")?.remove();
    select.removeAttribute("aria-invalid");
    const key = select.value;
    const problem = key ? panel.add(key, question, { move: true }) : "Choose the section that should answer the question.";
    if (problem) {
      select.setAttribute("aria-invalid", "true");
      select.before(el("p", { class: "field-error", id: "attach-error", text: `Error: ${problem}` }));
      select.setAttribute("aria-describedby", "attach-hint attach-error");
      select.focus();
      return;
    }
    replace(note, el("p", { class: "done", text: `Added “${question}” to the example questions for ${sectionName(key)}. Save the draft, then publish, for the assistant to use it.` }));
  });
  return el("section", { class: "attach", "aria-labelledby": "attach-heading" },
    el("h3", { id: "attach-heading", text: "Should another section answer this?" }),
    el("p", { class: "hint", id: "attach-hint", text: `If the answer does not come from the section that should answer “${question}”, or the assistant does not know, choose that section. The question is added to its example questions in your draft.` }),
    box, note);
}

async function runImpact() {
  if (!page.id) {
    replace($("impact"), el("p", { text: "Save the article first." }));
    return;
  }
  replace($("impact"), el("p", { text: "Asking the test questions…" }));
  try {
    showImpact($("impact"), await post("/api/editor/impact", { article_id: page.id, ...draft() }));
  } catch (err) {
    replace($("impact"), el("p", { class: "field-error", text: err.message }));
  }
}

async function openFile() {
  const file = $("f-file").files[0];
  if (!file) return;
  if (file.size > MAX_FILE_BYTES) {
    showProblems($("errors"), form, "The file is too large.", [{ message: `The file is ${Math.round(file.size / 1000)} kB. An article can be at most 100 kB.`, field: null, line: null }]);
    $("f-file").value = "";
    return;
  }
  const text = await file.text();
  try {
    const result = await post("/api/editor/check", { markdown: text });
    if (!result.front_matter) {
      showProblems($("errors"), form, "The file could not be read.", result.problems);
      return;
    }
    const keepId = page.id ? { id: page.id } : {};
    fillForm(form, { ...result.front_matter, ...keepId }, result.body);
    panel.load(result.front_matter.questions);
    page.dirty = true;
    preview();
    showAdvice($("advice"), result.advice);
    if (result.problems.length) showProblems($("errors"), form, "The file has problems to fix before you can save.", result.problems);
    else announce(`Opened ${file.name}. Check it, then save.`, "success");
  } catch (err) {
    handleError(err, "");
  }
}

async function start() {
  await requireEditor();
  form.addEventListener("submit", save);
  form.addEventListener("input", (event) => { if (event.target.id !== "publish-with") page.dirty = true; });
  form.elements.body.addEventListener("input", () => {
    clearTimeout(previewTimer);
    previewTimer = setTimeout(() => { preview(); panel.refreshSections(); }, 400);
  });
  $("publish").addEventListener("click", publish);
  $("publish-with").addEventListener("keydown", (event) => {
    if (event.key === "Enter") { event.preventDefault(); publish(); }
  });
  $("retire").addEventListener("click", retire);
  $("check").addEventListener("click", check);
  $("try-form").addEventListener("submit", tryQuestion);
  $("impact-run").addEventListener("click", runImpact);
  $("f-file").addEventListener("change", openFile);
  window.addEventListener("beforeunload", (event) => {
    if (page.dirty) { event.preventDefault(); event.returnValue = ""; }
  });
  if (page.id) {
    try {
      showArticle(await get(`/api/editor/articles/${page.id}`));
    } catch (err) {
      replace($("main"), el("h1", { text: "Article not found" }), el("p", { text: err.message }),
        el("p", {}, el("a", { href: "/editor/", text: "Back to all articles" })));
    }
    return;
  }
  document.title = "New article – Guidance editor";
  $("heading").textContent = "New article";
  $("state").textContent = "Not saved yet. A new article is a draft until you publish it.";
  $("publish").hidden = true;
  $("retire").hidden = true;
  fillForm(form, { language: "en", last_reviewed: new Date().toISOString().slice(0, 10) }, "");
  panel.load({});
  page.questions = JSON.parse(sessionStorage.getItem("editor:new-questions") || "[]");
  showQuestions();
  page.dirty = false;
}

start();
