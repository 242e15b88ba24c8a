"""The request-size limit: small for citizens, larger only under the editor's API."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.testclient import TestClient

from gateway.security import HardeningMiddleware


def make_client() -> TestClient:
    app = FastAPI()

    @app.post("/api/editor/articles")
    async def editor(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    @app.post("/api/conversations")
    async def citizen(request: Request) -> dict[str, int]:
        return {"size": len(await request.body())}

    app.add_middleware(HardeningMiddleware, max_body=8192,
                       larger_bodies={"/api/editor/": 256 * 1024})
    return TestClient(app)


def test_citizen_endpoints_refuse_bodies_over_the_small_limit() -> None:
    response = make_client().post("/api/conversations", content=b"x" * 9000)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"


def test_editor_api_takes_a_large_article_but_not_an_oversized_one() -> None:
    client = make_client()
    assert client.post("/api/editor/articles", content=b"x" * 60_000).json() == {"size": 60_000}
    assert client.post("/api/editor/articles", content=b"x" * 300_000).status_code == 413
