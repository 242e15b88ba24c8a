"""The one router the gateway includes: pages under /editor, JSON under /api/editor."""

from __future__ import annotations

from fastapi import APIRouter

from gateway.editor import articles_api, insight_api, pages, questions_api

router = APIRouter()
router.include_router(articles_api.router)
router.include_router(insight_api.router)
router.include_router(questions_api.router)
router.include_router(pages.router)
