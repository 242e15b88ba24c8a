/**
 * The admins' opening-hours page: one opening period per day and the list of bank holidays
 * (closed days). Saved with PUT /api/console/schedule; the chat, the phone-line text and the
 * out-of-hours message all follow it. Problems are listed in an error summary linked to
 * the fields, and nothing is sent until the form is right.
 */
import { h } from "../src/render.js";
import { format } from "./strings.js";

const DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"];
const CLOCK = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;
const DATE = /^\d{4}-\d{2}-\d{2}$/;

const $ = (id) => document.getElementById(id);

/**
 * Check the form's values; returns {schedule, problems: [{field, text}]}. A day's later
 * periods (set through the API; the form edits the first) are kept while the day is open.
 */
export function readSchedule(values, s) {
  const weekly = {};
  const problems = [];
  for (const day of DAYS) {
    const { open, from, to, extra = [] } = values.days[day];
    weekly[day] = [];
    if (!open) continue;
    if (!CLOCK.test(from) || !CLOCK.test(to) || from >= to) {
      problems.push({ field: `sched-${day}-from`, text: format(s.scheduleErrorTimes, { day: s.days[day] }) });
    } else {
      weekly[day] = [[from, to], ...extra.filter(([start]) => start > to)];
    }
  }
  const holidays = [];
  for (const line of values.holidays.split(/[\n,]+/).map((v) => v.trim()).filter(Boolean)) {
    const date = new Date(`${line}T00:00:00Z`);
    if (!DATE.test(line) || Number.isNaN(date.getTime()) || date.toISOString().slice(0, 10) !== line) {
      problems.push({ field: "sched-holidays", text: format(s.scheduleErrorDate, { value: line }) });
    } else {
      holidays.push(line);
    }
  }
  return { schedule: { weekly, bank_holidays: [...new Set(holidays)].sort() }, problems };
}

export class ScheduleEditor {
  /**
   * @param {import("./api.js").ConsoleApi} api
   * @param {object} s - the console strings.
   * @param {(text: string) => void} announce
   */
  constructor(api, s, announce) {
    this.api = api;
    this.s = s;
    this.announce = announce;
    this.built = false;
    this.extra = {};
  }

  build() {
    if (this.built) return;
    this.built = true;
    const s = this.s;
    const rows = DAYS.map((day) => {
      const open = h("input", { type: "checkbox", id: `sched-${day}-open` });
      const from = h("input", { type: "time", id: `sched-${day}-from`, step: "60" });
      const to = h("input", { type: "time", id: `sched-${day}-to`, step: "60" });
      open.addEventListener("change", () => { from.disabled = !open.checked; to.disabled = !open.checked; });
      return h("fieldset", { class: "con-day" },
        h("legend", { text: s.days[day] }),
        h("label", { class: "con-check", for: `sched-${day}-open` }, open, format(s.scheduleDayOpen, { day: s.days[day] })),
        h("label", { for: `sched-${day}-from`, class: "con-vh", text: format(s.scheduleFrom, { day: s.days[day] }) }),
        from, h("span", { "aria-hidden": "true", text: "to" }),
        h("label", { for: `sched-${day}-to`, class: "con-vh", text: format(s.scheduleTo, { day: s.days[day] }) }),
        to, h("p", { id: `sched-${day}-extra`, class: "con-hint", hidden: true }));
    });
    $("schedule-days").replaceChildren(...rows);
    $("schedule-form").addEventListener("submit", (event) => {
      event.preventDefault();
      this.save();
    });
  }

  /** Load the schedule in force into the form. */
  async load() {
    this.build();
    this.showProblems([]);
    try {
      this.fill(await this.api.schedule());
    } catch (error) {
      this.showProblems([{ field: "sched-mon-open", text: format(this.s.failed, { detail: error.detail }) }]);
    }
  }

  fill(data) {
    for (const day of DAYS) {
      const [period, ...extra] = (data.weekly && data.weekly[day]) || [];
      this.extra[day] = extra;
      const note = $(`sched-${day}-extra`);
      note.hidden = !extra.length;
      note.textContent = extra.length
        ? format(this.s.scheduleExtra, { periods: extra.map(([a, b]) => `${a}–${b}`).join(", ") }) : "";
      $(`sched-${day}-open`).checked = Boolean(period);
      $(`sched-${day}-from`).value = period ? period[0] : "09:00";
      $(`sched-${day}-to`).value = period ? (period[1] === "24:00" ? "23:59" : period[1]) : "17:00";
      $(`sched-${day}-from`).disabled = !period;
      $(`sched-${day}-to`).disabled = !period;
    }
    $("sched-holidays").value = (data.bank_holidays || []).join("\n");
    $("schedule-now").textContent = format(this.s.scheduleNow, {
      state: data.open_now ? this.s.scheduleOpen : this.s.scheduleClosed, hours: data.hours_text || "",
    });
  }

  values() {
    const days = {};
    for (const day of DAYS) {
      days[day] = {
        open: $(`sched-${day}-open`).checked, from: $(`sched-${day}-from`).value,
        to: $(`sched-${day}-to`).value, extra: this.extra[day] || [],
      };
    }
    return { days, holidays: $("sched-holidays").value };
  }

  showProblems(problems) {
    const summary = $("schedule-errors");
    summary.hidden = !problems.length;
    $("schedule-error-list").replaceChildren(...problems.map((p) => {
      const link = h("a", { href: `#${p.field}`, text: p.text });
      link.addEventListener("click", (event) => {
        event.preventDefault();
        $(p.field).focus();
      });
      return h("li", {}, link);
    }));
    for (const input of document.querySelectorAll("#schedule-form input, #schedule-form textarea")) {
      input.toggleAttribute("aria-invalid", problems.some((p) => p.field === input.id));
    }
    if (problems.length) summary.focus();
  }

  async save() {
    $("schedule-saved").hidden = true;
    const { schedule, problems } = readSchedule(this.values(), this.s);
    if (problems.length) {
      this.showProblems(problems);
      return;
    }
    this.showProblems([]);
    try {
      const saved = await this.api.saveSchedule(schedule);
      this.fill(saved);
      $("schedule-saved-text").textContent = format(this.s.scheduleSaved, { hours: saved.hours_text });
      $("schedule-saved").hidden = false;
      $("schedule-saved").focus();
    } catch (error) {
      this.showProblems([{ field: "sched-mon-open", text: format(this.s.failed, { detail: error.detail }) }]);
    }
  }
}
