"""The pages: the demo page with the widget at ``/``, the console at ``/console``."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, Response

from gateway.dependencies import SettingsDep
from privacy.policy import as_html, policy_rows

router = APIRouter(tags=["pages"])

MISSING = """<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>{title}</title></head><body><main><h1>{title}</h1>
<p>This page has not been built yet (expected <code>widget/{name}</code>).</p>
</main></body></html>"""


def _page(settings: SettingsDep, name: str, title: str) -> Response:
    path = settings.widget_dir / name
    if path.is_file():
        return FileResponse(path, media_type="text/html")
    return HTMLResponse(MISSING.format(title=title, name=name), status_code=503)


@router.get("/", include_in_schema=False)
async def home(settings: SettingsDep) -> Response:
    """A demo council page with the chat widget."""
    return _page(settings, "index.html", "Ask the council")


@router.get("/console", include_in_schema=False)
async def console(settings: SettingsDep) -> Response:
    """The advisers' console."""
    return _page(settings, "console.html", "Advisers' console")


@router.get("/contact", include_in_schema=False)
async def contact(settings: SettingsDep) -> Response:
    """How to reach the council without the chat."""
    return _page(settings, "contact.html", "Contact the council")


RETENTION_MARK = "<!-- retention-table -->"


@router.get("/privacy", include_in_schema=False)
async def privacy(settings: SettingsDep) -> Response:
    """The privacy notice, with "what we keep and for how long" built from the settings that
    the retention task enforces (``privacy.policy``)."""
    path = settings.widget_dir / "privacy.html"
    if not path.is_file():
        return _page(settings, "privacy.html", "Privacy notice")
    page = path.read_text(encoding="utf-8")
    table = as_html(policy_rows(settings))
    return HTMLResponse(page.replace(RETENTION_MARK, table))
