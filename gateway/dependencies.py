"""Annotated FastAPI dependencies shared by the routers."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

from fastapi import Depends, Path
from starlette.requests import HTTPConnection

from gateway.errors import ApiError
from gateway.ids import is_conversation_id
from gateway.settings import Settings

if TYPE_CHECKING:
    from gateway.runtime import Runtime


def get_runtime(connection: HTTPConnection) -> Runtime:
    """The process's services (set up by the lifespan)."""
    runtime: Runtime = connection.app.state.runtime
    return runtime


def get_settings(connection: HTTPConnection) -> Settings:
    """The gateway's settings."""
    settings: Settings = connection.app.state.settings
    return settings


def valid_conversation_id(conversation_id: Annotated[str, Path(max_length=200)]) -> str:
    """A path conversation id of the right shape, else 404 (nothing is looked up or stored)."""
    if not is_conversation_id(conversation_id):
        raise ApiError(404, "unknown_conversation")
    return conversation_id


RuntimeDep = Annotated["Runtime", Depends(get_runtime)]
SettingsDep = Annotated[Settings, Depends(get_settings)]
ConversationId = Annotated[str, Depends(valid_conversation_id)]
