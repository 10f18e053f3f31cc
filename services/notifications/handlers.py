"""Notification use cases: fan an event out to inboxes, feeds and webhooks; acknowledge; deliver."""
from __future__ import annotations

import json
import secrets
import uuid
from datetime import datetime, time, timedelta
from typing import Callable

import sqlalchemy as sa

from shared.clock import as_utc
from shared.errors import Conflict, NotFound, load
from shared.events import Envelope
from shared.messaging.topology import FEEDS_EXCHANGE

from . import audience, preferences, webhooks
from .schemas import AcknowledgeSchema, PreferencesSchema, SubscribeWebhookSchema
from .tables import deliveries, desk_sequences, emails, notifications, staff, webhooks as subscriptions

SOURCE = "/tsunagu/notifications"
# Statements on the hand-off path, built once: parameters given at execution skip rebuilding them.
_ADD_NOTIFICATION = notifications.insert()
_ADD_DELIVERY = deliveries.insert()
_ACTIVE_HOOKS = sa.select(subscriptions.c.id, subscriptions.c.desk_id).where(
    subscriptions.c.desk_id.in_(sa.bindparam("desks", expanding=True)), subscriptions.c.active)
_RESERVE_SEQ = (desk_sequences.update().where(desk_sequences.c.desk_id == sa.bindparam("desk"))
                .values(last_seq=desk_sequences.c.last_seq + sa.bindparam("count"))
                .returning(desk_sequences.c.last_seq))
_FIRST_SEQ = desk_sequences.insert()
_ADD_EMAIL = emails.insert()
_EMAIL_READERS = sa.select(staff).where(staff.c.desk_id.in_(sa.bindparam("desks", expanding=True)),
                                        staff.c.email.is_not(None))


def on_event(event, uow, registry, now: datetime, local_now: datetime | None = None) -> int:
    """One transaction: the inbox rows, the agency-feed copies and the webhook deliveries. Only
    staged rows and reads shared by the transaction's events: a group of events costs a few
    statements in all, whatever its size."""
    notices = audience.notices_for(event.type, event.data, event.subject)
    if not notices:
        return 0
    wire = registry.to_wire(event)
    body = wire.to_json()
    desks = tuple(sorted({n.desk_id for n in notices}))
    created = [(f"n-{uuid.uuid4().hex[:16]}", notice) for notice in sorted(notices, key=lambda n: n.desk_id)]
    queue_emails(uow, created, local_now or now, now)
    for desk in desks:
        uow.emit(wire, exchange=FEEDS_EXCHANGE, routing_key=audience.feed_routing_key(desk, event.type))
    # a read apart from the staged rows (the feed copies above), which it does not read
    for hook in uow.memo(("webhooks", desks), lambda: uow.execute_apart(_ACTIVE_HOOKS, {"desks": desks}).all()):
        uow.insert(_ADD_DELIVERY, dict(
            id=f"wd-{uuid.uuid4().hex[:16]}", subscription_id=hook.id, event_id=event.id, body=body,
            status="pending", attempts=0, next_attempt_at=now, created_at=now))
    for notification_id, notice in created:
        uow.collect("notifications", dict(
            id=notification_id, event_id=event.id, event_type=event.type, desk_id=notice.desk_id,
            role=notice.role, kind=notice.kind, title=notice.title, urgency=notice.urgency,
            case_id=notice.case_id, referral_id=notice.referral_id, created_at=now), _number_and_add)
    return len(notices)


def _number_and_add(uow, rows: list[dict]) -> None:
    """Just before the commit, so each desk's counter row stays locked only until then (taken
    in desk order: no deadlock); the transaction's notices of a desk get consecutive numbers
    in the order their events came."""
    by_desk: dict[str, list[dict]] = {}
    for row in rows:
        by_desk.setdefault(row["desk_id"], []).append(row)
    for desk_id in sorted(by_desk):
        last = reserve_seq(uow, desk_id, len(by_desk[desk_id]))
        for offset, row in enumerate(by_desk[desk_id]):
            uow.insert(_ADD_NOTIFICATION, {**row, "seq": last - len(by_desk[desk_id]) + 1 + offset})


def reserve_seq(uow, desk_id: str, count: int = 1) -> int:
    """Reserve the desk's next ``count`` notification numbers; return the last. Its row stays
    locked until this transaction ends. It reads no staged row: they wait, to go out together."""
    seq = uow.execute_apart(_RESERVE_SEQ, {"desk": desk_id, "count": count}).scalar()
    if seq is None:  # the desk's first: a racing first insert fails on the key and is retried
        uow.execute_apart(_FIRST_SEQ, {"desk_id": desk_id, "last_seq": count})
        seq = count
    return seq


def latest_position(session, desk_id: str) -> int:
    return session.scalar(sa.select(desk_sequences.c.last_seq).where(desk_sequences.c.desk_id == desk_id)) or 0


def _view(row) -> dict:
    return {"id": row.id, "position": row.seq, "event_id": row.event_id, "event_type": row.event_type,
            "desk_id": row.desk_id, "role": row.role, "kind": row.kind, "title": row.title,
            "urgency": row.urgency, "case_id": row.case_id, "referral_id": row.referral_id,
            "created_at": as_utc(row.created_at).isoformat(),
            "read_at": as_utc(row.read_at).isoformat() if row.read_at else None,
            "acknowledged_at": as_utc(row.acknowledged_at).isoformat() if row.acknowledged_at else None}


def inbox(session, desk_id: str, after: int = 0, limit: int = 1000, unacknowledged: bool = False,
          newest: int = 0) -> list[dict]:
    """A desk's notifications after a position, oldest first: what a reconnecting stream replays.
    With ``newest``, only that many of the latest (still oldest first): what an inbox page shows."""
    query = sa.select(notifications).where(notifications.c.desk_id == desk_id, notifications.c.seq > after)
    if unacknowledged:
        query = query.where(notifications.c.acknowledged_at.is_(None))
    if newest:
        rows = session.execute(query.order_by(notifications.c.seq.desc()).limit(newest)).all()
        return [_view(r) for r in reversed(rows)]
    return [_view(r) for r in session.execute(query.order_by(notifications.c.seq).limit(limit))]


def acknowledge(payload, uow, now: datetime) -> dict:
    """Acknowledging a new-referral notice is how the referral becomes *received*."""
    command = load(AcknowledgeSchema(), payload)
    row = uow.session.execute(sa.select(notifications).where(notifications.c.id == command["notification_id"])).first()
    if row is None or row.desk_id != command["desk_id"]:
        raise NotFound(f"no notification {command['notification_id']!r}")
    if row.acknowledged_at is not None:
        return _view(row)  # twice changes nothing
    uow.session.execute(notifications.update().where(notifications.c.id == row.id)
                        .values(acknowledged_at=now, acknowledged_by=command["actor"], read_at=row.read_at or now))
    if row.kind == "new_referral":
        uow.emit(Envelope(type="notification.acknowledged", version=1, source=SOURCE, subject=row.case_id, data={
            "notification_id": row.id, "kind": row.kind, "referral_id": row.referral_id, "desk_id": row.desk_id,
            "actor": command["actor"], "at": now.isoformat()}))
    uow.commit()
    return _view(uow.session.execute(sa.select(notifications).where(notifications.c.id == row.id)).one())


# ---------------------------------------------------------------- webhooks
def subscribe_webhook(payload, uow, now: datetime) -> dict:
    """Register a receiver; the secret is shown once, here, and stored encrypted."""
    command = load(SubscribeWebhookSchema(), payload)
    hook_id, secret = f"wh-{uuid.uuid4().hex[:16]}", secrets.token_urlsafe(32)
    uow.session.execute(subscriptions.insert().values(id=hook_id, desk_id=command["desk_id"], url=command["url"],
                                                      secret=secret, active=True, created_at=now))
    uow.commit()
    return {"subscription_id": hook_id, "secret": secret}


def due_deliveries(session, now: datetime, limit: int = 50) -> list[dict]:
    rows = session.execute(sa.select(deliveries, subscriptions.c.url, subscriptions.c.secret)
                           .join(subscriptions, subscriptions.c.id == deliveries.c.subscription_id)
                           .where(deliveries.c.status == "pending", deliveries.c.next_attempt_at <= now)
                           .order_by(deliveries.c.next_attempt_at).limit(limit)).all()
    return [dict(r._mapping) for r in rows]


Sender = Callable[[str, dict, bytes], tuple[bool, str]]  # (url, headers, body) -> (accepted, detail)


def attempt(delivery: dict, send: Sender, now: datetime) -> tuple[bool, str]:
    body = delivery["body"].encode()
    stamp = int(now.timestamp())
    headers = {"Content-Type": "application/cloudevents+json", "X-Tsunagu-Delivery": delivery["id"],
               "X-Tsunagu-Timestamp": str(stamp), "X-Tsunagu-Signature": webhooks.sign(delivery["secret"], stamp, body)}
    return send(delivery["url"], headers, body)


def record_attempt(uow, delivery: dict, accepted: bool, detail: str, now: datetime, max_attempts: int,
                   base_delay: float) -> str:
    attempts = delivery["attempts"] + 1
    if accepted:
        values = {"status": "delivered", "attempts": attempts, "delivered_at": now, "last_error": None}
    elif webhooks.gives_up(attempts, max_attempts):
        values = {"status": "dead", "attempts": attempts, "last_error": detail}
    else:
        values = {"attempts": attempts, "last_error": detail,
                  "next_attempt_at": now + timedelta(seconds=webhooks.next_delay(attempts, base_delay))}
    uow.session.execute(deliveries.update().where(deliveries.c.id == delivery["id"],
                                                  deliveries.c.status == "pending").values(**values))
    uow.commit()
    return values.get("status", "pending")


def dead_deliveries(session) -> list[dict]:
    rows = session.execute(sa.select(deliveries).where(deliveries.c.status == "dead").order_by(deliveries.c.created_at))
    return [{"id": r.id, "subscription_id": r.subscription_id, "event_id": r.event_id, "attempts": r.attempts,
             "last_error": r.last_error, "event": json.loads(r.body)} for r in rows]


def deliveries_for(session, subscription_id: str, desk_id: str | None = None) -> list[dict]:
    """None is a trusted internal caller; a desk sees only its own subscriptions' deliveries."""
    owner = session.scalar(sa.select(subscriptions.c.desk_id).where(subscriptions.c.id == subscription_id))
    if owner is None or (desk_id is not None and owner != desk_id):
        raise NotFound(f"no webhook subscription {subscription_id!r}")
    rows = session.execute(sa.select(deliveries).where(deliveries.c.subscription_id == subscription_id)
                           .order_by(deliveries.c.created_at))
    return [{"id": r.id, "event_id": r.event_id, "status": r.status, "attempts": r.attempts,
             "last_error": r.last_error} for r in rows]


def replay(delivery_id: str, uow, now: datetime) -> None:
    """An admin sends a dead-lettered delivery again, from a fresh count of tries."""
    changed = uow.session.execute(deliveries.update().where(deliveries.c.id == delivery_id,
                                                            deliveries.c.status == "dead")
                                  .values(status="pending", attempts=0, next_attempt_at=now))
    if changed.rowcount != 1:
        exists = uow.session.scalar(sa.select(deliveries.c.status).where(deliveries.c.id == delivery_id))
        if exists is None:
            raise NotFound(f"no delivery {delivery_id!r}")
        raise Conflict(f"delivery {delivery_id} is {exists}, not dead")
    uow.commit()


# ---------------------------------------------------------------- e-mail
def set_preferences(payload, uow) -> dict:
    command = load(PreferencesSchema(), payload)
    uow.session.execute(staff.delete().where(staff.c.staff_id == command["staff_id"]))
    uow.session.execute(staff.insert().values(**command))
    uow.commit()
    return command


def _clock(value: str | None) -> time | None:
    return time.fromisoformat(value) if value else None


def queue_emails(uow, notices: list[tuple[str, audience.Notice]], local_now: datetime, now: datetime) -> None:
    """Alerts now for urgent notices (quiet hours respected unless a life is at risk), the rest
    into the digest. Only staff who chose e-mail get any."""
    desks = tuple(sorted({n.desk_id for _, n in notices}))
    readers = uow.memo(("email readers", desks),
                       lambda: _email_readers(uow.execute_apart(_EMAIL_READERS, {"desks": list(desks)})))
    for notification_id, notice in notices:
        for member in readers.get(notice.desk_id, ()):
            if "email" not in member.channels or notice.role == audience.SUPERVISOR and not member.supervisor:
                continue
            urgent = preferences.email_now(notice.urgency, local_now.time(), _clock(member.quiet_start),
                                           _clock(member.quiet_end))
            uow.insert(_ADD_EMAIL, dict(
                id=f"em-{uuid.uuid4().hex[:16]}", staff_id=member.staff_id, notification_id=notification_id,
                kind="alert" if urgent else "digest-item", status="pending", created_at=now))


def _email_readers(members) -> dict[str, list]:
    """Desk -> its staff with an e-mail address: one read for every notice of a transaction
    (apart from the rows staged so far, which it does not read: they still go out together)."""
    readers: dict[str, list] = {}
    for member in members:
        readers.setdefault(member.desk_id, []).append(member)
    return readers


Mailer = Callable[[str, str, str], None]  # (to, subject, body); raises when the server refuses


def send_emails(db, mail: Mailer, public_url: str, kind: str, now: datetime) -> int:
    """Send pending alerts one by one, or each member's digest items as one message."""
    with db.unit_of_work() as uow:
        rows = uow.session.execute(
            sa.select(emails.c.id, emails.c.staff_id, staff.c.email, notifications.c.id.label("notification_id"),
                      notifications.c.title, notifications.c.urgency)
            .join(staff, staff.c.staff_id == emails.c.staff_id)
            .join(notifications, notifications.c.id == emails.c.notification_id)
            .where(emails.c.status == "pending", emails.c.kind == kind).order_by(emails.c.created_at)).all()
    groups = [[r] for r in rows] if kind == "alert" else _by_staff(rows)
    sent = 0
    for group in groups:
        subject, body = _message(group, public_url, kind)
        try:
            mail(group[0].email, subject, body)
        except Exception:  # the server refused or is away: the rows stay pending for the next round
            continue
        with db.unit_of_work() as uow:
            uow.session.execute(emails.update().where(emails.c.id.in_([r.id for r in group]))
                                .values(status="sent", sent_at=now))
            uow.commit()
        sent += 1
    return sent


def _by_staff(rows) -> list[list]:
    groups: dict[str, list] = {}
    for row in rows:
        groups.setdefault(row.staff_id, []).append(row)
    return list(groups.values())


def _message(group, public_url: str, kind: str) -> tuple[str, str]:
    """Titles and links only: e-mail carries no personal data."""
    lines = [f"・{r.title}\n  {public_url.rstrip('/')}/inbox?notification={r.notification_id}" for r in group]
    footer = "\n\n詳細はリンク先（tsunagu）でご確認ください。このメールには個人情報を含めていません。\n"
    if kind == "alert":
        return f"[tsunagu] {group[0].title}", "\n".join(lines) + footer
    return f"[tsunagu] 未確認の通知 {len(group)} 件", "\n".join(lines) + footer
