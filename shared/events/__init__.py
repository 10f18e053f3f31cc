"""Event envelope, schema registry and the published catalog."""
from .envelope import CONTENT_TYPE, Envelope, MalformedEnvelope  # noqa: F401
from .registry import EventRegistry, EventSchemaViolation, UnknownEvent  # noqa: F401
