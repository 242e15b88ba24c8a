"""Staff see only what their role needs (issue 11): an editor's session cannot read any
transcript, through the real gateway app (editor on) and the real Redis.

What must hold: gap entries written by the gateway carry no conversation id (only the one-way
``conversation_ref``) and the editor's gaps API returns none; with everything an editor can
see, no transcript opens: the console's conversation, queue and erase endpoints refuse the
editor (403), the adviser WebSocket closes with 4403, and a ref used as an id is a 404.
"""

from __future__ import annotations

import json
import re

import pytest
from starlette.websockets import WebSocketDisconnect

from privacy.refs import conversation_ref
from tests.gateway.conftest import run, runtime_of
from tests.gateway.editor.conftest import Editors, editor_settings, editors

__all__ = ["editor_settings", "editors"]  # fixtures used by this module

ID_SHAPE = re.compile(r"[A-Za-z0-9_-]{32}")


def test_an_editor_cannot_reach_any_transcript(editors: Editors) -> None:
    client = editors.client
    runtime = runtime_of(client)
    cid = client.post("/api/conversations", json={}).json()["conversation_id"]
    question = "how do I get a licence for a street party on Larch Lane"
    run(client, lambda: runtime.analytics.gap("abstained", cid, question))
    run(client, lambda: runtime.analytics.event("citizen_message", cid, question))

    entries = run(client, lambda: runtime.redis.xrange(runtime.settings.key("analytics", "gaps")))
    assert entries and all("conversation_id" not in fields for _, fields in entries)
    assert any(f["conversation_ref"] == conversation_ref(cid) for _, f in entries)

    page = editors.call("eddie", "GET", "/api/editor/gaps")
    assert page.status_code == 200, page.text
    text = json.dumps(page.json())
    assert "street party" in text  # the editor does see the question...
    assert cid not in text and not ID_SHAPE.search(text)  # ...but no id that opens anything

    ref = conversation_ref(cid)
    for method, url in (("GET", f"/api/console/conversations/{cid}"),
                        ("GET", "/api/console/queue"),
                        ("POST", f"/api/console/conversations/{cid}/claim"),
                        ("DELETE", f"/api/console/conversations/{cid}")):
        refused = editors.call("eddie", method, url, json={})
        assert refused.status_code == 403, (url, refused.text)
    assert editors.call("eddie", "GET", f"/api/conversations/{ref}/messages").status_code == 404
    with pytest.raises(WebSocketDisconnect) as closed, client.websocket_connect(
            "/ws/console", headers={"origin": "http://testserver"}) as socket:
        assert socket.receive_json()["code"] == "forbidden"
        socket.receive_json()
    assert closed.value.code == 4403
