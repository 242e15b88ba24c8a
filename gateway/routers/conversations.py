"""The citizen's HTTP API: start a conversation, send a message, read history, ask for a person."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Query, Request

from gateway.dependencies import ConversationId, RuntimeDep
from gateway.errors import ApiError, citizen_text
from gateway.ids import is_client_id, is_stream_id
from gateway.runtime import Runtime
from gateway.schemas import CitizenText, HandoffRequest, NewConversation, State, TurnReply

router = APIRouter(prefix="/api", tags=["citizen"])


async def _existing(runtime: Runtime, conversation_id: str) -> str:
    meta = await runtime.conversations.get(conversation_id)
    if meta is None:
        raise ApiError(404, "unknown_conversation")
    return meta.mode


@router.post("/conversations", status_code=201)
async def start_conversation(
    request: Request, runtime: RuntimeDep,
    body: Annotated[NewConversation | None, Body()] = None,
) -> dict[str, str]:
    """Create a conversation with an opaque random id (limited per client address)."""
    await runtime.limits.conversation_started(runtime.limits.address(request))
    page_url = body.page_url if body else None
    conversation_id = await runtime.conversations.create(page_url)
    await runtime.analytics.event("conversation_started", conversation_id,
                                  page_url=page_url or "")
    return {"conversation_id": conversation_id, "mode": "bot"}


@router.post("/conversations/{conversation_id}/messages")
async def send_message(conversation_id: ConversationId, body: CitizenText,
                       request: Request, runtime: RuntimeDep) -> TurnReply:
    """Store the citizen's message, then answer it (bot) or route it (queue, adviser).

    Over the rate limits (per conversation, per address) it is refused with 429 and not stored.
    """
    text = citizen_text(body.text, runtime.settings.max_text_chars)
    if body.client_id is not None and not is_client_id(body.client_id):
        raise ApiError(422, "bad_client_id", "client_id must be 1-64 letters, digits, - or _.")
    await _existing(runtime, conversation_id)  # an unknown id is counted nowhere
    await runtime.limits.message(conversation_id, runtime.limits.address(request))
    result = await runtime.turns.turn(conversation_id, text, body.client_id)
    return TurnReply(mode=result.mode, received=result.received.public(),  # type: ignore[arg-type]
                     messages=[m.public() for m in result.replies])


@router.get("/conversations/{conversation_id}/messages")
async def history(conversation_id: ConversationId, runtime: RuntimeDep,
                  after: Annotated[str | None, Query(max_length=45)] = None) -> dict[str, Any]:
    """The transcript (after a message id, exclusive)."""
    if after is not None and not is_stream_id(after):
        raise ApiError(422, "bad_after", "after must be a message id such as 1700000000000-0.")
    mode = await _existing(runtime, conversation_id)
    messages = await runtime.store.history(conversation_id, after)
    return {"mode": mode, "messages": [m.public() for m in messages]}


@router.get("/conversations/{conversation_id}/state")
async def state(conversation_id: ConversationId, runtime: RuntimeDep) -> State:
    """Mode, queue position, estimated wait, adviser's first name, out-of-hours flag."""
    return await runtime.handoff.state(conversation_id)


@router.post("/conversations/{conversation_id}/handoff")
async def ask_for_adviser(conversation_id: ConversationId, runtime: RuntimeDep,
                          body: Annotated[HandoffRequest | None, Body()] = None) -> dict[str, Any]:
    """Join the advisers' queue, or get the callback offer when nobody can come."""
    await _existing(runtime, conversation_id)
    messages = await runtime.handoff.request(conversation_id, reason="requested")
    current = await runtime.handoff.state(conversation_id)
    return {"mode": current.mode, "messages": [m.public() for m in messages],
            "state": current.model_dump()}


@router.post("/conversations/{conversation_id}/leave_queue")
async def leave_queue(conversation_id: ConversationId, runtime: RuntimeDep) -> dict[str, Any]:
    """Stop waiting for an adviser."""
    await _existing(runtime, conversation_id)
    messages = await runtime.handoff.leave(conversation_id)
    current = await runtime.handoff.state(conversation_id)
    return {"mode": current.mode, "messages": [m.public() for m in messages],
            "state": current.model_dump()}


@router.get("/service-info")
async def service_info(runtime: RuntimeDep) -> dict[str, Any]:
    """The phone number and opening hours, for the widget's alternatives."""
    return {"phone": runtime.settings.contact_phone,
            "opening_hours": await runtime.handoff.hours_text(),
            "open_now": await runtime.handoff.open_now()}
