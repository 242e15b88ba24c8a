"""The citizen's own privacy controls: erase the conversation (the widget's "Delete this
conversation"). Holding the conversation id is what lets the citizen read it, so it is also
what lets them erase it."""

from __future__ import annotations

from fastapi import APIRouter, Response

from gateway.dependencies import ConversationId, RuntimeDep
from gateway.erasure import erase_conversation
from gateway.errors import ApiError

router = APIRouter(prefix="/api", tags=["citizen"])


@router.delete("/conversations/{conversation_id}", status_code=204)
async def erase_own_conversation(conversation_id: ConversationId,
                                 runtime: RuntimeDep) -> Response:
    """Erase the conversation everywhere (transcript, queue, callbacks, cases, analytics and
    gap entries, the bot's tracker); ``404 unknown_conversation`` if there is none."""
    if await runtime.conversations.get(conversation_id) is None:
        raise ApiError(404, "unknown_conversation")
    await erase_conversation(runtime, conversation_id, actor="citizen")
    return Response(status_code=204)
