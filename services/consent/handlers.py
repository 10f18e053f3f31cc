"""Consent use cases: record and withdraw consents, decide and log disclosures, verify the log."""
from __future__ import annotations

import uuid
from datetime import datetime
from typing import Protocol

import sqlalchemy as sa

from shared.clock import as_utc
from shared.crypto import keyring
from shared.errors import Conflict, InvalidInput, NotFound, load
from shared.events import Envelope

from . import ledger, policy
from .schemas import AcknowledgeSchema, DisclosureRequestSchema, RecordConsentSchema, ReviewSchema, WithdrawSchema
from .tables import consents, deletion_requests, disclosures, ledger_head, meeting_members

SOURCE = "/tsunagu/consent"


class Ports(Protocol):
    def desk_kind(self, desk_id: str) -> str: ...  # raises NotFound


def _id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _event(event_type: str, subject: str, data: dict) -> Envelope:
    return Envelope(type=event_type, version=1, source=SOURCE, subject=subject, data=data)


# ---------------------------------------------------------------- consents
def _provision_json(p: dict) -> dict:
    return {"type": p["type"], "recipients": list(p["recipients"]), "purposes": list(p["purposes"]),
            "categories": list(p["categories"]),
            "start": as_utc(p["start"]).isoformat() if p.get("start") else None,
            "end": as_utc(p["end"]).isoformat() if p.get("end") else None,
            "provisions": [_provision_json(c) for c in p["provisions"]]}


def _provision(doc: dict) -> policy.Provision:
    return policy.Provision(
        type=doc["type"], recipients=tuple(doc["recipients"]), purposes=tuple(doc["purposes"]),
        categories=tuple(doc["categories"]),
        start=datetime.fromisoformat(doc["start"]) if doc.get("start") else None,
        end=datetime.fromisoformat(doc["end"]) if doc.get("end") else None,
        provisions=tuple(_provision(c) for c in doc["provisions"]))


def _latest(session, consent_id: str):
    return session.execute(sa.select(consents).where(consents.c.id == consent_id)
                           .order_by(consents.c.version.desc()).limit(1)).first()


def record_consent(payload, uow, now: datetime) -> dict:
    """A new consent, or a new version of one (history kept); effective from valid_from."""
    command = load(RecordConsentSchema(), payload)
    consent_id, version = command["consent_id"] or _id("cs"), 1
    if command["consent_id"]:
        previous = _latest(uow.session, consent_id)
        if previous is None or previous.person_ref != command["person_ref"]:
            raise NotFound(f"no consent {consent_id!r}")
        if previous.status != "active":
            raise Conflict(f"consent {consent_id} is {previous.status}; record a new consent instead")
        version = previous.version + 1
    uow.session.execute(consents.insert().values(
        id=consent_id, version=version, person_ref=command["person_ref"], status="active",
        granted_by=command["granted_by"], guardian_name=command["guardian_name"], method=command["method"],
        witness=command["witness"], purpose=command["purpose"],
        valid_from=as_utc(command["valid_from"] or now),
        valid_until=as_utc(command["valid_until"]) if command["valid_until"] else None, provision=_provision_json(command["provision"]),
        recorded_by=command["actor"], desk_id=command["desk_id"], recorded_at=now))
    uow.emit(_event("consent.recorded", command["person_ref"], {
        "consent_id": consent_id, "version": version, "person_ref": command["person_ref"], "status": "active",
        "desk_id": command["desk_id"], "actor": command["actor"], "at": now.isoformat()}))
    uow.commit()
    return {"consent_id": consent_id, "version": version}


def _end(uow, row, status: str, desk_id: str, actor: str, now: datetime) -> list[str]:
    """Close a consent (withdrawn or expired) as a new version; ask recipients to delete."""
    uow.session.execute(consents.insert().values(
        **{c.name: getattr(row, c.name) for c in consents.columns if c.name not in ("version", "status",
                                                                                 "recorded_by", "desk_id",
                                                                                 "recorded_at")},
        version=row.version + 1, status=status, recorded_by=actor, desk_id=desk_id, recorded_at=now))
    uow.emit(_event(f"consent.{status}", row.person_ref, {
        "consent_id": row.id, "version": row.version + 1, "person_ref": row.person_ref, "status": status,
        "desk_id": desk_id, "actor": actor, "at": now.isoformat()}))
    recipients = sorted(set(uow.session.scalars(sa.select(disclosures.c.recipient_desk_id).where(
        disclosures.c.person_ref == row.person_ref, disclosures.c.basis == "consent",
        disclosures.c.consent_ref.like(f"%{row.id}/%")))))
    for recipient in recipients:
        request_id = _id("del")
        uow.session.execute(deletion_requests.insert().values(
            id=request_id, person_ref=row.person_ref, consent_id=row.id, recipient_desk_id=recipient,
            reason=status, requested_at=now))
        uow.emit(_event("disclosure.deletion_requested", row.person_ref, {
            "request_id": request_id, "person_ref": row.person_ref, "consent_id": row.id,
            "recipient_desk_id": recipient, "reason": status, "at": now.isoformat()}))
    return recipients


def withdraw(payload, uow, now: datetime) -> dict:
    """Effective at once: the next decision already sees it."""
    command = load(WithdrawSchema(), payload)
    row = _latest(uow.session, command["consent_id"])
    if row is None or command["desk_id"] not in person_desks(uow.session, row.person_ref):
        raise NotFound(f"no consent {command['consent_id']!r}")
    if row.status != "active":
        raise Conflict(f"consent {row.id} is already {row.status}")
    recipients = _end(uow, row, "withdrawn", command["desk_id"], command["actor"], now)
    uow.commit()
    return {"consent_id": row.id, "version": row.version + 1, "deletion_requested_from": recipients}


def expire_due(uow, now: datetime) -> int:
    latest = sa.select(consents.c.id, sa.func.max(consents.c.version).label("version")).group_by(consents.c.id).subquery()
    due = uow.session.execute(sa.select(consents).join(
        latest, sa.and_(consents.c.id == latest.c.id, consents.c.version == latest.c.version)).where(
        consents.c.status == "active", consents.c.valid_until.is_not(None), consents.c.valid_until <= now)).all()
    for row in due:
        _end(uow, row, "expired", row.desk_id, "tsunagu", now)
    uow.commit()
    return len(due)


def person_desks(session, person_ref: str) -> set[str]:
    """The desks that hold a person's data here: those that recorded a consent of theirs, and every
    discloser and recipient in the log. Only they may read the person's consents and disclosures."""
    desks = set(session.scalars(sa.select(consents.c.desk_id).where(consents.c.person_ref == person_ref)))
    for row in session.execute(sa.select(disclosures.c.discloser_desk_id, disclosures.c.recipient_desk_id)
                               .where(disclosures.c.person_ref == person_ref)):
        desks.update(row)
    return desks


def require_person_desk(session, person_ref: str, desk_id: str | None) -> None:
    """None is a trusted internal caller (the CLI); any other desk must hold the person's data."""
    if desk_id is not None and desk_id not in person_desks(session, person_ref):
        raise NotFound(f"no person {person_ref!r}")


def consent_history(session, consent_id: str, desk_id: str | None = None) -> list[dict]:
    rows = session.execute(sa.select(consents).where(consents.c.id == consent_id).order_by(consents.c.version)).all()
    if not rows or (desk_id is not None and desk_id not in person_desks(session, rows[0].person_ref)):
        raise NotFound(f"no consent {consent_id!r}")
    return [{"version": r.version, "status": r.status, "granted_by": r.granted_by, "method": r.method,
             "purpose": r.purpose, "valid_from": as_utc(r.valid_from).isoformat(),
             "valid_until": as_utc(r.valid_until).isoformat() if r.valid_until else None,
             "provision": r.provision, "recorded_by": r.recorded_by, "desk_id": r.desk_id,
             "consent_id": r.id, "person_ref": r.person_ref,
             "recorded_at": as_utc(r.recorded_at).isoformat()} for r in rows]


def _live_consents(session, person_ref: str) -> list[policy.Consent]:
    rows = session.execute(sa.select(consents).where(consents.c.person_ref == person_ref)
                           .order_by(consents.c.id, consents.c.version)).all()
    newest = {}
    for row in rows:
        newest[row.id] = row
    return [policy.Consent(id=r.id, version=r.version, person_ref=r.person_ref, status=r.status,
                           valid_from=as_utc(r.valid_from),
                           valid_until=as_utc(r.valid_until) if r.valid_until else None,
                           provision=_provision(r.provision)) for r in newest.values()]


def on_meeting_convened(event, uow) -> None:
    data = event.data
    uow.session.execute(meeting_members.insert().values(
        meeting_id=data["meeting_id"], consultation_id=data["consultation_id"], kind=data["kind"],
        member_desk_ids=list(data["member_desk_ids"])))


# ---------------------------------------------------------------- the decision point
def authorize(payload, db, ports: Ports, now: datetime) -> dict:
    """Decide one disclosure; if permitted, log it (hash-chained) before anything is shared."""
    command = load(DisclosureRequestSchema(), payload)
    try:
        recipient_kind = ports.desk_kind(command["recipient_desk_id"])
    except NotFound as exc:
        raise InvalidInput({"recipient_desk_id": [str(exc)]}) from exc
    with db.unit_of_work() as uow:
        members: tuple[str, ...] = ()
        if command["basis"] == "support_meeting":
            meeting = uow.session.execute(sa.select(meeting_members).where(
                meeting_members.c.meeting_id == command["meeting_id"])).first()
            if meeting is not None and meeting.kind == "support_meeting":
                members = tuple(meeting.member_desk_ids)
        request = policy.Request(
            person_ref=command["person_ref"], recipient=command["recipient_desk_id"],
            recipient_kind=recipient_kind, purpose=command["purpose"], categories=tuple(command["categories"]),
            at=now, basis=command["basis"], meeting_members=members,
            discloser=command["discloser_desk_id"], justification=command["justification"])
        decision = policy.decide(request, _live_consents(uow.session, command["person_ref"]))
        result = {"permitted": list(decision.permitted), "denied": list(decision.denied),
                  "basis": decision.basis, "reason": decision.reason, "needs_review": decision.needs_review,
                  "disclosure_id": None}
        if decision.permit:
            result["disclosure_id"] = _append(uow, command, decision, now)
            uow.commit()
    return result


def _append(uow, command: dict, decision: policy.Decision, now: datetime) -> str:
    head = uow.session.execute(sa.select(ledger_head).where(ledger_head.c.id == 1).with_for_update()).first()
    previous, seq = (head.hash, head.seq + 1) if head else (ledger.GENESIS, 1)
    justification = keyring().encrypt(command["justification"]) if command["justification"] else None
    entry = {"seq": seq, "id": _id("dis"), "at": now.isoformat(), "person_ref": command["person_ref"],
             "subject_id": command["subject_id"], "discloser_desk_id": command["discloser_desk_id"],
             "recipient_desk_id": command["recipient_desk_id"], "categories": list(decision.permitted),
             "basis": decision.basis, "purpose": command["purpose"], "consent_ref": decision.consent_ref,
             "meeting_id": command["meeting_id"] if decision.basis == "support_meeting" else None,
             "justification": justification,
             "review_status": "pending" if decision.needs_review else None}
    entry["prev_hash"], entry["hash"] = previous, ledger.entry_hash(previous, entry)
    uow.session.execute(disclosures.insert().values(**entry))
    if head:
        uow.session.execute(ledger_head.update().where(ledger_head.c.id == 1).values(seq=seq, hash=entry["hash"]))
    else:
        uow.session.execute(ledger_head.insert().values(id=1, seq=seq, hash=entry["hash"]))
    uow.emit(_event("disclosure.recorded", command["person_ref"], {
        "disclosure_id": entry["id"], "seq": seq, "person_ref": command["person_ref"],
        "subject_id": command["subject_id"], "discloser_desk_id": command["discloser_desk_id"],
        "recipient_desk_id": command["recipient_desk_id"], "categories": list(decision.permitted),
        "basis": decision.basis, "purpose": command["purpose"], "needs_review": decision.needs_review,
        "at": now.isoformat()}))
    return entry["id"]


def review_emergency(payload, uow) -> None:
    command = load(ReviewSchema(), payload)
    changed = uow.session.execute(disclosures.update().where(
        disclosures.c.id == command["disclosure_id"], disclosures.c.review_status == "pending")
        .values(review_status="reviewed"))
    if changed.rowcount != 1:
        raise NotFound(f"no emergency disclosure {command['disclosure_id']!r} awaiting review")
    uow.commit()


def acknowledge_deletion(payload, uow, now: datetime) -> None:
    command = load(AcknowledgeSchema(), payload)
    row = uow.session.execute(sa.select(deletion_requests).where(
        deletion_requests.c.id == command["request_id"])).first()
    if row is None or row.recipient_desk_id != command["desk_id"]:
        raise NotFound(f"no deletion request {command['request_id']!r}")
    if row.acknowledged_at is not None:
        return  # acknowledging twice changes nothing
    uow.session.execute(deletion_requests.update().where(deletion_requests.c.id == row.id)
                        .values(acknowledged_at=now, acknowledged_by=command["actor"]))
    uow.emit(_event("disclosure.deletion_acknowledged", row.person_ref, {
        "request_id": row.id, "recipient_desk_id": row.recipient_desk_id, "actor": command["actor"],
        "at": now.isoformat()}))
    uow.commit()


def deletion_status(session, person_ref: str) -> list[dict]:
    rows = session.execute(sa.select(deletion_requests).where(deletion_requests.c.person_ref == person_ref)
                           .order_by(deletion_requests.c.requested_at))
    return [{"request_id": r.id, "consent_id": r.consent_id, "recipient_desk_id": r.recipient_desk_id,
             "reason": r.reason, "requested_at": as_utc(r.requested_at).isoformat(),
             "acknowledged_at": as_utc(r.acknowledged_at).isoformat() if r.acknowledged_at else None}
            for r in rows]


# ---------------------------------------------------------------- the log, read back
def verify_log(session) -> int | None:
    """The seq of the first entry that does not match its hash chain, or None."""
    rows = [dict(r._mapping) for r in session.execute(sa.select(disclosures).order_by(disclosures.c.seq))]
    head = session.execute(sa.select(ledger_head.c.seq, ledger_head.c.hash).where(ledger_head.c.id == 1)).first()
    return ledger.first_broken(rows, dict(head._mapping) if head else None)


def disclosures_of(session, person_ref: str) -> list[dict]:
    rows = session.execute(sa.select(disclosures).where(disclosures.c.person_ref == person_ref)
                           .order_by(disclosures.c.seq))
    return [{"seq": r.seq, "at": r.at, "discloser_desk_id": r.discloser_desk_id,
             "recipient_desk_id": r.recipient_desk_id, "categories": r.categories, "basis": r.basis,
             "purpose": r.purpose, "consent_ref": r.consent_ref, "meeting_id": r.meeting_id,
             "review_status": r.review_status} for r in rows]
