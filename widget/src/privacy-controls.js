/**
 * The citizen's own privacy controls (issue 11): "Delete this conversation" erases it on the
 * server (DELETE /api/conversations/{id}) before the widget forgets it, and "Save a copy"
 * downloads the conversation as plain text. No network call is made for the copy: it is built
 * from the messages on screen.
 */
import { serviceUrl } from "./connection.js";

/**
 * Erase the conversation on the server. Resolves to "erased" (204), "gone" (404: it had
 * expired or was already erased, which is just as good) or "failed" (anything else, or no
 * connection): then nothing was erased and the widget must keep the conversation.
 */
export async function eraseConversation(service, conversationId) {
  if (!conversationId) return "gone";
  try {
    const response = await fetch(serviceUrl(service, `api/conversations/${encodeURIComponent(conversationId)}`), {
      method: "DELETE", credentials: "omit",
    });
    if (response.status === 204) return "erased";
    if (response.status === 404) return "gone";
    return "failed";
  } catch {
    return "failed";
  }
}

/** "2026-12-03 14:05" in the reader's own time zone, from a stream id ("1700000000000-0"). */
function when(id) {
  const ms = Number(String(id || "").split("-")[0]);
  if (!Number.isFinite(ms) || ms <= 0) return "";
  const d = new Date(ms);
  const two = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${two(d.getMonth() + 1)}-${two(d.getDate())} ${two(d.getHours())}:${two(d.getMinutes())}`;
}

/**
 * The conversation shown in `list` (the widget's message list) as plain text: a heading, then
 * for each message who said it, when, what, and the guidance it linked to.
 */
export function transcriptText(list, title, s) {
  const lines = [title, s.copyHeading, ""];
  for (const item of list.querySelectorAll("li.csa-msg")) {
    if (item.classList.contains("csa-msg--pending") || item.classList.contains("csa-msg--failed")) continue;
    const who = item.querySelector(".csa-msg__who")?.textContent.trim() || "";
    const text = item.querySelector(".csa-msg__text")?.textContent.trim() || "";
    const stamp = when(item.dataset.id);
    lines.push(stamp ? `${who} (${stamp}):` : `${who}:`, text);
    for (const link of item.querySelectorAll(".csa-sources a[href]")) {
      lines.push(`  ${s.copySource} ${link.textContent.replace(/\s+/g, " ").trim()} <${link.href}>`);
    }
    lines.push("");
  }
  return lines.join("\n");
}

/** Offer `text` as a download named `filename` (a plain-text file). */
export function downloadText(text, filename) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain;charset=utf-8" }));
  const link = document.createElement("a");
  link.href = url;
  link.download = filename;
  link.hidden = true;
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** The file name for a copy made now: "conversation-2026-12-03.txt". */
export function copyFileName(now = new Date()) {
  const two = (n) => String(n).padStart(2, "0");
  return `conversation-${now.getFullYear()}-${two(now.getMonth() + 1)}-${two(now.getDate())}.txt`;
}
