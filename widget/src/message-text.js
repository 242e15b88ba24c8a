/**
 * A message's text as readable blocks, built with safe DOM calls only (never innerHTML).
 *
 * Guidance answers arrive as plain text with Markdown-style list lines ("- item", "1. item")
 * and blank lines between paragraphs. Staff and bot messages are drawn as paragraphs and
 * real lists; a citizen's own words are shown exactly as typed. Case and callback
 * references (for example MB-7KQ2XP) are kept on one line so they never wrap at the hyphen.
 */
import { h } from "./render.js";

const BULLET = /^\s*[-*•]\s+(.*)$/;
const NUMBERED = /^\s*\d{1,3}[.)]\s+(.*)$/;
/** A reference the services hand out: two or three capitals, a hyphen, then 4–12 letters/digits. */
export const REFERENCE = /\b[A-Z]{2,3}-[A-Z0-9]{4,12}\b/;

/** Text with every reference wrapped in a span that does not break. */
export function withReferences(text) {
  const parts = [];
  let last = 0;
  for (const match of text.matchAll(new RegExp(REFERENCE.source, "g"))) {
    if (match.index > last) parts.push(text.slice(last, match.index));
    parts.push(h("span", { class: "csa-ref", text: match[0] }));
    last = match.index + match[0].length;
  }
  if (last < text.length) parts.push(text.slice(last));
  return parts;
}

/** Split text into blocks: {type: "p", lines} or {type: "ul"|"ol", items}. */
export function blocksOf(text) {
  const blocks = [];
  let current = null;
  for (const line of String(text).split(/\r?\n/)) {
    const bullet = BULLET.exec(line);
    const numbered = bullet ? null : NUMBERED.exec(line);
    if (!line.trim()) {
      current = null;
    } else if (bullet || numbered) {
      const type = bullet ? "ul" : "ol";
      if (!current || current.type !== type) {
        current = { type, items: [] };
        blocks.push(current);
      }
      current.items.push((bullet || numbered)[1].trim());
    } else if (current && current.type === "p") {
      current.lines.push(line.trim());
    } else {
      current = { type: "p", lines: [line.trim()] };
      blocks.push(current);
    }
  }
  return blocks;
}

/**
 * The element for a message's text. `structured` is false for the citizen's own words
 * (shown as typed, white space kept); otherwise lists and paragraphs are drawn.
 */
export function messageText(text, structured) {
  const value = typeof text === "string" ? text : "";
  if (!structured) return h("p", { class: "csa-msg__text csa-msg__text--plain", text: value });
  const box = h("div", { class: "csa-msg__text" });
  for (const block of blocksOf(value)) {
    if (block.type === "p") {
      box.append(h("p", {}, ...withReferences(block.lines.join(" "))));
    } else {
      box.append(h(block.type, {}, ...block.items.map((item) => h("li", {}, ...withReferences(item)))));
    }
  }
  return box;
}

/** True when a message confirms something done (it hands out a reference). */
export function isConfirmation(message) {
  if (message.role !== "bot" || typeof message.text !== "string") return false;
  return /reference is/i.test(message.text) && REFERENCE.test(message.text);
}
