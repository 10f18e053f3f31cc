"""Inbox: the ids of events a consumer has applied, written in the same transaction as the
consumer's own changes. The primary key turns a redelivered event into a no-op."""
from datetime import datetime, timezone

import sqlalchemy as sa
from sqlalchemy.orm import Session

from .persistence.tables import inbox


def already_applied(session: Session, consumer: str, event_id: str) -> bool:
    return session.scalar(sa.select(sa.literal(1)).select_from(inbox)
                          .where(inbox.c.consumer == consumer, inbox.c.event_id == event_id)) is not None


def record_applied(session: Session, consumer: str, event_id: str) -> None:
    session.execute(inbox.insert().values(consumer=consumer, event_id=event_id,
                                          applied_at=datetime.now(timezone.utc)))
