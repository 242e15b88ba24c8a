// Rendering of the edit page's panels: errors, conflict, advice, try a question, impact.
import { day, el, replace, scrollable, when } from "./dom.js";
import { inputFor } from "./form.js";

const OUTCOME_WORDS = {
  answer: "would answer from",
  clarify: "would ask which of these they meant, starting with",
  abstain: "would say it does not know",
};

/** A GOV.UK-style error summary linked to the fields; problems also shown beside each field. */
export function showProblems(container, form, message, problems) {
  for (const old of form.querySelectorAll(".field-error")) old.remove();
  for (const input of form.querySelectorAll("[aria-invalid]")) {
    input.removeAttribute("aria-invalid");
    const described = (input.getAttribute("aria-describedby") || "").split(" ").filter((id) => !id.startsWith("err-"));
    if (described.length) input.setAttribute("aria-describedby", described.join(" "));
    else input.removeAttribute("aria-describedby");
  }
  if (!message) { replace(container); return; }
  const items = (problems.length ? problems : [{ message }]).map((problem, index) => {
    const input = inputFor(form, problem.field);
    const where = problem.line ? ` (line ${problem.line})` : "";
    const text = `${problem.message}${where}`;
    if (input) {
      const id = `err-${index}`;
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", `${input.getAttribute("aria-describedby") || ""} ${id}`.trim());
      input.before(el("p", { class: "field-error", id, text: `Error: ${text}` }));
      return el("li", {}, el("a", { href: `#${input.id}`, text }));
    }
    return el("li", { text });
  });
  const summary = el("div", { class: "error-summary", role: "alert", tabindex: "-1" },
    el("h2", { text: "There is a problem" }),
    el("p", { text: problems.length ? "Nothing was saved. Fix these and try again:" : "" }),
    el("ul", {}, items));
  replace(container, summary);
  summary.focus();
}

/** The conflict panel: who saved, what differs, and a way to start from their version. */
export function showConflict(container, error, mine, onUseTheirs) {
  const current = error.body.error.current;
  const rows = (error.body.error.diff || []).map((line) => el("tr", { class: line.op },
    el("td", { class: "sign", text: { added: "Yours", removed: "Theirs", same: "", gap: "…" }[line.op] }),
    el("td", { text: line.text })));
  const panel = el("div", { class: "conflict", role: "alert", tabindex: "-1" },
    el("h2", { text: "Someone else saved this article first" }),
    el("p", { text: error.message }),
    el("p", { text: `Their version is number ${current.number}, saved by ${current.author} at ${when(current.ts)}.` }),
    rows.length ? scrollable(el("table", { class: "diff" },
      el("caption", { text: "Lines that differ: “Theirs” is in the saved version, “Yours” is only in your unsaved text." }),
      el("tbody", {}, rows)), "Differences between their version and yours") : null,
    el("div", { class: "field" },
      el("label", { for: "my-text", text: "Your unsaved text (copy what you need)" }),
      el("textarea", { id: "my-text", rows: "8", readonly: true, class: "body-input" }, mine)),
    el("button", { type: "button", class: "button", text: "Open their version and add my changes again", onclick: onUseTheirs }));
  replace(container, panel);
  panel.focus();
}

/** Plain-language advice. */
export function showAdvice(container, advice) {
  const summary = advice.reading_ease === null ? "There is no text to score yet." :
    `Reading ease: ${Math.round(advice.reading_ease)} out of 100 (${advice.reading_band}). ` +
    `${advice.sentences} sentences, ${advice.words} words.`;
  if (!advice.advice.length) {
    replace(container, el("p", { text: summary }), el("p", { text: "No advice: the text reads plainly." }));
    return;
  }
  const names = { readability: "Readability", long_sentence: "Long sentence", passive: "Passive voice", jargon: "Jargon" };
  replace(container, el("p", { text: summary }),
    el("ul", { class: "advice-list" }, advice.advice.map((item) => el("li", {},
      el("span", { class: "advice-kind", text: `${names[item.kind] || item.kind}${item.line ? ` (line ${item.line})` : ""}: ` }),
      item.message,
      item.excerpt ? el("span", { class: "excerpt", text: `“${item.excerpt}”` }) : null))));
}

function outcomeText(outcome) {
  if (!outcome) return "";
  const words = OUTCOME_WORDS[outcome.status] || outcome.status;
  if (outcome.status === "abstain") return `The assistant ${words}.`;
  return `The assistant ${words} “${outcome.title} › ${outcome.heading}”.`;
}

function hitsTable(caption, hits) {
  if (!hits.length) return el("p", { text: "No section matches this question." });
  return scrollable(el("table", {},
    el("caption", { text: caption }),
    el("thead", {}, el("tr", {}, el("th", { scope: "col", text: "Section" }), el("th", { scope: "col", text: "Score" }))),
    el("tbody", {}, hits.map((hit) => el("tr", {},
      el("td", {}, `${hit.title} › `, el("strong", { text: hit.heading })),
      el("td", { text: hit.score === null ? "—" : hit.score.toFixed(2) }))))), caption);
}

/** "Try a question": the draft's sections beside the live answer. */
export function showTry(container, result) {
  replace(container, el("div", { class: "compare" },
    el("div", { class: "draft-result" }, el("h3", { text: "With your draft" }),
      el("p", { class: "outcome", text: outcomeText(result.draft_outcome) }),
      hitsTable("Sections that would answer, with your draft", result.draft_hits)),
    el("div", { class: "live-result" }, el("h3", { text: "Published now" }),
      el("p", { class: "outcome", text: outcomeText(result.published_outcome) }),
      hitsTable("Sections that answer today", result.published_hits))));
}

function outcomeCell(outcome) {
  if (outcome.status === "abstain") return "Does not know";
  const prefix = outcome.status === "clarify" ? "Asks: " : "";
  return `${prefix}${outcome.title} › ${outcome.heading}`;
}

/** The impact table: each test question before and after the edit. */
export function showImpact(container, report) {
  if (!report.total) {
    replace(container, el("p", { text: "There are no test questions for this article yet." }));
    return;
  }
  replace(container,
    el("p", { text: report.changed ? `${report.changed} of ${report.total} questions would get a different answer.` :
      `None of the ${report.total} questions would get a different answer.` }),
    scrollable(el("table", {},
      el("caption", { class: "visually-hidden", text: "Test questions before and after this edit" }),
      el("thead", {}, el("tr", {},
        el("th", { scope: "col", text: "Question" }), el("th", { scope: "col", text: "Answered today from" }),
        el("th", { scope: "col", text: "With this edit" }), el("th", { scope: "col", text: "What changes" }))),
      el("tbody", {}, report.questions.map((row) => el("tr", { class: row.changed ? "changed" : null },
        el("th", { scope: "row", text: row.question + (row.source === "gap" ? " (from content gaps)" : "") }),
        el("td", { text: outcomeCell(row.before) }),
        el("td", { text: outcomeCell(row.after) }),
        el("td", { text: row.verdict }))))), "Test questions table"));
}

/** The one-line state under the heading. */
export function stateLine(article, version) {
  const words = { draft: "Draft (not published)", published: "Published", retired: "Retired (not shown in answers)" };
  let text = `${words[article.status] || article.status}. Version ${version.number}, saved by ${version.author} at ${when(version.ts)}.`;
  if (article.unpublished_changes && article.status === "published") {
    text += ` This version is not published yet: the live version is ${article.published_version}.`;
  }
  if (article.overdue) text += ` Review overdue since ${day(article.review_by)}.`;
  return text;
}
