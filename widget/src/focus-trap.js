/**
 * Keeps keyboard focus inside the chat panel while it covers the whole screen (narrow or
 * short screens, including 200 % zoom), so Tab never reaches page links hidden behind it
 * (WCAG 2.2, 2.4.11 Focus Not Obscured). On a wide screen the panel is a corner box and the
 * page stays reachable as usual. While full-screen the panel is announced as a modal dialog.
 */
const FOCUSABLE = [
  "a[href]", "button:not([disabled])", "textarea:not([disabled])", "input:not([disabled])",
  "select:not([disabled])", "[tabindex]:not([tabindex='-1'])",
].join(",");

export class FocusTrap {
  /**
   * @param {HTMLElement} panel - the dialog element inside the widget's shadow root.
   * @param {HTMLElement} host - the element in the page that holds the shadow root.
   */
  constructor(panel, host) {
    this.panel = panel;
    this.host = host;
    this.active = false;
    this.onKey = (event) => this.keydown(event);
    this.onFocusIn = () => this.pullBack();
    this.onResize = () => this.update();
  }

  /** Whether the panel covers the whole screen right now. */
  fullScreen() {
    if (this.panel.hidden) return false;
    const box = this.panel.getBoundingClientRect();
    const page = document.documentElement; // the viewport without scroll bars
    return box.width >= page.clientWidth - 1 && box.height >= page.clientHeight - 1;
  }

  /** Start watching (the panel has just opened). */
  start() {
    if (this.active) return;
    this.active = true;
    this.panel.addEventListener("keydown", this.onKey);
    document.addEventListener("focusin", this.onFocusIn);
    window.addEventListener("resize", this.onResize);
    this.update();
  }

  /** Stop watching (the panel has closed). */
  stop() {
    this.active = false;
    this.panel.removeEventListener("keydown", this.onKey);
    document.removeEventListener("focusin", this.onFocusIn);
    window.removeEventListener("resize", this.onResize);
    this.panel.removeAttribute("aria-modal");
  }

  update() {
    if (this.fullScreen()) this.panel.setAttribute("aria-modal", "true");
    else this.panel.removeAttribute("aria-modal");
  }

  /** The visible, focusable elements of the panel, in order. */
  focusables() {
    return [...this.panel.querySelectorAll(FOCUSABLE)]
      .filter((el) => el.getClientRects().length > 0 && !el.closest("[hidden]"));
  }

  keydown(event) {
    if (event.key !== "Tab" || !this.fullScreen()) return;
    const items = this.focusables();
    if (!items.length) return;
    const current = this.host.shadowRoot ? this.host.shadowRoot.activeElement : null;
    const first = items[0];
    const last = items[items.length - 1];
    if (event.shiftKey && (current === first || !this.panel.contains(current))) {
      event.preventDefault();
      last.focus();
    } else if (!event.shiftKey && current === last) {
      event.preventDefault();
      first.focus();
    }
  }

  /** Focus moved to the page behind a full-screen panel (by a click or a script): bring it back. */
  pullBack() {
    if (!this.fullScreen()) return;
    if (document.activeElement === this.host) return;
    const items = this.focusables();
    if (items.length) items[0].focus();
  }
}
