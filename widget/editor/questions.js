// Example questions each section answers: the list under every section of the article text,
// with add and remove. The questions are saved in the article (front matter ``questions``).
import { el, replace } from "./dom.js";

export const INTRO = "(introduction)";
export const LABEL = "Questions each section answers";
const MAX_PER_SECTION = 12;
const MIN_CHARS = 3;
const MAX_CHARS = 200;

/** ``(introduction)`` then every ``## `` heading of the article text (code blocks skipped). */
export function sectionKeys(body) {
  const keys = [INTRO];
  let inCode = false;
  for (const line of (body || "").split("\n")) {
    if (/^\s*(```|~~~)/.test(line)) { inCode = !inCode; continue; }
    const match = inCode ? null : line.match(/^##\s+(.*?)\s*#*\s*$/);
    if (match && match[1].trim() && !keys.includes(match[1].trim())) keys.push(match[1].trim());
  }
  return keys;
}

/** How the page names a section. */
export function sectionName(key) {
  return key === INTRO ? "the introduction" : `“${key}”`;
}

function tidy(text) {
  return String(text).split(/\s+/).filter(Boolean).join(" ");
}

/** The panel: owns the questions, renders them, tells the page when they change. */
export class QuestionsPanel {
  constructor(container, readBody, onChange) {
    this.container = container;
    this.readBody = readBody;
    this.onChange = onChange;
    this.questions = {};
    this.keys = [];
  }

  /** Load the article's ``questions`` field (replaces what the panel holds). */
  load(field) {
    this.questions = {};
    for (const [key, items] of Object.entries(field || {})) {
      if (Array.isArray(items)) this.questions[key] = items.map(tidy).filter(Boolean);
    }
    this.keys = [];
    this.render();
  }

  /** The ``questions`` field to save (sections without questions left out). */
  value() {
    const out = {};
    for (const key of [...sectionKeys(this.readBody()), ...Object.keys(this.questions)]) {
      if (this.questions[key]?.length && !out[key]) out[key] = [...this.questions[key]];
    }
    return out;
  }

  /** Why ``question`` cannot be added to ``key``, in plain words, or null. */
  problem(key, question) {
    const text = tidy(question);
    if (!text) return "Type a question to add.";
    if (text.length < MIN_CHARS) return `“${text}” is too short. Write it the way a resident would ask it.`;
    if (text.length > MAX_CHARS) return `The question is ${text.length} characters long. Keep it under ${MAX_CHARS}.`;
    if (/\]\(|\*\*|`/.test(text)) return "Write the question as plain words, without links or formatting.";
    for (const [other, items] of Object.entries(this.questions)) {
      if (items.some((q) => q.toLowerCase() === text.toLowerCase())) {
        return other === key ? `“${text}” is already listed for ${sectionName(key)}.`
          : `“${text}” is already listed for ${sectionName(other)}. Remove it there first.`;
      }
    }
    if ((this.questions[key] || []).length >= MAX_PER_SECTION) {
      return `${sectionName(key)} already has ${MAX_PER_SECTION} questions, the most a section can have. Remove one first.`;
    }
    return null;
  }

  /** Add a question (null on success, else the problem); moves it if ``move`` and listed elsewhere. */
  add(key, question, { move = false } = {}) {
    const text = tidy(question);
    if (move) {
      for (const [other, items] of Object.entries(this.questions)) {
        if (other !== key && items.some((q) => q.toLowerCase() === text.toLowerCase())) {
          this.questions[other] = items.filter((q) => q.toLowerCase() !== text.toLowerCase());
        }
      }
    }
    const problem = this.problem(key, text);
    if (problem) return problem;
    this.questions[key] = [...(this.questions[key] || []), text];
    this.changed();
    return null;
  }

  remove(key, index) {
    this.questions[key].splice(index, 1);
    if (!this.questions[key].length) delete this.questions[key];
    this.changed();
  }

  moveAll(from, to) {
    for (const question of [...(this.questions[from] || [])]) {
      delete this.questions[from];
      if (!this.problem(to, question)) this.questions[to] = [...(this.questions[to] || []), question];
    }
    delete this.questions[from];
    this.changed();
  }

  changed() {
    this.render();
    this.onChange();
  }

  /** Re-render only when the article's headings changed (called as the text is typed). */
  refreshSections() {
    const keys = sectionKeys(this.readBody());
    if (keys.join("\n") !== this.keys.join("\n")) this.render();
  }

  render() {
    const typed = {};
    for (const input of this.container.querySelectorAll("input[data-key]")) typed[input.dataset.key] = input.value;
    this.keys = sectionKeys(this.readBody());
    const orphans = Object.keys(this.questions).filter((key) => !this.keys.includes(key));
    replace(this.container,
      el("h2", { id: "questions-heading", tabindex: "-1", text: LABEL }),
      el("p", { class: "hint", id: "questions-hint", text: "What residents ask, in their own words, that each section answers. The assistant matches people's questions against these, so add the ones it got wrong. Up to 12 for each section; they go live when you publish." }),
      orphans.map((key, n) => this.orphanBlock(key, n)),
      this.keys.map((key, n) => this.sectionBlock(key, n, typed[key] || "")));
  }

  sectionBlock(key, n, typed) {
    const id = `qs-${n}`;
    const name = key === INTRO ? "Introduction (the text before the first heading)" : key;
    const items = this.questions[key] || [];
    const input = el("input", { id: `${id}-add`, name: `questions.${key}`, "data-key": key, maxlength: String(MAX_CHARS),
      autocomplete: "off", "aria-describedby": "questions-hint" });
    input.value = typed;
    const add = () => {
      const problem = this.add(key, input.value);
      if (problem) { this.showError(input, problem); return; }
      this.container.querySelector(`input[data-key="${CSS.escape(key)}"]`)?.focus();
    };
    input.addEventListener("keydown", (event) => { if (event.key === "Enter") { event.preventDefault(); add(); } });
    return el("div", { class: "qsection", role: "group", "aria-labelledby": id },
      el("h3", { id, text: name }),
      items.length ? el("ul", {}, items.map((q, index) => el("li", {}, q, " ",
        el("button", { type: "button", class: "link-button link-button--dark",
          onclick: () => this.removeAndFocus(key, index) },
          "Remove", el("span", { class: "visually-hidden", text: ` “${q}” from ${sectionName(key)}` })))))
        : el("p", { class: "hint", text: "No example questions yet." }),
      el("div", { class: "q-add" },
        el("div", { class: "field" }, el("label", { for: input.id, text: `Add a question for ${key === INTRO ? "the introduction" : `“${key}”`}` }), input),
        el("button", { type: "button", class: "button button--secondary", onclick: add },
          "Add", el("span", { class: "visually-hidden", text: ` a question for ${sectionName(key)}` }))));
  }

  orphanBlock(key, n) {
    const id = `qo-${n}`;
    const select = el("select", { id: `${id}-to` },
      this.keys.map((k) => el("option", { value: k, text: k === INTRO ? "Introduction" : k })));
    return el("div", { class: "qsection qsection--orphan", role: "group", "aria-labelledby": id },
      el("h3", { id, text: `Questions for “${key}”, a heading that is no longer in the text` }),
      el("p", { text: "Move them to the section that answers them now, or remove them. The article cannot be saved while they point at a missing heading." }),
      el("ul", {}, this.questions[key].map((q, index) => el("li", {}, q, " ",
        el("button", { type: "button", class: "link-button link-button--dark", onclick: () => this.removeAndFocus(key, index) },
          "Remove", el("span", { class: "visually-hidden", text: ` “${q}”` }))))),
      el("div", { class: "q-add" },
        el("div", { class: "field" }, el("label", { for: select.id, text: "Move them to" }), select),
        el("button", { type: "button", class: "button button--secondary", text: "Move the questions",
          onclick: () => { this.moveAll(key, select.value); this.container.querySelector("h2")?.focus(); } })));
  }

  removeAndFocus(key, index) {
    this.remove(key, index);
    const input = this.container.querySelector(`input[data-key="${CSS.escape(key)}"]`);
    (input || this.container.querySelector("input, select"))?.focus();
  }

  showError(input, message) {
    input.closest(".q-add").querySelector(".field-error")?.remove();
    const id = `${input.id}-error`;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", `questions-hint ${id}`);
    input.before(el("p", { class: "field-error", id, text: `Error: ${message}` }));
    input.focus();
  }
}
