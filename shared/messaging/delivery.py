"""What to do with one delivered message, decided without I/O.

Malformed bytes, an unknown type or version, or data that breaks its schema can never succeed,
so they are dead-lettered at once. A handler failure is retried in place with backoff (which
keeps the events of one case in order) and dead-lettered after the last attempt.
"""
from __future__ import annotations

import traceback
from dataclasses import dataclass
from datetime import datetime, timezone

from ..events import Envelope, EventRegistry, EventSchemaViolation, MalformedEnvelope, UnknownEvent

REASON_MALFORMED = "malformed"
REASON_UNKNOWN_EVENT = "unknown-event"
REASON_SCHEMA_VIOLATION = "schema-violation"
REASON_NO_HANDLER = "no-handler"
REASON_HANDLER_FAILED = "handler-failed"


class PoisonMessage(Exception):
    def __init__(self, reason: str, detail: str):
        self.reason, self.detail = reason, detail
        super().__init__(f"{reason}: {detail}")


def decode(body: bytes, registry: EventRegistry) -> Envelope:
    """Parse and validate; raise PoisonMessage naming why a message can never be handled."""
    try:
        envelope = Envelope.from_json(body)
    except MalformedEnvelope as exc:
        raise PoisonMessage(REASON_MALFORMED, str(exc)) from exc
    try:
        return registry.load(envelope)
    except UnknownEvent as exc:
        raise PoisonMessage(REASON_UNKNOWN_EVENT, str(exc)) from exc
    except EventSchemaViolation as exc:
        raise PoisonMessage(REASON_SCHEMA_VIOLATION, str(exc)) from exc


def retry_delay(attempt: int, delays: tuple[float, ...], max_attempts: int) -> float | None:
    """Seconds to wait before try ``attempt + 1``, or None when the message must be dead-lettered."""
    if attempt >= max_attempts:
        return None
    return delays[min(attempt - 1, len(delays) - 1)]


def is_transient(exc: BaseException) -> bool:
    """The database is away or busy (restarting, a dropped connection, a locked SQLite file):
    not the message's fault, so it is retried until the database is back, never dead-lettered."""
    from sqlalchemy.exc import DBAPIError, DisconnectionError, InterfaceError, OperationalError
    return (isinstance(exc, (OperationalError, InterfaceError, DisconnectionError))
            or (isinstance(exc, DBAPIError) and exc.connection_invalidated))


def transient_delay(waits: int) -> float:
    """Backoff while the database is away: 0.2 s doubling to 5 s."""
    return min(0.2 * 2 ** waits, 5.0)


@dataclass(frozen=True)
class DeadLetter:
    reason: str
    error: str
    attempts: int

    def headers(self, original_headers: dict | None, routing_key: str, queue: str) -> dict:
        """Headers kept with the original body so an admin can inspect and replay it."""
        headers = dict(original_headers or {})
        headers.update({
            "x-tsunagu-reason": self.reason,
            "x-tsunagu-error": self.error[-4000:],
            "x-tsunagu-attempts": self.attempts,
            "x-tsunagu-failed-at": datetime.now(timezone.utc).isoformat(),
            "x-tsunagu-original-routing-key": routing_key,
            "x-tsunagu-original-queue": queue,
        })
        return headers


def describe_failure(exc_info) -> str:
    return "".join(traceback.format_exception(*exc_info)).strip()
