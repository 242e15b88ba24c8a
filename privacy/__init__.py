"""Personal-data detection and redaction shared by the action server, Rasa and the gateway."""

from privacy.redaction import PLACEHOLDERS, RedactionResult, kinds_already_redacted, redact

__all__ = ["PLACEHOLDERS", "RedactionResult", "kinds_already_redacted", "redact"]
