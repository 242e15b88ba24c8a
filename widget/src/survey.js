// The end-of-conversation question: "Did you get what you came for? Yes / Partly / No", with an
// optional comment. Offered once per conversation, after the first answer from the guidance or
// when an adviser ends the chat; the answer goes to POST /api/conversations/{id}/survey (the
// gateway removes personal details from the comment before storing it).
import { serviceUrl } from "./connection.js";
import { h } from "./render.js";

const ANSWERS = ["yes", "partly", "no"];

export class Survey {
  /**
   * @param {object} options
   * @param {string} options.service - the gateway's base URL
   * @param {object} options.s - the widget's strings
   * @param {() => string|null} options.conversationId - the current conversation's id
   * @param {(text: string) => void} options.announce - say something to screen readers
   */
  constructor({ service, s, conversationId, announce }) {
    this.service = service;
    this.s = s;
    this.conversationId = conversationId;
    this.announce = announce;
    this.chosen = null;
    this.element = h("section", { class: "csa-survey", "aria-labelledby": "csa-survey-q", hidden: true });
    this.build();
  }

  build() {
    const s = this.s;
    this.error = h("p", { class: "csa-error", id: "csa-survey-error", hidden: true });
    this.buttons = ANSWERS.map((answer) => {
      const button = h("button", { type: "button", class: "csa-button",
        "aria-pressed": "false", "data-answer": answer, text: s[`survey_${answer}`] });
      button.addEventListener("click", () => this.choose(answer));
      return button;
    });
    this.comment = h("textarea", { id: "csa-survey-comment", rows: "2", maxlength: "500",
      autocomplete: "off", "aria-describedby": "csa-survey-hint" });
    this.send = h("button", { type: "submit", class: "csa-button", text: s.surveySend });
    this.form = h("form", { class: "csa-survey__more", novalidate: true, hidden: true },
      h("label", { for: "csa-survey-comment", text: s.surveyCommentLabel }),
      h("p", { id: "csa-survey-hint", class: "csa-survey__hint", text: s.surveyCommentHint }),
      this.comment, this.send);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.submit();
    });
    this.thanks = h("p", { class: "csa-survey__thanks", tabindex: "-1", hidden: true, text: s.surveyThanks });
    this.element.replaceChildren(
      h("h2", { id: "csa-survey-q", class: "csa-survey__q", text: s.surveyQuestion }),
      h("div", { class: "csa-survey__answers", role: "group", "aria-labelledby": "csa-survey-q" },
        ...this.buttons),
      this.form, this.error, this.thanks);
  }

  /** Show the question (once per conversation; nothing if it was answered). */
  offer() {
    if (this.done || !this.conversationId()) return;
    this.element.hidden = false;
  }

  /** A new conversation: hide the question and forget the answer. */
  reset() {
    this.done = false;
    this.chosen = null;
    this.element.hidden = true;
    this.build();
  }

  choose(answer) {
    this.chosen = answer;
    for (const button of this.buttons) {
      button.setAttribute("aria-pressed", String(button.dataset.answer === answer));
    }
    this.form.hidden = false;
  }

  async submit() {
    const id = this.conversationId();
    if (!this.chosen || !id) return;
    this.error.hidden = true;
    this.send.disabled = true;
    try {
      const response = await fetch(serviceUrl(this.service, `api/conversations/${encodeURIComponent(id)}/survey`), {
        method: "POST", headers: { "content-type": "application/json" },
        body: JSON.stringify({ answer: this.chosen, comment: this.comment.value.trim() }),
      });
      if (!response.ok && response.status !== 409) throw new Error(String(response.status));
      this.done = true;
      this.form.hidden = true;
      for (const button of this.buttons) button.disabled = true;
      this.thanks.hidden = false;
      this.announce(this.s.surveyThanks);
    } catch {
      this.error.textContent = this.s.surveyFailed;
      this.error.hidden = false;
    } finally {
      this.send.disabled = false;
    }
  }
}
