"""Errors every service raises at its edge; the gateway maps each to one HTTP status.

Their class names travel in nameko's RemoteError (``exc_type``), so keep them stable.
"""
from marshmallow import Schema, ValidationError


class InvalidInput(ValueError):
    """Malformed input; ``errors`` maps each bad field to its messages. Nothing was written."""

    def __init__(self, errors: dict):
        self.errors = errors
        super().__init__(errors)


class NotFound(LookupError):
    """No such object, or not one the caller may see (the two are never told apart)."""


class NotPermitted(PermissionError):
    """The caller may see the object but not do this to it."""


class Conflict(ValueError):
    """The request is well-formed but the object's state does not allow it now."""


def load(schema: Schema, payload) -> dict:
    """Validate input through a wire schema, turning marshmallow's error into InvalidInput."""
    if not isinstance(payload, dict):
        raise InvalidInput({"_schema": ["expected a JSON object"]})
    try:
        return schema.load(payload)
    except ValidationError as exc:
        raise InvalidInput(exc.messages) from exc
