"""The performance figures through the gateway (in-process app, real Redis, scripted Rasa):
a known scenario gives exactly the expected figures on the page, in its JSON and in the export;
bad input is refused and changes nothing; only managers and admins see the figures."""

from __future__ import annotations

import datetime as dt
import json
import re
from pathlib import Path
from typing import Any

import redis
from fastapi.testclient import TestClient
from prometheus_client import generate_latest
from prometheus_client.parser import text_string_to_metric_families

from actions import metrics as action_metrics
from gateway.metrics import may_scrape
from gateway.performance.export import SUPPRESS_BELOW
from gateway.performance.figures import Period, load
from records.performance import PerformanceKeys, count_sync
from tests.gateway.conftest import (
    ScriptedRasa,
    add_user,
    adviser_online,
    login,
    new_conversation,
    prefix_keys,
)


def today() -> str:
    """Today's date (UTC), read when a test asks: a module constant, read at collection, named
    yesterday for tests that ran just after midnight (a clean-clone run failed so)."""
    return dt.datetime.now(dt.UTC).date().isoformat()


def answer_from(article: str) -> list[dict[str, Any]]:
    """A guidance answer quoting one article."""
    return [{"custom": {"text": f"Here is what {article} says.", "sources": [
        {"title": article, "url": f"/guidance/{article}", "article_id": article}]}}]


def say(client: TestClient, cid: str, text: str) -> dict[str, Any]:
    response = client.post(f"/api/conversations/{cid}/messages", json={"text": text})
    assert response.status_code == 200, response.text
    return dict(response.json())


def seed(client: TestClient, rasa: ScriptedRasa) -> dict[str, str]:
    """Six conversations with known outcomes:

    - c1, c2: answered from bins, nothing else (contained); c1 answers the survey "yes";
    - c3: answered from council-tax, then asks for a person (handoff asked), claimed and ended;
    - c4: answered from council-tax, then the bot fails (handoff could_not_help);
    - c5: no answer (abstained), survey "no" with a comment holding an email (not contained);
    - c6: started, never writes.
    """
    add_user(client, "mo", "adviser")
    csrf = login(client, "mo")
    adviser_online(client, "mo")
    ids = {name: new_conversation(client) for name in ("c1", "c2", "c3", "c4", "c5", "c6")}
    rasa.replies = lambda text: answer_from("bins")
    say(client, ids["c1"], "when is my bin collected")
    say(client, ids["c2"], "bin day please")
    rasa.replies = lambda text: answer_from("council-tax")
    say(client, ids["c3"], "council tax band")
    say(client, ids["c4"], "council tax discount")
    handoff = client.post(f"/api/conversations/{ids['c3']}/handoff", json={"reason": "requested"})
    assert handoff.status_code == 200, handoff.text
    headers = {"X-CSRF-Token": csrf}
    assert client.post(f"/api/console/conversations/{ids['c3']}/claim",
                       headers=headers).status_code == 200
    assert client.post(f"/api/console/conversations/{ids['c3']}/end", headers=headers,
                       json={"outcome": "resolved"}).status_code == 200
    rasa.replies = lambda text: [{"custom": {"text": "Let me find someone.",
                                             "handoff": {"reason": "failed"}}}]
    say(client, ids["c4"], "that is still wrong")
    rasa.replies = lambda text: [{"custom": {"text": "I don't know that one.",
                                             "abstained": True}}]
    say(client, ids["c5"], "what is the meaning of life")
    client.cookies.clear()
    assert client.post(f"/api/conversations/{ids['c1']}/survey",
                       json={"answer": "yes"}).json() == {"recorded": True}
    assert client.post(f"/api/conversations/{ids['c5']}/survey", json={
        "answer": "no", "comment": "write to me at jo@example.org"}).json() == {"recorded": True}
    return ids


def manager(client: TestClient) -> None:
    add_user(client, "meg", "manager")
    login(client, "meg")


def test_known_scenario_gives_exact_figures(client: TestClient, rasa: ScriptedRasa) -> None:
    """Every headline figure of the scenario in ``seed`` is exactly as counted by hand."""
    seed(client, rasa)
    manager(client)
    figures = client.get("/api/performance", params={"start": today(), "end": today()})
    assert figures.status_code == 200, figures.text
    now = figures.json()["current"]
    assert now["conversations"] == 6
    assert now["messages"] == 6
    assert now["contained"] == 3  # c1, c2, c6 (c3, c4 handed off; c5 said no)
    assert now["containment_rate"] == 0.5
    assert now["handoffs"] == {"asked": 1, "could_not_help": 1, "safety": 0}
    assert now["survey"] == {"yes": 1, "partly": 0, "no": 1}
    assert now["abstained"] == 1
    assert now["first_answer_seconds"]["count"] == 5  # c1 to c5 were answered; c6 never asked
    assert now["wait_seconds"]["count"] == 1 and now["handling_seconds"]["count"] == 1
    assert now["start_pages"] == [{"page": "/bins", "conversations": 6}]
    topics = {t["topic"]: t for t in now["topics"]}
    assert topics["bins"]["conversations"] == 2 and topics["bins"]["contained"] == 2
    assert topics["council-tax"]["conversations"] == 2
    assert topics["council-tax"]["contained"] == 0
    assert now["estimated_saving"] == round(3 * 2.83, 2)
    assert figures.json()["previous"]["conversations"] == 0


def test_page_shows_the_figures_with_charts_and_tables(client: TestClient,
                                                      rasa: ScriptedRasa) -> None:
    """The HTML page shows the same figures, a chart with its data table, no inline script
    or style, and links the unanswered topics to the content gaps page."""
    seed(client, rasa)
    manager(client)
    page = client.get("/performance", params={"start": today(), "end": today()})
    assert page.status_code == 200
    html = page.text
    assert '<th scope="row">Conversations</th><td>6</td><td>0</td><td>new</td>' in html
    assert '<th scope="row">Contained conversations</th><td>3</td>' in html
    assert '<th scope="row">Containment rate</th><td>50%</td>' in html
    assert '<svg class="chart" id="chart-conversations"' in html
    assert f'<tr><th scope="row">{today()}</th><td>6</td><td>0</td></tr>' in html
    assert '<a href="/editor/gaps">' in html
    assert '<th scope="row">council-tax</th><td>2</td>' in html  # top topic not contained
    assert "<script>" not in html and "style=" not in html
    assert "£8.49" in html and "estimate" in html
    assert "<strong>no</strong>: write to me at" in html and "jo@example.org" not in html


def test_export_suppresses_small_numbers(client: TestClient, rasa: ScriptedRasa) -> None:
    """The weekly export holds counts only; 1 to 4 are suppressed, 0 and 5 or more shown."""
    seed(client, rasa)
    manager(client)
    today = dt.datetime.now(dt.UTC).date()
    as_json = client.get("/api/performance/export.json",
                         params={"weeks": 1, "until": today.isoformat()}).json()
    week = as_json["weeks"][0]
    assert week["week_start"] == (today - dt.timedelta(days=today.weekday())).isoformat()
    assert week["conversations"] == 6
    assert week["contained"] is None and week["handoffs_asked"] is None  # 3 and 1
    assert week["handoffs_safety"] == 0
    assert as_json["suppressed_below"] == SUPPRESS_BELOW
    as_csv = client.get("/api/performance/export.csv",
                        params={"weeks": 1, "until": today.isoformat()})
    header, row = as_csv.text.strip().splitlines()
    assert header.startswith("week_start,week_end,conversations,citizen_messages,contained")
    assert row.split(",")[2:5] == ["6", "6", "<5"]


def test_survey_comment_is_redacted_and_counted_once(client: TestClient,
                                                     rasa: ScriptedRasa) -> None:
    """The comment is kept without the email; a second answer changes nothing."""
    ids = seed(client, rasa)
    again = client.post(f"/api/conversations/{ids['c5']}/survey", json={"answer": "yes"})
    assert again.json() == {"recorded": False}
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    comments = client.portal.call(  # type: ignore[union-attr]
        lambda: runtime.redis.xrange(runtime.settings.key("perf", "comments")))
    assert len(comments) == 1
    assert "jo@example.org" not in str(comments) and comments[0][1]["answer"] == "no"


def test_bad_input_is_refused_and_changes_nothing(client: TestClient) -> None:
    """Unknown conversations, bad answers, bad periods and bad exports are refused clearly."""
    cid = new_conversation(client)
    before = prefix_keys(client)
    assert client.post("/api/conversations/" + "x" * 22 + "/survey",
                       json={"answer": "yes"}).status_code in (404, 422)
    assert client.post(f"/api/conversations/{cid}/survey",
                       json={"answer": "maybe"}).status_code == 422
    assert client.post(f"/api/conversations/{cid}/survey",
                       json={"answer": "no", "comment": "x" * 501}).status_code == 422
    assert prefix_keys(client) == before
    manager(client)
    bad = client.get("/api/performance", params={"start": "2026-12-40"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text
    assert client.get("/api/performance", params={"start": "2026-12-03",
                                                  "end": "2026-12-01"}).status_code == 422
    assert client.get("/api/performance", params={"start": "2020-01-01",
                                                  "end": "2026-01-01"}).status_code == 422
    assert client.get("/performance", params={"start": "nonsense"}).status_code == 422
    assert client.get("/api/performance/export.csv", params={"weeks": 0}).status_code == 422


def test_only_managers_and_admins_see_the_figures(client: TestClient) -> None:
    """Signed out: the sign-in page (401); an adviser: 403; a manager and an admin: 200."""
    assert client.get("/performance").status_code == 401
    assert client.get("/api/performance").status_code == 401
    add_user(client, "ann", "adviser")
    login(client, "ann")
    assert client.get("/performance").status_code == 403
    assert client.get("/api/performance/export.json").status_code == 403
    client.cookies.clear()
    add_user(client, "root", "admin")
    login(client, "root")
    assert client.get("/performance").status_code == 200
    client.cookies.clear()
    manager(client)
    assert client.get("/api/performance").status_code == 200


def test_metrics_parse_with_the_prometheus_parser(client: TestClient,
                                                  rasa: ScriptedRasa) -> None:
    """/metrics is the Prometheus text format with the turn, queue and adviser metrics."""
    seed(client, rasa)
    text = client.get("/metrics").text
    families = {f.name: f for f in text_string_to_metric_families(text)}
    turns = {s.labels.get("stage") for s in families["csa_turn_seconds"].samples}
    assert {"gateway", "rasa"} <= turns
    queue = {s.labels["queue"]: s.value for s in families["csa_queue_length"].samples}
    assert queue["general"] == 1  # c4 still waits (c3 was claimed and ended)
    assert sum(queue.values()) == 1
    assert families["csa_advisers_online"].samples[0].value == 1
    assert "csa_http_requests" in families and "csa_sockets_open" in families


def test_grafana_dashboard_uses_only_metrics_the_gateway_serves(client: TestClient,
                                                               rasa: ScriptedRasa) -> None:
    """Every csa_* metric named in docs/grafana-dashboard.json is a family the gateway's or the
    action server's /metrics declares (a labelled counter has no sample until its first label
    appears, so families are compared, without the _total/_bucket suffixes)."""
    seed(client, rasa)
    served = {f.name for f in text_string_to_metric_families(client.get("/metrics").text)}
    served |= {f.name for f in text_string_to_metric_families(
        generate_latest(action_metrics.REGISTRY).decode())}
    dashboard = json.loads((Path(__file__).parents[2] / "docs" / "grafana-dashboard.json")
                           .read_text())
    named = {name for p in dashboard["panels"] for t in p["targets"]
             for name in re.findall(r"csa_[a-z_]+?(?=_total|_bucket|\b)", t["expr"])}
    assert named and named <= served, named - served


def test_counts_go_to_the_day_and_the_month(client: TestClient) -> None:
    """One increment from the action server's writer lands in the day's and the month's hash;
    a period of whole months reads the month hash, its edge days the day hashes."""
    runtime = client.app.state.runtime  # type: ignore[attr-defined]
    prefix = runtime.settings.redis_key_prefix
    sync = redis.Redis.from_url(runtime.settings.redis_url, decode_responses=True)
    keys = PerformanceKeys(prefix)
    ts = dt.datetime(2026, 10, 31, 23, 59, tzinfo=dt.UTC).timestamp()
    count_sync(sync, keys, ts, "not_what_i_asked")
    count_sync(sync, keys, ts + 120, "not_what_i_asked")  # 1 November
    assert sync.hget(keys.day("2026-10-31"), "not_what_i_asked") == "1"
    assert sync.hget(keys.month("2026-10"), "not_what_i_asked") == "1"
    assert sync.hget(keys.month("2026-11"), "not_what_i_asked") == "1"
    october = Period(dt.date(2026, 10, 1), dt.date(2026, 11, 1))
    figures = client.portal.call(load, runtime.redis, prefix, october)  # type: ignore[union-attr]
    assert figures.get("not_what_i_asked") == 2
    sync.close()


def test_later_answers_count_each_figure_once(client: TestClient, rasa: ScriptedRasa) -> None:
    """A conversation's flags are remembered once recorded, so later answers skip them: the
    first answer is still timed once, a topic first seen on the third answer is still counted
    (once, however often that article answers again), and every message is counted."""
    cid = new_conversation(client)
    rasa.replies = lambda text: [{"text": "Could you say more?"}]
    say(client, cid, "bins")
    say(client, cid, "my bin")
    rasa.replies = lambda text: answer_from("bins")
    say(client, cid, "my bin was not collected")
    say(client, cid, "and the recycling")
    manager(client)
    day = today()
    now = client.get("/api/performance", params={"start": day, "end": day}).json()["current"]
    assert now["messages"] == 4
    assert now["first_answer_seconds"]["count"] == 1
    topics = {t["topic"]: t for t in now["topics"]}
    assert topics["bins"]["conversations"] == 1


def test_metrics_are_not_served_to_public_addresses() -> None:
    """Loopback and private networks may scrape; a public address may not, unless allowed."""
    assert may_scrape("127.0.0.1", False) and may_scrape("10.1.2.3", False)
    assert may_scrape("::1", False)
    assert not may_scrape("81.2.69.160", False) and not may_scrape("unknown", False)
    assert may_scrape("81.2.69.160", True)
