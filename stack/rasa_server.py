"""``rasa run`` with speed-ups that change no behaviour (issue 12).

Rasa 3.6 opens a new ``aiohttp`` session, so a new TCP connection, for every call to the
action server (``EndpointConfig.request``), and the action server accepts each one: about 2 ms
of Rasa's CPU per turn. ``install_kept_sessions`` keeps one session per endpoint and event loop
open instead, so its connections are reused; requests, headers, auth and timeouts are the same.

Rasa 3.6 also checks every action server response with ``jsonschema.validate``, which first
validates Rasa's own (fixed) response schema against the JSON Schema meta-schema, on every call:
about half of Rasa's CPU time per turn here (``benchmarks/turn_profile_live.py``). ``install``
builds and checks that validator once; each response is then validated by it exactly as
``jsonschema.validate`` does (``best_match`` of the same errors) and a bad one raises the same
error with the same message. ``install_event_checks`` does the same for the events a client
appends through the HTTP API, and ``install_frozen_model`` keeps the garbage collector off
the loaded model (``stack.heap``), and ``stack.skops_import`` makes loading or training a
model import ``skops.io`` in a third of the time. Runs in the Rasa venv (Python 3.10):

    .venv-rasa/bin/python -m stack.rasa_server run --enable-api …   (the arguments of ``rasa``)
"""

from __future__ import annotations

import asyncio
from types import TracebackType
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # Rasa's venv has aiohttp; this module is only run there
    import aiohttp


def install() -> None:
    """Make ``RemoteAction`` validate action server responses with a validator built once."""
    from jsonschema.exceptions import ValidationError
    from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

    schema = RemoteAction.action_response_format_spec()
    validation = OnceBuiltValidation()

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        try:
            validation.validate(result, schema)
        except ValidationError as error:
            error.message += (
                ". Failed to validate Action server response from API, "
                "make sure your response from the Action endpoint is valid. "
                "For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise
        return True

    RemoteAction._validate_action_result = validate_action_result


class OnceBuiltValidation:
    """Stands in for the ``jsonschema`` module inside one Rasa module: ``validate`` does what
    ``jsonschema.validate`` does (check the schema, validate, raise the best-matching error),
    but checks and builds each schema's validator only on its first use."""

    def __init__(self) -> None:
        import jsonschema
        from jsonschema.exceptions import best_match
        from jsonschema.validators import validator_for

        self.ValidationError = jsonschema.ValidationError
        self._best_match = best_match
        self._validator_for = validator_for
        self._validators: dict[int, tuple[Any, Any]] = {}  # id(schema) -> (schema, validator)

    def validate(self, instance: Any, schema: Any) -> None:
        """Raise the best-matching ``ValidationError`` when ``instance`` breaks ``schema``."""
        known = self._validators.get(id(schema))
        if known is None or known[0] is not schema:
            cls = self._validator_for(schema)
            cls.check_schema(schema)
            known = self._validators[id(schema)] = (schema, cls(schema))
        error = self._best_match(known[1].iter_errors(instance))
        if error is not None:
            raise error


def install_event_checks() -> None:
    """Check appended events with validators built once; remember event classes by name."""
    import rasa.server
    from rasa.shared.core.events import Event

    rasa.server.jsonschema = OnceBuiltValidation()
    resolve = Event.resolve_by_type
    known: dict[str, type[Event]] = {}

    def resolve_by_type(type_name: str, default: type[Event] | None = None) -> type[Event] | None:
        found = known.get(type_name)
        if found is None:
            found = resolve(type_name, default)
            if found is not None and found is not default:  # a real match, never a fallback
                known[type_name] = found
        return found

    Event.resolve_by_type = staticmethod(resolve_by_type)


class KeptSession:
    """``async with`` that hands out a session which stays open (Rasa closes each one it
    makes when the call ends)."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        return None


def install_kept_sessions() -> None:
    """Make ``EndpointConfig.session`` reuse one open session per endpoint and event loop."""
    from rasa.utils.endpoints import EndpointConfig

    make_session = EndpointConfig.session

    def kept_session(self: EndpointConfig) -> KeptSession:
        loop = asyncio.get_running_loop()
        kept: tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession] | None = self.__dict__.get(
            "_kept_session"
        )
        if kept is None or kept[0] is not loop or kept[1].closed:
            kept = (loop, make_session(self))
            self.__dict__["_kept_session"] = kept
        return KeptSession(kept[1])

    EndpointConfig.session = kept_session


def install_frozen_model() -> None:
    """Once Rasa has loaded its model, move what it loaded out of the collector's reach
    (``stack.heap``): Rasa's full collections paused it for up to 0.7 s under load."""
    import rasa.core.run

    load_agent_on_start = rasa.core.run.load_agent_on_start

    async def load_then_freeze(*args: Any, **kwargs: Any) -> Any:
        from stack.heap import freeze_loaded

        agent = await load_agent_on_start(*args, **kwargs)
        freeze_loaded("rasa")
        return agent

    rasa.core.run.load_agent_on_start = load_then_freeze


def main() -> None:
    """Install the speed-ups, then run Rasa's command line as ``rasa`` would."""
    from stack.skops_import import install as quicker_skops_import

    quicker_skops_import()  # before anything imports skops.io
    install()
    install_event_checks()
    install_kept_sessions()
    install_frozen_model()
    from stack.rasa_redis import install as follow_sentinel_primary

    follow_sentinel_primary()  # only with REDIS_SENTINELS set (Redis failover, ADR 0307)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
