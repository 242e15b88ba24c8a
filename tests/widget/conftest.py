"""Fixtures for the widget's real-browser tests: Debian's Chromium through Playwright.

- `browser`: one headless Chromium for the session (never downloaded: /usr/bin/chromium).
- `fake`: the small stand-in service (fake_service.py) for front-end-only behaviour.
- `hosts`: a plain static server on its own port, to embed the widget from another origin.
- `gateway`: the real gateway (the lead's `live_stack`), restarted once with the settings the
  widget tests need (demo users, this run's host origin allowed).
- `shots`: saves screenshots under test-results/screenshots/ for a person to look at.
"""

from __future__ import annotations

import json
import os
import threading
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.browser import launch_chromium
from tests.widget.fake_service import RunningFake, echo_reply

ROOT = Path(__file__).resolve().parents[2]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
SCREENSHOTS = ROOT / "test-results" / "screenshots"
DEMO_PASSWORD = os.environ.get("WIDGET_TEST_PASSWORD", "widget-tests-only-7f3k")
ALWAYS_OPEN = json.dumps(
    {day: [["00:00", "23:59"]] for day in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")}
)


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    """Headless Debian Chromium, shared by the session."""
    with launch_chromium() as chromium:
        yield chromium


@pytest.fixture
def context(browser: Any) -> Iterator[Any]:
    """A fresh browser context (own sessionStorage) with a desktop viewport."""
    ctx = browser.new_context(viewport={"width": 1280, "height": 800})
    ctx.set_default_timeout(10_000)
    try:
        yield ctx
    finally:
        ctx.close()


@pytest.fixture
def page(context: Any) -> Any:
    """A page in a fresh context; console errors are collected on `page.errors`."""
    pg = context.new_page()
    pg.errors = []
    pg.on("pageerror", lambda exc: pg.errors.append(str(exc)))
    return pg


@pytest.fixture(scope="session")
def fake_server() -> Iterator[RunningFake]:
    """The stand-in service, running for the whole session."""
    running = RunningFake().start()
    try:
        yield running
    finally:
        running.stop()


@pytest.fixture
def fake(fake_server: RunningFake) -> RunningFake:
    """The stand-in service, with its knobs reset for this test."""
    service = fake_server.service
    service.reply = echo_reply
    service.refuse = False
    service.reply_delay = 0.0
    service.lose_next_ack = False
    service.received_frames.clear()
    service.host_pages.clear()
    return fake_server


class HostPages:
    """A static web server on its own port that serves pages a test registers."""

    def __init__(self, port: int = 0) -> None:
        self.pages: dict[str, tuple[str, dict[str, str]]] = {}
        pages = self.pages

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                found = pages.get(self.path.split("?")[0])
                if found is None:
                    self.send_error(404)
                    return
                body, headers = found
                data = body.encode()
                self.send_response(200)
                if "Content-Type" not in headers:
                    self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers.items():
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    @property
    def origin(self) -> str:
        """e.g. http://127.0.0.1:40123."""
        return f"http://127.0.0.1:{self.server.server_port}"

    def add(self, path: str, html: str, headers: dict[str, str] | None = None) -> str:
        """Serve `html` at `path`; returns the full URL."""
        self.pages[path] = (html, headers or {})
        return self.origin + path

    def stop(self) -> None:
        """Shut the server down."""
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="session")
def hosts() -> Iterator[HostPages]:
    """A second origin for host pages (WIDGET_TEST_HOST_PORT fixes its port, for your own stack)."""
    server = HostPages(int(os.environ.get("WIDGET_TEST_HOST_PORT", "0")))
    try:
        yield server
    finally:
        server.stop()


def strict_csp(service: str) -> str:
    """A strict host-page CSP that allows only the widget's service (no inline, no eval)."""
    ws = service.replace("http://", "ws://").replace("https://", "wss://")
    return (
        f"default-src 'none'; script-src {service}/widget/; style-src 'self' {service}/widget/; "
        f"connect-src {service} {ws}; img-src 'self'; base-uri 'none'; form-action 'self'; "
        "frame-ancestors 'none'; require-trusted-types-for 'script'; trusted-types 'none'"
    )


def host_page(service: str, mode: str = "launcher", extra: str = "", body: str = "") -> str:
    """A plain council-like page that embeds the widget with one script tag."""
    target = '<div id="chat-here"></div>' if mode == "inline" else ""
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Host page</title>
<script type="module" src="{service}/widget/assistant.js" data-assistant-service="{service}"
  data-assistant-title="Ask Millbrook Council" data-assistant-mode="{mode}"
  data-assistant-target="chat-here" {extra}></script>
</head><body>
<header><p>Millbrook Council</p></header>
<main><h1>Council tax</h1>
<p>How to pay, discounts and what to do if you move house.</p>
{body}
<p data-assistant-fallback>The chat needs JavaScript.
<a href="/contact">Contact the council</a> instead.</p>
{target}
</main>
</body></html>"""


@pytest.fixture
def shots() -> Callable[[Any, str], Path]:
    """Save a full-page screenshot as test-results/screenshots/<name>.png."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(pg: Any, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        pg.screenshot(path=str(path), full_page=False)
        return path

    return take


def run_axe(pg: Any) -> list[dict[str, Any]]:
    """Run axe-core (WCAG 2.x A/AA + best practice) on the page, shadow DOM included."""
    if not AXE.exists():
        pytest.fail("node_modules/axe-core is missing: run `npm ci` at the repo root")
    if not pg.evaluate("() => typeof window.axe === 'object'"):
        pg.evaluate(AXE.read_text())
    # let finite animations (the panel rising into view) end: mid-fade colours are not the design
    pg.evaluate("""async () => {
        const roots = [document, ...[...document.querySelectorAll('.csa-host')]
          .map((host) => host.shadowRoot).filter(Boolean)];
        const running = roots.flatMap((root) => root.getAnimations())
          .filter((a) => a.effect && a.effect.getTiming().iterations !== Infinity);
        await Promise.all(running.map((a) => a.finished.catch(() => null)));
    }""")
    result = pg.evaluate(
        """async () => {
            const r = await axe.run(document, {
              runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa',
                                              'wcag22aa', 'best-practice']},
              resultTypes: ['violations'],
            });
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
              nodes: v.nodes.map(n => ({target: n.target, summary: n.failureSummary}))}));
        }"""
    )
    return list(result)


def assert_no_axe_violations(pg: Any, state: str) -> None:
    """Fail with a readable list when axe finds anything."""
    violations = run_axe(pg)
    report = json.dumps(violations, indent=1)
    assert violations == [], f"axe violations in state '{state}':\n{report}"


@pytest.fixture(scope="session")
def gateway(request: pytest.FixtureRequest, hosts: HostPages) -> Iterator[str]:
    """The real gateway's base URL, restarted with demo users and this run's host origin allowed.

    WIDGET_TEST_GATEWAY=http://… uses a stack you started yourself instead (for development;
    it must have the same settings, see below).

    A session fixture is torn down only when the session ends, after every test, just before
    ``live_stack`` stops every process: no test finds the stack again, so the teardown puts the
    settings back without restarting the gateway with them (a start that nothing would use).
    """
    own = os.environ.get("WIDGET_TEST_GATEWAY")
    if own:
        yield own.rstrip("/")
        return
    live_stack = request.getfixturevalue("live_stack")
    env = live_stack.layout.extra_env
    before = dict(env)
    env.update(
        {
            "WIDGET_ALLOWED_ORIGINS": json.dumps([hosts.origin]),
            "DEMO_USERS": "true",
            "DEMO_PASSWORD": DEMO_PASSWORD,
            "OPENING_SCHEDULE": ALWAYS_OPEN,  # advisers can be asked for at any hour of the test
            "BANK_HOLIDAYS": "[]",
            "RASA_TIMEOUT_SECONDS": "30",  # two shared cores: a cold first answer can be slow
        }
    )
    live_stack.stop_process("gateway")
    live_stack.start_process("gateway")
    try:
        yield live_stack.url
    finally:
        env.clear()
        env.update(before)
