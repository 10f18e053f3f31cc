"""Inbox: the ids of events a consumer has applied, written in the same transaction as the
consumer's own changes. The primary key turns a redelivered event into a no-op, also when two
instances race for the same event (the second waits for the first, then finds the row)."""
from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from .persistence.tables import inbox


def claim(session: Session, consumer: str, event_id: str) -> bool:
    """Insert the (consumer, event id) row first thing in the transaction; False if present."""
    try:
        session.execute(inbox.insert().values(consumer=consumer, event_id=event_id,
                                              applied_at=datetime.now(timezone.utc)))
    except IntegrityError:
        session.rollback()
        return False
    return True
