/**
 * Every piece of text the citizen widget shows, in one place, ready for translation.
 *
 * Add a language by copying the `en` object under a new key (for example `cy`) and
 * translating the values. Keep `{placeholders}` as they are. Entries with `one` and
 * `other` are plural forms chosen with Intl.PluralRules.
 */
export const STRINGS = {
  en: {
    title: "Ask us a question",
    launcher: "Ask a question",
    close: "Close",
    closeLabel: "Close the chat",
    intro:
      "Ask a question in your own words. A computer answers first, using our guidance. " +
      "You can talk to a person at any time.",
    conversationLabel: "Conversation",
    inputLabel: "Your message",
    send: "Send",
    talkToPerson: "Talk to a person",
    leaveQueue: "Leave the queue",
    clear: "Delete this conversation",
    clearQuestion: "Delete this conversation? We will erase it from our records straight away, and you will not be able to see it again.",
    clearYes: "Yes, delete it",
    clearNo: "No, keep it",
    cleared: "Conversation deleted.",
    clearing: "Deleting…",
    clearFailed: "We could not delete the conversation just now. Please try again in a moment.",
    saveCopy: "Save a copy",
    copySaved: "A copy of the conversation was downloaded.",
    copyHeading: "Your conversation with the council's online assistant.",
    copySource: "Guidance:",
    privacy: "How we use your information",
    you: "You",
    assistant: "Assistant",
    adviser: "Adviser",
    notice: "Update",
    sending: "Sending",
    notSent: "Not sent yet. It will be sent when the connection is back.",
    connecting: "Connecting…",
    reconnecting: {
      one: "The connection has dropped. Trying again in {count} second. Your messages are kept.",
      other: "The connection has dropped. Trying again in {count} seconds. Your messages are kept.",
    },
    reconnectingNow: "Trying to connect again…",
    connectedAgain: "Connected again.",
    downHeading: "The chat is not working at the moment",
    downText: "We are trying to reconnect. You can also contact us another way:",
    downPhone: "Phone:",
    downEmail: "Email:",
    downContact: "Other ways to contact us",
    typing: "{name} is typing…",
    queueHeading: "Waiting for an adviser",
    queuePosition: {
      one: "You are number {count} in the queue.",
      other: "You are number {count} in the queue.",
    },
    queueWait: "The wait is {wait}.",
    queueMoving: "You can keep using this website. The chat stays open on every page.",
    adviserHeading: "You are talking to a person",
    adviserWith: "You are talking to {name}, an adviser.",
    closedText: "The adviser has ended the chat. You can keep asking the assistant.",
    sources: "Where this answer comes from",
    lastReviewed: "Last reviewed {date}",
    newTab: "(opens in a new tab)",
    chooseReply: "Choose a reply",
    feedbackQuestion: "Was this answer helpful?",
    feedbackYes: "Yes",
    feedbackNo: "No",
    feedbackThanks: "Thank you for your feedback.",
    surveyQuestion: "Did you get what you came for?",
    survey_yes: "Yes",
    survey_partly: "Partly",
    survey_no: "No",
    surveyCommentLabel: "Anything to add? (optional)",
    surveyCommentHint: "Please do not include personal details such as your name or address.",
    surveySend: "Send",
    surveyThanks: "Thank you. Your answer helps us improve this service.",
    surveyFailed: "Your answer could not be sent. Please try again.",
    charsLeft: {
      one: "You have {count} character left",
      other: "You have {count} characters left",
    },
    charsOver: {
      one: "You have {count} character too many",
      other: "You have {count} characters too many",
    },
    errorEmpty: "Enter a message",
    errorTooLong: "Your message is too long. Make it {count} characters or fewer.",
    errorPrefix: "Error:",
    serviceProblem: "Sorry, something went wrong on our side.",
    said: "{name} said: {text}",
  },
};

/** Return the strings for a language tag such as "en-GB", falling back to English. */
export function stringsFor(lang) {
  const tag = String(lang || "en").toLowerCase();
  return STRINGS[tag] || STRINGS[tag.split("-")[0]] || STRINGS.en;
}

/**
 * Fill `{name}` placeholders in a template. A template that is an object of plural
 * forms picks the form for `values.count` in the given language.
 */
export function format(template, values = {}, lang = "en") {
  let text = template;
  if (typeof template === "object") {
    const form = new Intl.PluralRules(lang).select(Number(values.count));
    text = template[form] || template.other;
  }
  return text.replace(/\{(\w+)\}/g, (match, key) => (key in values ? String(values[key]) : match));
}
