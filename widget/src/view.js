/**
 * The widget's fixed structure (panel, toolbar, status, log, form), built once with
 * safe DOM calls. Returns named references so assistant.js never queries by selector.
 */
import { h, externalLink } from "./render.js";
import { format } from "./strings.js";

function downBox(ref, config, s) {
  ref.phone = h("a", {});
  ref.phoneItem = h("li", {}, `${s.downPhone} `, ref.phone);
  ref.hours = h("li", {});
  const items = [ref.phoneItem, ref.hours];
  if (config.email) {
    items.push(h("li", {}, `${s.downEmail} `, h("a", { href: `mailto:${config.email}`, text: config.email })));
  }
  if (config.contactUrl) items.push(h("li", {}, h("a", { href: config.contactUrl, text: s.downContact })));
  setContact(ref, config.phone, config.hours);
  return h("div", { class: "csa-down", hidden: true },
    h("h3", { class: "csa-box-title", text: s.downHeading }),
    h("p", { class: "csa-down__text", text: s.downText }),
    h("ul", {}, ...items));
}

/** Show (or hide, when empty) the phone number and opening hours in the contact box. */
export function setContact(ref, phone, hours) {
  ref.phoneItem.hidden = !phone;
  ref.phone.textContent = phone || "";
  ref.phone.setAttribute("href", `tel:${String(phone || "").replace(/[^0-9+]/g, "")}`);
  ref.hours.hidden = !hours;
  ref.hours.textContent = hours || "";
}

/** Build the widget inside `root` (a shadow root) and return references to its parts. */
export function buildView(root, config, s) {
  const launcherMode = config.mode === "launcher";
  const ref = {};
  ref.stylesheet = h("link", { rel: "stylesheet", href: config.cssUrl });
  ref.launcher = launcherMode
    ? h("button", {
      type: "button", class: "csa-launcher", "aria-expanded": "false", "aria-controls": "csa-panel",
    }, h("span", { class: "csa-launcher__icon", "aria-hidden": "true" }), h("span", { text: config.launcher }))
    : null;
  ref.title = h("h2", { id: "csa-title", class: "csa-title", tabindex: "-1", text: config.title });
  ref.close = launcherMode
    ? h("button", { type: "button", class: "csa-close", "aria-label": s.closeLabel, text: s.close })
    : null;
  ref.person = h("button", { type: "button", class: "csa-button csa-person", text: s.talkToPerson });
  ref.clear = h("button", { type: "button", class: "csa-link-button", text: s.clear });
  ref.save = h("button", { type: "button", class: "csa-link-button", text: s.saveCopy });
  ref.confirmText = h("p", { id: "csa-confirm-text", tabindex: "-1", text: s.clearQuestion });
  ref.confirmYes = h("button", { type: "button", class: "csa-button csa-button--warning", text: s.clearYes });
  ref.confirmNo = h("button", { type: "button", class: "csa-button csa-button--secondary", text: s.clearNo });
  ref.confirm = h("div", {
    class: "csa-confirm", role: "group", "aria-labelledby": "csa-confirm-text", hidden: true,
  }, ref.confirmText, h("div", { class: "csa-row" }, ref.confirmYes, ref.confirmNo));
  ref.status = h("p", { class: "csa-status", role: "status" });
  ref.down = downBox(ref, config, s);
  ref.modeTitle = h("h3", { class: "csa-box-title" });
  ref.modeText = h("span", {});
  ref.mode = h("div", { class: "csa-mode", hidden: true }, ref.modeTitle, " ", ref.modeText);
  ref.log = h("ol", { class: "csa-log" });
  ref.typing = h("p", { class: "csa-typing", hidden: true });
  ref.scroll = h("div", {
    class: "csa-scroll", role: "region", "aria-label": s.conversationLabel, tabindex: "0",
  }, h("p", { class: "csa-intro", text: s.intro }), ref.log, ref.typing);
  ref.error = h("p", { id: "csa-error", class: "csa-error", hidden: true });
  ref.input = h("textarea", {
    id: "csa-input", name: "message", rows: "2", autocomplete: "off",
    "aria-describedby": "csa-count",
  });
  ref.send = h("button", { type: "submit", class: "csa-button csa-send", text: s.send });
  ref.count = h("p", { id: "csa-count", class: "csa-count" });
  ref.countLive = h("p", { class: "csa-vh", "aria-live": "polite" });
  ref.form = h("form", { class: "csa-form", novalidate: true },
    ref.error,
    h("label", { for: "csa-input", class: "csa-label", text: s.inputLabel }),
    h("div", { class: "csa-row csa-row--input" }, ref.input, ref.send),
    ref.count, ref.countLive);
  ref.live = h("div", { class: "csa-vh", "aria-live": "polite" });
  ref.privacy = h("div", { class: "csa-foot" },
    config.privacyUrl ? externalLink(config.privacyUrl, s.privacy, s) : null, ref.save, ref.clear);
  ref.panel = h("div", {
    id: "csa-panel", class: "csa-panel", role: launcherMode ? "dialog" : null,
    "aria-labelledby": "csa-title", hidden: launcherMode,
  },
  h("div", { class: "csa-head" }, ref.title, h("div", { class: "csa-tools" }, ref.person, ref.close)),
  ref.status, ref.down, ref.mode, ref.scroll, ref.form, ref.privacy, ref.confirm, ref.live);
  ref.root = h("section", {
    class: `csa csa--${launcherMode ? "launcher" : "inline"}`, "aria-label": config.title,
    lang: config.lang, hidden: true,
  }, ref.launcher, ref.panel);
  root.append(ref.stylesheet, ref.root);
  return ref;
}

/** The queue / adviser banner for a `state` frame: a title and one paragraph of text. */
export function describeState(frame, mode, s, lang) {
  const parts = [];
  let title = "";
  if (mode === "queued") {
    title = s.queueHeading;
    if (Number.isInteger(frame.queue_position)) parts.push(format(s.queuePosition, { count: frame.queue_position }, lang));
    // The words come from the gateway (one wording for the estimate everywhere).
    if (typeof frame.wait_text === "string" && frame.wait_text) parts.push(format(s.queueWait, { wait: frame.wait_text }));
    parts.push(s.queueMoving);
  } else if (mode === "adviser") {
    title = s.adviserHeading;
    parts.push(typeof frame.adviser === "string" && frame.adviser
      ? format(s.adviserWith, { name: frame.adviser }) : s.adviserHeading);
  } else if (mode === "closed") {
    parts.push(s.closedText);
  }
  // Out of hours is said once, in the conversation (closed, when advisers are back, callback
  // or phone), not again in a banner that takes the conversation's space.
  return { title, text: parts.join(" ") };
}
