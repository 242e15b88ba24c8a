"""Erasing a conversation from the gateway: every key and entry (``privacy.erasure``), then
a second pass for Rasa's tracker, then the audit entry and the live notifications."""

from __future__ import annotations

import asyncio
import logging

from gateway.runtime import Runtime
from privacy.erasure import ConversationEraser, ErasureReport
from privacy.refs import short_id
from records.rasa import RasaKeys

log = logging.getLogger("gateway.erasure")


async def erase_conversation(runtime: Runtime, conversation_id: str, actor: str) -> ErasureReport:
    """Erase everything about one conversation; audit what was erased (counts, no content).

    A turn already inside Rasa when the erasure runs could save the tracker again afterwards,
    so the tracker and lock keys are deleted once more when such a turn must have ended.
    """
    report = await ConversationEraser(runtime.redis, runtime.settings).erase(conversation_id)
    runtime.spawn(_late_tracker_pass(runtime, conversation_id), name="erase-tracker-again")
    await runtime.analytics.audit("erase", actor, conversation_id=conversation_id,
                                  **report.as_fields())
    await runtime.hub.conv_event(conversation_id, "state")
    await runtime.hub.queue_changed(positions=True)
    log.info("erased conversation %s for %s", short_id(conversation_id), actor)
    return report


async def _late_tracker_pass(runtime: Runtime, conversation_id: str) -> None:
    await asyncio.sleep(runtime.settings.rasa_timeout_seconds + 1)
    rasa = RasaKeys()
    await runtime.redis.delete(rasa.tracker(conversation_id), rasa.lock(conversation_id))
