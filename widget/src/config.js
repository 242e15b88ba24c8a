/**
 * The widget's settings, read from the data-assistant-* attributes of its script tag.
 */
import { stringsFor } from "./strings.js";

/** Read the widget's settings from a script element's data attributes. */
export function configFromScript(script, moduleUrl) {
  const data = script.dataset;
  const service = new URL(data.assistantService, document.baseURI).toString().replace(/\/$/, "");
  const origin = new URL(service).origin;
  const title = data.assistantTitle || stringsFor(data.assistantLanguage).title;
  const mode = data.assistantMode === "inline" ? "inline" : "launcher";
  const resolve = (value, fallback) => (value === "" ? "" : new URL(value || fallback, `${service}/`).toString());
  return {
    service,
    title,
    launcher: data.assistantLauncher || title,
    lang: data.assistantLanguage || document.documentElement.lang || "en",
    mode,
    target: data.assistantTarget || "",
    privacyUrl: resolve(data.assistantPrivacyUrl, "privacy"),
    contactUrl: resolve(data.assistantContactUrl, "contact"),
    phone: data.assistantPhone || "",
    hours: data.assistantHours || "",
    email: data.assistantEmail || "",
    linkOrigins: [origin, ...(data.assistantLinkOrigins || "").split(/\s+/).filter(Boolean)],
    cssUrl: new URL("assistant.css", moduleUrl).toString(),
  };
}
