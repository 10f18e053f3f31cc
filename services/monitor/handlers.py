"""Monitor use cases."""
from __future__ import annotations

from datetime import datetime, timezone

import sqlalchemy as sa

from .tables import event_log


def log_event(event, uow) -> None:
    uow.session.execute(event_log.insert().values(
        event_id=event.id, type=event.type, version=event.version, source=event.source,
        subject=event.subject, correlationid=event.correlationid, causationid=event.causationid,
        time=event.time, received_at=datetime.now(timezone.utc)))


def trace(session, key: str) -> list[dict]:
    """Every logged event of a case (subject) or correlation id, in order, with hop times."""
    rows = session.execute(
        sa.select(event_log).where(sa.or_(event_log.c.subject == key, event_log.c.correlationid == key))
        .order_by(event_log.c.time, event_log.c.received_at)).mappings().all()
    hops, previous = [], None
    for row in rows:
        hop = {k: (_aware(v).isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
        hop["seconds_since_previous"] = (
            None if previous is None else (_aware(row["time"]) - _aware(previous)).total_seconds())
        previous = row["time"]
        hops.append(hop)
    return hops


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)
