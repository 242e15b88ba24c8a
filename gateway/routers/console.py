"""The adviser console's HTTP API (sign-in, CSRF and role checks in every dependency)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from gateway.auth import User, require_role
from gateway.dependencies import ConversationId, RuntimeDep
from gateway.erasure import erase_conversation
from gateway.errors import ApiError, clean_text
from gateway.handoff.context import build_context
from gateway.handoff.hours_text import weekly_words
from gateway.handoff.schedule import OpeningSchedule
from gateway.handoff.service import Adviser
from gateway.ids import is_client_id
from gateway.rasa_client import RasaUnavailable
from gateway.runtime import Runtime
from gateway.schemas import (
    AdviserText,
    CallbackStatus,
    CannedReply,
    EndRequest,
    Schedule,
    TransferRequest,
)

router = APIRouter(prefix="/api/console", tags=["console"])

AdviserUser = Annotated[User, Depends(require_role("adviser"))]
AdminUser = Annotated[User, Depends(require_role("admin"))]


def adviser_of(user: User) -> Adviser:
    """The handoff's view of a console user."""
    return Adviser(username=user.username, display_name=user.display_name)


async def snapshot(runtime: Runtime, username: str, fresh: bool = False) -> dict[str, Any]:
    """The queue view the console shows (also pushed over the console WebSocket)."""
    return await runtime.board.view(username, fresh)


async def conversation_view(runtime: Runtime, conversation_id: str) -> dict[str, Any]:
    """Meta, transcript, notes and the bot's context for one conversation."""
    meta = await runtime.conversations.get(conversation_id)
    if meta is None:
        raise ApiError(404, "unknown_conversation")
    messages = await runtime.store.history(conversation_id)
    try:
        context = build_context(await runtime.rasa.tracker(conversation_id))
    except RasaUnavailable as exc:
        context = {"available": False,
                   "detail": f"The bot's context is unavailable ({exc.reason})."}
    return {
        "conversation_id": conversation_id, "mode": meta.mode, "queue": meta.queue,
        "reason": meta.reason, "topic": meta.topic, "priority": meta.priority,
        "adviser": meta.adviser or None, "page_url": meta.page_url, "created": meta.created,
        "messages": [m.full() for m in messages],
        "notes": await runtime.notes.all(conversation_id), "context": context,
    }


@router.get("/queue")
async def queue(user: AdviserUser, runtime: RuntimeDep) -> dict[str, Any]:
    """Waiting conversations per queue and the ones you hold."""
    return await snapshot(runtime, user.username, fresh=True)


@router.get("/conversations/{conversation_id}")
async def conversation(conversation_id: ConversationId, user: AdviserUser,
                       runtime: RuntimeDep) -> dict[str, Any]:
    """Transcript and context (reading does not need to hold the conversation)."""
    return await conversation_view(runtime, conversation_id)


@router.post("/conversations/{conversation_id}/claim")
async def claim(conversation_id: ConversationId, user: AdviserUser,
                runtime: RuntimeDep) -> dict[str, Any]:
    """Take a waiting conversation; 409 when someone else was first."""
    await runtime.handoff.claim(conversation_id, adviser_of(user))
    return {"conversation": await conversation_view(runtime, conversation_id)}


@router.post("/conversations/{conversation_id}/messages", status_code=201)
async def reply(conversation_id: ConversationId, body: AdviserText, user: AdviserUser,
                runtime: RuntimeDep) -> dict[str, Any]:
    """Send the citizen a message (only the holder may)."""
    text = clean_text(body.text, runtime.settings.max_text_chars)
    if body.client_id is not None and not is_client_id(body.client_id):
        raise ApiError(422, "bad_client_id", "client_id must be 1-64 letters, digits, - or _.")
    appended = await runtime.handoff.reply(conversation_id, adviser_of(user), text, body.client_id)
    return {"message": appended.message.full(), "duplicate": appended.duplicate}


@router.post("/conversations/{conversation_id}/notes", status_code=201)
async def add_note(conversation_id: ConversationId, body: AdviserText, user: AdviserUser,
                   runtime: RuntimeDep) -> dict[str, Any]:
    """A private note for advisers."""
    if await runtime.conversations.get(conversation_id) is None:
        raise ApiError(404, "unknown_conversation")
    text = clean_text(body.text, runtime.settings.max_text_chars)
    note = await runtime.notes.add(conversation_id, adviser_of(user).author, text)
    return {"note": note}


@router.post("/conversations/{conversation_id}/transfer")
async def transfer(conversation_id: ConversationId, body: TransferRequest, user: AdviserUser,
                   runtime: RuntimeDep) -> dict[str, Any]:
    """Put the conversation in another queue (holder only)."""
    await runtime.handoff.transfer(conversation_id, adviser_of(user), body.queue)
    return {"conversation": await conversation_view(runtime, conversation_id)}


@router.post("/conversations/{conversation_id}/end")
async def end(conversation_id: ConversationId, body: EndRequest, user: AdviserUser,
              runtime: RuntimeDep) -> dict[str, Any]:
    """Finish with an outcome; optionally hand back to the bot (holder only)."""
    await runtime.handoff.end(conversation_id, adviser_of(user), body.outcome, body.hand_back)
    return {"conversation": await conversation_view(runtime, conversation_id)}


@router.delete("/conversations/{conversation_id}", status_code=204)
async def erase(conversation_id: ConversationId, user: AdminUser, runtime: RuntimeDep) -> Response:
    """Erase one conversation on request (admin only)."""
    if await runtime.conversations.get(conversation_id) is None:
        raise ApiError(404, "unknown_conversation")
    await erase_conversation(runtime, conversation_id, actor=user.username)
    return Response(status_code=204)


@router.get("/callbacks")
async def callbacks(user: AdviserUser, runtime: RuntimeDep,
                    status: Annotated[str, Query(pattern="^(open|done|all)$")] = "open",
                    ) -> dict[str, Any]:
    """Callback requests to work through, newest first."""
    return {"callbacks": await runtime.callbacks.list(status)}


@router.post("/callbacks/{callback_id}/status")
async def callback_status(callback_id: str, body: CallbackStatus, user: AdviserUser,
                          runtime: RuntimeDep) -> dict[str, Any]:
    """Mark a callback request done (or open again)."""
    if len(callback_id) > 64:
        raise ApiError(404, "unknown_callback", "There is no such callback request.")
    updated = await runtime.callbacks.set_status(callback_id, body.status, user.username)
    if updated is None:
        raise ApiError(404, "unknown_callback", "There is no such callback request.")
    return {"callback": updated}


@router.get("/canned")
async def canned(user: AdviserUser, runtime: RuntimeDep) -> dict[str, Any]:
    """The canned replies."""
    return {"replies": await runtime.canned.all()}


@router.post("/canned", status_code=201)
async def add_canned(body: CannedReply, user: AdviserUser, runtime: RuntimeDep) -> dict[str, Any]:
    """Add a canned reply."""
    return await runtime.canned.create(body.title.strip(), body.text.strip())


@router.put("/canned/{reply_id}")
async def edit_canned(reply_id: str, body: CannedReply, user: AdviserUser,
                      runtime: RuntimeDep) -> dict[str, Any]:
    """Change a canned reply."""
    updated = await runtime.canned.update(reply_id[:32], body.title.strip(), body.text.strip())
    if updated is None:
        raise ApiError(404, "unknown_reply", "There is no such canned reply.")
    return updated


@router.delete("/canned/{reply_id}", status_code=204)
async def delete_canned(reply_id: str, user: AdviserUser, runtime: RuntimeDep) -> Response:
    """Remove a canned reply."""
    if not await runtime.canned.delete(reply_id[:32]):
        raise ApiError(404, "unknown_reply", "There is no such canned reply.")
    return Response(status_code=204)


@router.get("/schedule")
async def get_schedule(user: AdviserUser, runtime: RuntimeDep) -> dict[str, Any]:
    """Opening hours in force."""
    current = await runtime.schedule.current()
    return {**current.to_json(), "open_now": current.is_open(), "hours_text": weekly_words(current)}


@router.put("/schedule")
async def put_schedule(body: Schedule, user: AdminUser, runtime: RuntimeDep) -> dict[str, Any]:
    """Change the opening hours (admin only)."""
    try:
        schedule = OpeningSchedule.from_json(body.model_dump(), runtime.settings.opening_timezone)
    except (ValueError, KeyError) as exc:
        raise ApiError(422, "bad_schedule", f"That schedule is not valid: {exc}") from exc
    await runtime.schedule.save(schedule)
    await runtime.analytics.audit("schedule", user.username)
    await runtime.hub.queue_changed()
    return {**schedule.to_json(), "open_now": schedule.is_open(),
            "hours_text": weekly_words(schedule)}
