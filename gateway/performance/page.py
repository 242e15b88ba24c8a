"""The performance page as server-made HTML: the period's figures against the previous period.

No inline script or style (the CSP allows neither): the page's only script is the sign-in
module, its CSS is ``widget/performance/performance.css``.
"""

from __future__ import annotations

from html import escape

from gateway.performance.charts import Series, bucketed, chart_figure, group_size
from gateway.performance.figures import Figures, rate

COST_NOTE = ("This is an estimate: contained conversations multiplied by the cost of one phone "
             "contact ({cost}). {source} Change it with PERFORMANCE_COST_PER_CONTACT.")


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value * 100:.0f}%"


def _secs(value: object) -> str:
    if not isinstance(value, (int, float)):
        return "–"
    if value == float("inf"):
        return "over a day"
    return f"≤ {value:g} s" if value < 120 else f"≤ {value / 60:g} min"


def _change(now: float | None, before: float | None) -> str:
    if now is None or before is None:
        return "–"
    if before == 0:
        return "new" if now else "no change"
    delta = (now - before) / before * 100
    return "no change" if abs(delta) < 0.5 else f"{delta:+.0f}%"


def _row(label: str, now: str, before: str, change: str) -> str:
    return (f'<tr><th scope="row">{escape(label)}</th><td>{escape(now)}</td>'
            f"<td>{escape(before)}</td><td>{escape(change)}</td></tr>")


def _table(caption: str, rows: list[str], table_id: str) -> str:
    return (f'<table class="figures" id="{table_id}"><caption>{escape(caption)}</caption>'
            '<thead><tr><th scope="col">Figure</th><th scope="col">This period</th>'
            '<th scope="col">Previous period</th><th scope="col">Change</th></tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>")


def _count_row(label: str, now: int, before: int) -> str:
    return _row(label, f"{now:,}", f"{before:,}", _change(now, before))


def _rate_row(label: str, now: float | None, before: float | None) -> str:
    return _row(label, _pct(now), _pct(before), _change(now, before))


def _series(title: str, name: str, now: Figures, before: Figures) -> Series:
    labels = [d.day for d in now.daily]
    size = group_size(len(labels))
    labels, values = bucketed(labels, [d.get(name) for d in now.daily], size)
    _, previous = bucketed([d.day for d in before.daily], [d.get(name) for d in before.daily],
                           size)
    return Series(title=title + (" per day" if size == 1 else
                                 " per week" if size == 7 else " per 30 days"),
                  labels=labels, values=values, previous=previous)


def _list_table(caption: str, head: tuple[str, ...], rows: list[tuple[object, ...]],
                table_id: str, empty: str) -> str:
    if not rows:
        return f"<p>{escape(empty)}</p>"
    cells = "".join("<tr>" + "".join(
        (f'<th scope="row">{escape(str(v))}</th>' if i == 0 else f"<td>{escape(str(v))}</td>")
        for i, v in enumerate(row)) + "</tr>" for row in rows)
    heads = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    return (f'<table class="figures" id="{table_id}"><caption>{escape(caption)}</caption>'
            f"<thead><tr>{heads}</tr></thead><tbody>{cells}</tbody></table>")


def sections(now: Figures, before: Figures, cost: float, cost_source: str) -> str:
    """Every section of the report."""
    n, b = now.summary(cost), before.summary(cost)
    hn, hb = now.handoffs(), before.handoffs()
    sn, sb = now.survey(), before.survey()
    out = ['<section aria-labelledby="adoption"><h2 id="adoption">Adoption</h2>',
           _table("People using the assistant", [
               _count_row("Conversations", now.conversations, before.conversations),
               _count_row("Citizens' messages", now.get("messages"), before.get("messages")),
           ], "adoption-table"),
           chart_figure(_series("Conversations", "conversations", now, before),
                        "chart-conversations", "conversations"),
           _list_table("Pages conversations started from", ("Page", "Conversations"),
                       list(now.start_pages()), "start-pages", "No conversations yet."),
           "</section>",
           '<section aria-labelledby="containment"><h2 id="containment">Containment</h2>',
           "<p>A conversation is contained when it ended without an adviser or a callback and "
           "nobody marked it unhelpful.</p>",
           _table("Conversations the assistant handled alone", [
               _count_row("Contained conversations", now.contained, before.contained),
               _rate_row("Containment rate", rate(now.contained, now.conversations),
                         rate(before.contained, before.conversations)),
           ], "containment-table"),
           _list_table("By topic (the article first answered from)",
                       ("Topic", "Conversations", "Contained", "Helpful", "Not helpful"),
                       [tuple(t.values()) for t in now.topics()], "topics-table",
                       "No answers from guidance in this period."),
           "</section>",
           '<section aria-labelledby="handoffs"><h2 id="handoffs">Handoffs and callbacks</h2>',
           _table("Conversations passed to people", [
               _count_row("Asked for a person", hn["asked"], hb["asked"]),
               _count_row("The assistant could not help", hn["could_not_help"],
                          hb["could_not_help"]),
               _count_row("Safety (priority)", hn["safety"], hb["safety"]),
               _count_row("No adviser available (callback offered)",
                          now.get("handoff_unavailable"), before.get("handoff_unavailable")),
               _count_row("Callbacks requested", now.get("callback_opened"),
                          before.get("callback_opened")),
               _count_row("Callbacks done", now.get("callback_done"),
                          before.get("callback_done")),
           ], "handoffs-table"),
           "</section>",
           '<section aria-labelledby="speed"><h2 id="speed">Speed</h2>',
           "<p>Times are upper bounds of the range they fall in (for example ≤ 5 s).</p>"]
    speed_rows = []
    for label, key in (("Time to first answer", "first_answer_seconds"),
                       ("Wait for an adviser", "wait_seconds"),
                       ("Adviser handling time", "handling_seconds")):
        for part, word in (("median", "median"), ("p90", "90th percentile")):
            now_v, before_v = n[key][part], b[key][part]  # type: ignore[index]
            speed_rows.append(_row(f"{label}, {word}", _secs(now_v), _secs(before_v),
                                   _change(now_v, before_v)))
    out += [_table("How quickly people were served", speed_rows, "speed-table"), "</section>",
            '<section aria-labelledby="satisfaction"><h2 id="satisfaction">Satisfaction</h2>',
            _table("“Did you get what you came for?”", [
                _count_row("Yes", sn["yes"], sb["yes"]),
                _count_row("Partly", sn["partly"], sb["partly"]),
                _count_row("No", sn["no"], sb["no"]),
                _rate_row("Answered yes", rate(sn["yes"], sum(sn.values())),
                          rate(sb["yes"], sum(sb.values()))),
            ], "survey-table"),
            "</section>",
            '<section aria-labelledby="quality"><h2 id="quality">Quality</h2>',
            _table("Questions the assistant did not answer well", [
                _count_row("Abstentions (no answer found)", now.get("abstained"),
                           before.get("abstained")),
                _count_row("“That's not what I asked”", now.get("not_what_i_asked"),
                           before.get("not_what_i_asked")),
            ], "quality-table"),
            _list_table("Topics most often not contained", ("Topic", "Not contained"),
                        unanswered(now), "unanswered-table",
                        "Every conversation with a topic was contained."),
            '<p><a href="/editor/gaps">See the questions behind them on the content gaps '
            "page</a>.</p></section>",
            '<section aria-labelledby="cost"><h2 id="cost">Estimated saving</h2>',
            f'<p class="big" id="saving">£{n["estimated_saving"]:,.2f} '
            f'<span class="muted">(previous period £{b["estimated_saving"]:,.2f})</span></p>',
            f"<p>{escape(COST_NOTE.format(cost=f'£{cost:,.2f}', source=cost_source))}</p>",
            "</section>"]
    return "".join(out)


def unanswered(figures: Figures, limit: int = 10) -> list[tuple[object, ...]]:
    """Topics with the most conversations that were not contained."""
    escalated = figures.total.labelled("topic_escalated")
    ranked = sorted(escalated.items(), key=lambda kv: (-kv[1], kv[0]))
    return [(topic, count) for topic, count in ranked[:limit] if count > 0]


def page(body: str, title: str = "Service performance", script: bool = False) -> str:
    """The page shell around ``body``."""
    module = ('<script type="module" src="/widget/performance/performance.js"></script>'
              if script else "")
    return ('<!doctype html><html lang="en-GB"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{escape(title)}</title>"
            '<link rel="stylesheet" href="/widget/performance/performance.css">'
            f"{module}</head><body>"
            '<a class="skip-link" href="#main">Skip to main content</a>'
            '<header class="site-header"><p class="site-name">Service performance</p></header>'
            f'<main id="main" tabindex="-1">{body}</main></body></html>')


def comments_section(comments: list[dict[str, str]]) -> str:
    """The newest survey comments of the period (already redacted when stored)."""
    if not comments:
        body = "<p>No comments in this period.</p>"
    else:
        items = "".join(f"<li><strong>{escape(c.get('answer', ''))}</strong>: "
                        f"{escape(c.get('text', ''))}</li>" for c in comments)
        body = f'<ul class="comments" id="comments">{items}</ul>'
    return ('<section aria-labelledby="comments-h"><h2 id="comments-h">What people said</h2>'
            "<p>The newest comments left with the end-of-conversation question, with personal "
            f"details removed.</p>{body}</section>")


def report(now: Figures, before: Figures, cost: float, cost_source: str,
           comments: list[dict[str, str]] | None = None) -> str:
    """The whole report for a period."""
    start, end = now.period.start.isoformat(), now.period.end.isoformat()
    form = ('<form class="period" method="get" action="/performance">'
            '<fieldset><legend>Period</legend>'
            f'<div class="field"><label for="start">From</label>'
            f'<input id="start" name="start" type="date" value="{start}" required></div>'
            f'<div class="field"><label for="end">To</label>'
            f'<input id="end" name="end" type="date" value="{end}" required></div>'
            '<button type="submit">Show</button></fieldset></form>')
    intro = (f"<h1>Service performance</h1><p id=\"period-words\">{start} to {end} "
             f"({now.period.length} days), compared with {before.period.start.isoformat()} "
             f"to {before.period.end.isoformat()}.</p>")
    export = ('<section aria-labelledby="open-data"><h2 id="open-data">Open data</h2>'
              "<p>Weekly counts for publishing (counts from 1 to 4 are suppressed): "
              '<a href="/api/performance/export.csv">CSV</a> or '
              '<a href="/api/performance/export.json">JSON</a> (last 12 complete weeks).</p>'
              "</section>")
    return page(intro + form + sections(now, before, cost, cost_source)
                + comments_section(comments or []) + export)


def sign_in_page() -> str:
    """Shown when nobody is signed in: the sign-in module builds the form."""
    return page('<h1>Service performance</h1><div id="signin"><p>Sign in with a manager or '
                "admin account to see the figures.</p></div>", script=True)


def forbidden_page() -> str:
    """Shown to a signed-in user whose role is not manager or admin."""
    return page("<h1>Service performance</h1><p>Your role does not allow this page. Ask an "
                "admin for a manager account.</p>")


def bad_period_page(message: str) -> str:
    """Shown for a period that cannot be read (nothing is changed)."""
    return page(f'<h1>Service performance</h1><p class="error" role="alert">{escape(message)}'
                '</p><p><a href="/performance">Show the last 28 days</a>.</p>')
