// The article form: front matter fields and the body, to and from the API's shape.

const FIELDS = ["id", "title", "summary", "url", "service_area", "owner", "last_reviewed", "review_by", "language"];
const CONTACT = ["phone", "email", "hours"];

/** Fill the form from ``front_matter`` and ``body``; unknown fields are kept for saving. */
export function fillForm(form, frontMatter, body) {
  form.dataset.extra = JSON.stringify(Object.fromEntries(
    Object.entries(frontMatter).filter(([key]) => !FIELDS.includes(key) && key !== "contact" && key !== "questions")));
  for (const name of FIELDS) {
    const input = form.elements[name];
    if (input) input.value = frontMatter[name] ?? (name === "language" ? "en" : "");
  }
  const contact = frontMatter.contact || {};
  for (const name of CONTACT) form.elements[`contact.${name}`].value = contact[name] ?? "";
  form.elements.body.value = body ?? "";
}

/** The front matter the form describes (unknown fields from the loaded version included). */
export function readFrontMatter(form) {
  const front = JSON.parse(form.dataset.extra || "{}");
  for (const name of FIELDS) {
    const value = form.elements[name]?.value.trim();
    if (value) front[name] = value;
  }
  const contact = {};
  for (const name of CONTACT) {
    const value = form.elements[`contact.${name}`].value.trim();
    if (value) contact[name] = value;
  }
  if (Object.keys(contact).length) front.contact = contact;
  return front;
}

/** Split a whole Markdown file into front matter lines and body (for opening a file). */
export function splitFile(text) {
  const match = text.replace(/^\uFEFF/, "").match(/^---\r?\n([\s\S]*?)\r?\n---[ \t]*\r?\n?([\s\S]*)$/);
  return match ? { head: match[1], body: match[2] } : null;
}

/** Field name for a problem (``contact`` problems point at the phone box). */
export function inputFor(form, field) {
  if (!field) return null;
  if (field === "contact") return form.elements["contact.phone"];
  if (field === "questions" || field.startsWith("questions.")) {
    return form.elements.namedItem(field) || form.querySelector('input[name^="questions."]');
  }
  return form.elements[field] || null;
}
