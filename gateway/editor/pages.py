"""The editor's HTML pages (static shells; their ES modules call the JSON API)."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response

from gateway.errors import ApiError
from knowledge.articles import valid_article_id

PAGES_DIR = Path(__file__).resolve().parents[2] / "widget" / "editor"
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; connect-src 'self'; "
    "img-src 'self' data:; frame-ancestors 'self'; form-action 'self'; base-uri 'none'"
)
_ASSET = re.compile(r"^[a-z0-9-]+\.(js|css|svg)$")
_MEDIA = {"js": "text/javascript", "css": "text/css", "svg": "image/svg+xml"}

router = APIRouter(prefix="/editor")


def _page(name: str) -> HTMLResponse:
    html = (PAGES_DIR / name).read_text(encoding="utf-8")
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": CSP,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("", include_in_schema=False)
def editor_root() -> Response:
    """``/editor`` → the article list."""
    return RedirectResponse("/editor/", status_code=308)


@router.get("/", include_in_schema=False)
def list_page() -> HTMLResponse:
    """Article list and search."""
    return _page("index.html")


@router.get("/new", include_in_schema=False)
def new_page() -> HTMLResponse:
    """Start a new article."""
    return _page("edit.html")


@router.get("/articles/{article_id}", include_in_schema=False)
def edit_page(article_id: str) -> HTMLResponse:
    """Edit one article."""
    if not valid_article_id(article_id):
        raise ApiError(404, "unknown_article", "There is no article with that id.")
    return _page("edit.html")


@router.get("/articles/{article_id}/history", include_in_schema=False)
def history_page(article_id: str) -> HTMLResponse:
    """Versions, diffs, restore and the audit log of one article."""
    if not valid_article_id(article_id):
        raise ApiError(404, "unknown_article", "There is no article with that id.")
    return _page("history.html")


@router.get("/gaps", include_in_schema=False)
def gaps_page() -> HTMLResponse:
    """Content gaps."""
    return _page("gaps.html")


@router.get("/assets/{name}", include_in_schema=False)
def asset(name: str) -> FileResponse:
    """Scripts and styles of the editor pages (a fixed folder, no paths)."""
    match = _ASSET.match(name)
    path = PAGES_DIR / name
    if not match or not path.is_file():
        raise ApiError(404, "not_found", "No such file.")
    return FileResponse(
        path,
        media_type=_MEDIA[match.group(1)],
        headers={"Cache-Control": "no-cache", "X-Content-Type-Options": "nosniff"},
    )
