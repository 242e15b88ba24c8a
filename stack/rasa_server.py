"""``rasa run`` with one speed-up that changes no behaviour (issue 12).

Rasa 3.6 checks every action server response with ``jsonschema.validate``, which first
validates Rasa's own (fixed) response schema against the JSON Schema meta-schema, on every call:
about half of Rasa's CPU time per turn here (``benchmarks/turn_profile_live.py``). ``install``
builds and checks that validator once; each response is then validated by it exactly as
``jsonschema.validate`` does (``best_match`` of the same errors) and a bad one raises the same
error with the same message. Runs in the Rasa venv (Python 3.10):

    .venv-rasa/bin/python -m stack.rasa_server run --enable-api …   (the arguments of ``rasa``)
"""

from __future__ import annotations

from typing import Any


def install() -> None:
    """Make ``RemoteAction`` validate action server responses with a validator built once."""
    from jsonschema.exceptions import ValidationError, best_match
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import DOCS_BASE_URL, RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    validator = cls(schema)

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        error: ValidationError | None = best_match(validator.iter_errors(result))
        if error is None:
            return True
        error.message += (
            ". Failed to validate Action server response from API, "
            "make sure your response from the Action endpoint is valid. "
            "For more information about the format visit "
            f"{DOCS_BASE_URL}/custom-actions"
        )
        raise error

    RemoteAction._validate_action_result = validate_action_result


def main() -> None:
    """Install the speed-up, then run Rasa's command line as ``rasa`` would."""
    install()
    from stack.rasa_redis import install as follow_sentinel_primary

    follow_sentinel_primary()  # only with REDIS_SENTINELS set (Redis failover, ADR 0307)
    from rasa.__main__ import main as rasa_main

    rasa_main()


if __name__ == "__main__":
    main()
