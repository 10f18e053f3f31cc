"""Monitor use cases: the event log and its facts, the live flow, dead letters, indicators, alerts."""
from __future__ import annotations

import csv
import io
import json
from collections import Counter, defaultdict
from datetime import datetime, timedelta, timezone

import sqlalchemy as sa

from shared.clock import as_utc
from shared.errors import Conflict, NotFound
from shared.events import Envelope
from shared.persistence.engine import insert_new

from . import alerts as alert_rules
from . import facts
from .tables import (admin_actions, alerts, consultation_facts, dead_letters, event_log, referral_facts)

SOURCE = "tsunagu/monitor"
FACT_TABLES = {"consultation": (consultation_facts, consultation_facts.c.consultation_id),
               "referral": (referral_facts, referral_facts.c.referral_id)}


# ---------------------------------------------------------------- the log and its facts
_LOG = event_log.insert()  # built once: the monitor runs it for every event


def log_event(event, uow) -> None:
    """Staged rows only, for the log and new facts: a group of events is logged in a statement or
    two; an update (a referral's status) writes what waits first, so it finds its row."""
    now = datetime.now(timezone.utc)
    uow.insert(_LOG, dict(
        event_id=event.id, type=event.type, version=event.version, source=event.source,
        subject=event.subject, correlationid=event.correlationid, causationid=event.causationid,
        time=event.time, received_at=now))
    for change in facts.changes_for(event.type, event.data or {}, event.time):
        _apply(uow, change)


def _apply(uow, change: facts.Change) -> None:
    table, key_column = FACT_TABLES[change.table]
    if change.insert:  # the first event about it wins, as a redelivered one must not count twice
        uow.insert(insert_new(table, uow.dialect), {key_column.name: change.key, **change.values})
        return
    session = uow.session
    values = dict(change.values)
    for column in change.first_only:
        current = session.scalar(sa.select(table.c[column]).where(key_column == change.key))
        if current is not None:
            values.pop(column, None)
    session.execute(table.update().where(key_column == change.key).values(values))


def trace(session, key: str) -> list[dict]:
    """Every logged event of a case (subject) or correlation id, in order, with hop times."""
    rows = session.execute(
        sa.select(event_log).where(sa.or_(event_log.c.subject == key, event_log.c.correlationid == key))
        .order_by(event_log.c.time, event_log.c.received_at)).mappings().all()
    hops, previous = [], None
    for row in rows:
        hop = {k: (as_utc(v).isoformat() if isinstance(v, datetime) else v) for k, v in row.items()}
        hop["seconds_since_previous"] = (
            None if previous is None else round((as_utc(row["time"]) - as_utc(previous)).total_seconds(), 6))
        hop["delivery_seconds"] = round((as_utc(row["received_at"]) - as_utc(row["time"])).total_seconds(), 6)
        previous = row["time"]
        hops.append(hop)
    return hops


# ---------------------------------------------------------------- live flow
def flow(session, now: datetime, window_minutes: int = 60) -> dict:
    since = now - timedelta(minutes=window_minutes)
    by_type = session.execute(sa.select(event_log.c.type, sa.func.count()).where(event_log.c.time >= since)
                              .group_by(event_log.c.type).order_by(sa.func.count().desc())).all()
    pairs = session.execute(sa.select(referral_facts.c.from_desk_id, referral_facts.c.to_desk_id, sa.func.count())
                            .where(referral_facts.c.requested_at >= since)
                            .group_by(referral_facts.c.from_desk_id, referral_facts.c.to_desk_id)
                            .order_by(sa.func.count().desc())).all()
    waiting = session.execute(sa.select(referral_facts).where(referral_facts.c.status == "requested")
                              .order_by(referral_facts.c.pickup_deadline)).all()
    per_minute = lambda n: round(n / window_minutes, 3)  # noqa: E731
    return {
        "window_minutes": window_minutes,
        "event_rates": [{"type": t, "count": n, "per_minute": per_minute(n)} for t, n in by_type],
        "pair_rates": [{"from_desk_id": a, "to_desk_id": b, "count": n, "per_minute": per_minute(n)}
                       for a, b, n in pairs],
        "waiting": [_waiting(r, now) for r in waiting],
    }


def _waiting(row, now: datetime) -> dict:
    requested, deadline = as_utc(row.requested_at), as_utc(row.pickup_deadline)
    window = max((deadline - requested).total_seconds(), 1.0)
    age = (now - requested).total_seconds()
    return {"referral_id": row.referral_id, "to_desk_id": row.to_desk_id, "from_desk_id": row.from_desk_id,
            "urgency": row.urgency, "requested_at": requested.isoformat(), "pickup_deadline": deadline.isoformat(),
            "age_seconds": round(age, 1), "share_of_window": round(age / window, 3), "overdue": now > deadline,
            "escalation_level": row.escalation_level}


# ---------------------------------------------------------------- dead letters
def capture_dead_letter(uow, queue: str, body: bytes, properties: dict, now: datetime) -> int | None:
    """Store one dead letter as it came; None if it was stored before (an ack that got lost)."""
    headers = _plain(dict(properties.get("application_headers") or {}))
    event_type = None
    try:
        event_type = json.loads(body).get("type")
    except (ValueError, AttributeError, RecursionError):
        pass
    message_id = str(properties.get("message_id") or "")[:200]
    failed_at = _moment_or(headers.get("x-tsunagu-failed-at"), now)
    seen = uow.session.scalar(sa.select(dead_letters.c.id).where(
        dead_letters.c.queue == queue, dead_letters.c.message_id == message_id, dead_letters.c.failed_at == failed_at))
    if seen is not None and message_id:
        return None
    try:
        attempts = int(headers.get("x-tsunagu-attempts") or 0)
    except (TypeError, ValueError):
        attempts = 0
    return uow.session.execute(dead_letters.insert().values(
        queue=queue, original_queue=str(headers.get("x-tsunagu-original-queue") or queue.removesuffix(".dead"))[:200],
        message_id=message_id, event_type=event_type[:128] if isinstance(event_type, str) else None,
        reason=str(headers.get("x-tsunagu-reason") or headers.get("x-first-death-reason") or "unknown")[:64],
        error=str(headers.get("x-tsunagu-error") or ""), attempts=attempts, failed_at=failed_at,
        body=bytes(body), headers=headers, status="open", captured_at=now)).inserted_primary_key[0]


def _moment_or(value, default: datetime) -> datetime:
    try:
        moment = datetime.fromisoformat(value) if isinstance(value, str) else default
    except ValueError:
        return default
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _plain(value):
    """AMQP header values as JSON (dates and bytes included)."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    if isinstance(value, datetime):
        return value.isoformat()
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    return str(value)  # e.g. a Decimal


def _dead_view(row, with_body: bool = False) -> dict:
    view = {"id": row.id, "queue": row.queue, "original_queue": row.original_queue, "message_id": row.message_id,
            "event_type": row.event_type, "reason": row.reason, "attempts": row.attempts,
            "failed_at": as_utc(row.failed_at).isoformat(), "status": row.status,
            "error": row.error if with_body else row.error.strip().splitlines()[-1:][0] if row.error.strip() else ""}
    if with_body:
        view["body"] = row.body.decode("utf-8", "replace")
        view["headers"] = row.headers
    return view


def list_dead_letters(session, status: str | None = "open", limit: int = 200) -> list[dict]:
    query = sa.select(dead_letters).order_by(dead_letters.c.id.desc()).limit(limit)
    if status:
        query = query.where(dead_letters.c.status == status)
    return [_dead_view(r) for r in session.execute(query)]


def dead_letter(session, dead_letter_id: int) -> dict:
    row = session.execute(sa.select(dead_letters).where(dead_letters.c.id == dead_letter_id)).first()
    if row is None:
        raise NotFound(f"no dead letter {dead_letter_id}")
    view = _dead_view(row, with_body=True)
    view["actions"] = [{"at": as_utc(a.at).isoformat(), "actor": a.actor, "action": a.action, "note": a.note}
                       for a in session.execute(sa.select(admin_actions).where(
                           admin_actions.c.dead_letter_id == dead_letter_id).order_by(admin_actions.c.id))]
    return view


def replay(uow, ids: list[int], actor: str, note: str, now: datetime) -> list[int]:
    """Send open dead letters back to the queue they failed on, in the order they failed."""
    rows = uow.session.execute(sa.select(dead_letters).where(dead_letters.c.id.in_(ids))
                               .order_by(dead_letters.c.id).with_for_update()).all()
    missing = sorted(set(ids) - {r.id for r in rows})
    if missing:
        raise NotFound(f"no dead letters {missing}")
    closed = [r.id for r in rows if r.status != "open"]
    if closed:
        raise Conflict(f"already replayed or discarded: {closed}")
    for row in rows:
        uow.replay(f"replay-{row.id}", row.event_type, row.body.decode("utf-8", "replace"), row.original_queue)
        uow.session.execute(dead_letters.update().where(dead_letters.c.id == row.id).values(status="replayed"))
        uow.session.execute(admin_actions.insert().values(at=now, actor=actor, action="replay",
                                                          dead_letter_id=row.id, note=note))
    uow.commit()
    return [r.id for r in rows]


def discard(uow, dead_letter_id: int, actor: str, note: str, now: datetime) -> None:
    if not note.strip():
        from shared.errors import InvalidInput
        raise InvalidInput({"note": ["say why it is discarded"]})
    row = uow.session.execute(sa.select(dead_letters).where(dead_letters.c.id == dead_letter_id)
                              .with_for_update()).first()
    if row is None:
        raise NotFound(f"no dead letter {dead_letter_id}")
    if row.status != "open":
        raise Conflict(f"dead letter {dead_letter_id} is already {row.status}")
    uow.session.execute(dead_letters.update().where(dead_letters.c.id == row.id).values(status="discarded"))
    uow.session.execute(admin_actions.insert().values(at=now, actor=actor, action="discard",
                                                      dead_letter_id=row.id, note=note))
    uow.commit()


# ---------------------------------------------------------------- alerts
def open_alerts(session) -> list[dict]:
    rows = session.execute(sa.select(alerts).where(alerts.c.cleared_at.is_(None)).order_by(alerts.c.id))
    return [{"id": r.id, "kind": r.kind, "subject": r.subject, "detail": r.detail,
             "raised_at": as_utc(r.raised_at).isoformat()} for r in rows]


def open_dead_letters_by_queue(session) -> dict[str, int]:
    return dict(session.execute(sa.select(dead_letters.c.original_queue, sa.func.count())
                                .where(dead_letters.c.status == "open").group_by(dead_letters.c.original_queue)).all())


def recent_lags(session, now: datetime, seconds: int = 60) -> list[float]:
    rows = session.execute(sa.select(event_log.c.time, event_log.c.received_at)
                           .where(event_log.c.received_at >= now - timedelta(seconds=seconds)))
    return [(as_utc(r.received_at) - as_utc(r.time)).total_seconds() for r in rows]


def open_alert(session, kind: str) -> alert_rules.Alert | None:
    row = session.execute(sa.select(alerts).where(alerts.c.kind == kind, alerts.c.cleared_at.is_(None))).first()
    return row and alert_rules.Alert(row.kind, row.subject, row.detail)


def reconcile_alerts(uow, current: list[alert_rules.Alert], now: datetime, keep_unknown: bool = False) -> None:
    """Raise what is new and clear what is over, each as an event as well as a row. With
    ``keep_unknown`` (the queues could not be read) queue alerts stay as they are."""
    open_rows = {(r.kind, r.subject): r for r in uow.session.execute(
        sa.select(alerts).where(alerts.c.cleared_at.is_(None)))}
    wanted = {(a.kind, a.subject): a for a in current}
    if keep_unknown:
        wanted.update({key: alert_rules.Alert(r.kind, r.subject, r.detail) for key, r in open_rows.items()
                       if r.kind == "no-consumer"})
    for key, alert in wanted.items():
        if key not in open_rows:
            alert_id = uow.session.execute(alerts.insert().values(
                kind=alert.kind, subject=alert.subject, detail=alert.detail, raised_at=now)).inserted_primary_key[0]
            uow.emit(_alert_event("monitor.alert_raised", alert_id, alert.kind, alert.subject, alert.detail, now))
    for key, row in open_rows.items():
        if key not in wanted:
            uow.session.execute(alerts.update().where(alerts.c.id == row.id).values(cleared_at=now))
            uow.emit(_alert_event("monitor.alert_cleared", row.id, row.kind, row.subject, row.detail, now))
    uow.commit()


def _alert_event(event_type: str, alert_id: int, kind: str, subject: str, detail: str, now: datetime) -> Envelope:
    return Envelope(type=event_type, version=1, source=SOURCE, subject=f"alert-{alert_id}", data={
        "alert_id": alert_id, "kind": kind, "subject": subject, "detail": detail, "at": now.isoformat()})


# ---------------------------------------------------------------- the plan's indicators
def indicators(session, now: datetime, zone=timezone.utc) -> dict:
    consultations = session.execute(sa.select(consultation_facts)).all()
    referrals = session.execute(sa.select(referral_facts)).all()
    by = lambda key: sorted(Counter(key(c) for c in consultations).items())  # noqa: E731
    concerns = Counter(concern for c in consultations for concern in c.concerns)
    pairs = defaultdict(Counter)
    for r in referrals:
        pairs[(r.from_desk_id, r.to_desk_id)][facts.CLOSED.get(r.status, "open")] += 1
    pickup = Counter(facts.pickup_bucket(as_utc(r.requested_at), as_utc(r.pickup_deadline),
                                         as_utc(r.picked_up_at) if r.picked_up_at else None, now,
                                         closed=r.status in facts.CLOSED)
                     for r in referrals)
    total = len(referrals)
    statuses = Counter(r.status for r in referrals)
    return {
        "consultations": len(consultations),
        "consultations_by_ward": [{"ward": k, "count": n} for k, n in by(lambda c: c.ward)],
        "consultations_by_channel": [{"channel": k, "count": n} for k, n in by(lambda c: c.channel)],
        "consultations_by_concern": [{"concern": k, "count": n} for k, n in sorted(concerns.items())],
        "consultations_by_month": [{"month": k, "count": n}
                                   for k, n in by(lambda c: as_utc(c.recorded_at).astimezone(zone).strftime("%Y-%m"))],
        "referrals": total,
        "referrals_by_pair": [{"from_desk_id": a, "to_desk_id": b, "count": sum(c.values()), **dict(c)}
                              for (a, b), c in sorted(pairs.items())],
        "pickup": [{"bucket": b, "count": pickup.get(b, 0)} for b in facts.PICKUP_BUCKETS],
        "rates": {"completion": facts.rate(statuses["completed"], total),
                  "rejection": facts.rate(statuses["rejected"], total),
                  "escalation": facts.rate(sum(1 for r in referrals if r.escalation_level > 0), total)},
    }


CSV_TABLES = ("consultations_by_ward", "consultations_by_channel", "consultations_by_concern",
              "consultations_by_month", "referrals_by_pair", "pickup")


def indicators_csv(table: dict, name: str) -> str:
    rows = table[name]
    columns = list(dict.fromkeys(k for row in rows for k in row)) or ["count"]
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns, restval=0, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()
