"""When Redis is gone the editor says so plainly (503) and stores nothing; the pages still load.

Uses a minimal app with only the editor router, the gateway's error handlers, a swapped-in
editor identity, and a Redis client pointing at a closed port (a dead dependency).
"""

from __future__ import annotations

from pathlib import Path

import redis
from fastapi import FastAPI
from fastapi.testclient import TestClient

from editorial.keys import EditorKeys
from editorial.store import ArticleStore
from gateway.editor import router
from gateway.editor.auth import EditorUser, current_editor
from gateway.editor.runtime import EditorRuntime
from gateway.errors import install_error_handlers
from stack.redis_server import free_port


def test_dead_redis_gives_a_plain_503() -> None:
    dead = redis.Redis(
        host="127.0.0.1", port=free_port(), decode_responses=True, socket_connect_timeout=0.5
    )
    app = FastAPI()
    install_error_handlers(app)
    app.include_router(router)
    app.dependency_overrides[current_editor] = lambda: EditorUser("eddie", "Eddie Jones")
    runtime = EditorRuntime(
        redis=dead,
        keys=EditorKeys("x:"),
        store=ArticleStore(dead),
        knowledge_dir=Path("knowledge/articles"),
        eval_file=Path("knowledge/eval/questions.jsonl"),
    )
    runtime._loaded.set()
    app.state.editor = runtime
    with TestClient(app, raise_server_exceptions=False) as client:
        listed = client.get("/api/editor/articles")
        assert listed.status_code == 503
        assert "cannot reach its database" in listed.json()["error"]["detail"]
        saved = client.put(
            "/api/editor/articles/missed-bin",
            json={"base_version": 1, "markdown": "---\nid: missed-bin\n---\n"},
        )
        assert saved.status_code == 503
        page = client.get("/editor/")
        assert page.status_code == 200 and "Guidance editor" in page.text
