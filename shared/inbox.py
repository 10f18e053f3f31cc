"""Inbox: the ids of events a consumer has applied, written in the same transaction as the
consumer's own changes. The primary key turns a redelivered event into a no-op, also when two
instances race for the same event (the second waits for the first, then finds the row)."""
from datetime import datetime, timezone

from sqlalchemy.exc import IntegrityError
import sqlalchemy as sa

from .persistence.engine import insert_new
from .persistence.tables import inbox


def claim(session: sa.Connection, consumer: str, event_id: str) -> bool:
    """Insert the (consumer, event id) row first thing in the transaction; False if present."""
    try:
        session.execute(inbox.insert().values(consumer=consumer, event_id=event_id,
                                              applied_at=datetime.now(timezone.utc)))
    except IntegrityError:
        session.rollback()
        return False
    return True


def claim_all(session: sa.Connection, claims: list[tuple[str, str]]) -> set[tuple[str, str]]:
    """Claim many (consumer, event id) pairs in one statement; return those that were new.
    Pairs already present are left alone (no error, so the transaction goes on): a group of
    deliveries commits once, and a redelivered one in it is simply not run again."""
    statement = _CLAIM_ALL.get(session.dialect.name)
    if statement is None:  # built once: the answer is a set, so the rows' order does not matter
        statement = _CLAIM_ALL[session.dialect.name] = insert_new(inbox, session.dialect.name).returning(
            inbox.c.consumer, inbox.c.event_id)
    now = datetime.now(timezone.utc)
    rows = [{"consumer": c, "event_id": e, "applied_at": now} for c, e in dict.fromkeys(claims)]
    return {(r.consumer, r.event_id) for r in session.execute(statement, rows)}


_CLAIM_ALL: dict = {}  # dialect name -> the claiming statement
