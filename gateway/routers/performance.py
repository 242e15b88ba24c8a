"""Service performance: the managers' page and its JSON, the open-data export, the citizen's
satisfaction answer, and ``/metrics`` for operators."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, JSONResponse, Response
from pydantic import BaseModel, Field

from gateway import metrics
from gateway.auth.dependencies import require_role, session_of
from gateway.dependencies import ConversationId, RuntimeDep
from gateway.errors import ApiError
from gateway.performance import page
from gateway.performance.export import last_complete_week, to_csv, to_json, weekly_rows
from gateway.performance.figures import Period, load_with_previous, parse_period
from gateway.runtime import Runtime
from privacy.redactor import redact_fully
from records.performance import PerformanceKeys, read_comments

router = APIRouter(tags=["performance"])
MAX_COMMENT_CHARS = 500
ManagerDep = require_role("manager")


class SurveyAnswer(BaseModel):
    """The citizen's answer to "Did you get what you came for?"."""

    answer: Literal["yes", "partly", "no"]
    comment: str = Field(default="", max_length=MAX_COMMENT_CHARS)


def _today() -> dt.date:
    return dt.datetime.now(dt.UTC).date()


def _period(start: str | None, end: str | None) -> Period:
    try:
        return parse_period(start, end, _today())
    except ValueError as exc:
        raise ApiError(422, "bad_period", str(exc)) from exc


@router.get("/performance", include_in_schema=False)
async def performance_page(request: Request, runtime: RuntimeDep,
                           start: Annotated[str | None, Query(max_length=10)] = None,
                           end: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    """The performance page (manager or admin); a sign-in form when nobody is signed in."""
    session = await session_of(request)
    if session is None:
        return HTMLResponse(page.sign_in_page(), status_code=401)
    if not session.user.has_role("manager"):
        return HTMLResponse(page.forbidden_page(), status_code=403)
    try:
        period = parse_period(start, end, _today())
    except ValueError as exc:
        return HTMLResponse(page.bad_period_page(str(exc)), status_code=422)
    now, before = await load_with_previous(runtime.redis, runtime.settings.redis_key_prefix,
                                           period)
    settings = runtime.settings
    since = dt.datetime.combine(period.start, dt.time(), dt.UTC).timestamp()
    until = since + period.length * 86_400
    comments = await read_comments(runtime.redis, PerformanceKeys(settings.redis_key_prefix),
                                   since, until, limit=20)
    return HTMLResponse(page.report(now, before, settings.performance_cost_per_contact,
                                    settings.performance_cost_source, comments))


@router.get("/api/performance")
async def performance_figures(request: Request, runtime: RuntimeDep,
                              start: Annotated[str | None, Query(max_length=10)] = None,
                              end: Annotated[str | None, Query(max_length=10)] = None,
                              ) -> dict[str, Any]:
    """The period's figures and the previous period's, as JSON (manager or admin)."""
    await ManagerDep(request)
    period = _period(start, end)
    now, before = await load_with_previous(runtime.redis, runtime.settings.redis_key_prefix,
                                           period)
    cost = runtime.settings.performance_cost_per_contact
    return {"current": now.summary(cost), "previous": before.summary(cost),
            "cost_per_contact": cost}


async def _export_rows(runtime: Runtime, weeks: int,
                       until: str | None) -> list[dict[str, int | str | None]]:
    try:
        last = dt.date.fromisoformat(until) if until else last_complete_week(_today())
        return await weekly_rows(runtime.redis, runtime.settings.redis_key_prefix, last, weeks)
    except ValueError as exc:
        raise ApiError(422, "bad_export", str(exc) if "weeks" in str(exc) else
                       "until is a date written YYYY-MM-DD.") from exc


@router.get("/api/performance/export.csv")
async def export_csv(request: Request, runtime: RuntimeDep,
                     weeks: Annotated[int, Query(ge=1, le=104)] = 12,
                     until: Annotated[str | None, Query(max_length=10)] = None) -> Response:
    """Weekly open data as CSV (counts only; 1 to 4 written ``<5``)."""
    await ManagerDep(request)
    body = to_csv(await _export_rows(runtime, weeks, until))
    return Response(body, media_type="text/csv; charset=utf-8", headers={
        "content-disposition": 'attachment; filename="assistant-weekly.csv"'})


@router.get("/api/performance/export.json")
async def export_json(request: Request, runtime: RuntimeDep,
                      weeks: Annotated[int, Query(ge=1, le=104)] = 12,
                      until: Annotated[str | None, Query(max_length=10)] = None) -> JSONResponse:
    """Weekly open data as JSON (counts only; 1 to 4 are null)."""
    await ManagerDep(request)
    return JSONResponse(to_json(await _export_rows(runtime, weeks, until)))


@router.post("/api/conversations/{conversation_id}/survey")
async def survey(conversation_id: ConversationId, body: SurveyAnswer,
                 runtime: RuntimeDep) -> dict[str, Any]:
    """Record the end-of-conversation answer once; the comment is stored redacted of every
    kind of personal data. A second answer for the same conversation changes nothing."""
    if await runtime.conversations.get(conversation_id) is None:
        raise ApiError(404, "unknown_conversation")
    comment = body.comment.strip()
    if comment:
        comment = (await redact_fully(comment)).text
    recorded = await runtime.analytics.rollups.survey(conversation_id, body.answer, comment)
    return {"recorded": recorded}


@router.get("/metrics", include_in_schema=False)
async def prometheus_metrics(request: Request, runtime: RuntimeDep) -> Response:
    """Operators' metrics in the Prometheus text format (404 from public addresses unless
    ``METRICS_PUBLIC``)."""
    if not metrics.may_scrape(runtime.limits.address(request), runtime.settings.metrics_public):
        raise ApiError(404, "not_found", "Not found.")
    await metrics.refresh(runtime)
    body, content_type = metrics.exposition()
    return Response(body, media_type=content_type)
