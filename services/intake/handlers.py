"""Intake's use cases: plain functions of a command and a unit of work."""
from __future__ import annotations

import uuid
from datetime import date

import sqlalchemy as sa

from shared.clock import as_utc, utc_now
from shared.crypto import keyring
from shared.errors import Conflict, NotFound, load
from shared.events import Envelope

from .domain import Consultation, match_reasons, normalise_kana, normalise_phone
from .schemas import LinkSchema, RecordConsultationSchema, UnlinkSchema
from .tables import consultations, link_audit, person_links

SOURCE = "/tsunagu/intake"


def record_consultation(payload: dict, uow, correlation_id: str | None = None) -> tuple[dict, list[dict]]:
    """Record the consultation and its event together; return what was recorded (codes, no
    personal data) with possible same-person matches. A repeat of an idempotency key at the
    same desk records nothing and returns the consultation it recorded first, without matches."""
    command = load(RecordConsultationSchema(), payload)
    if command["request_key"]:
        earlier = recorded_under_key(uow.session, command["desk_id"], command["request_key"])
        if earlier is not None:
            return earlier, []
    consultation = Consultation.record(command)
    person = consultation.person
    matches = possible_matches(uow.session, consultation)
    identity_key, phone_key = lookup_keys(person)
    uow.session.execute(consultations.insert().values(
        id=consultation.id, person_ref=person.ref, person_name=person.name,
        person_name_kana=person.name_kana,
        person_birth_date=person.birth_date.isoformat() if person.birth_date else None,
        person_phone=person.phone, person_address=person.address, household=list(person.household),
        identity_key=identity_key, phone_key=phone_key, desk_id=consultation.desk_id, ward=consultation.ward,
        channel=consultation.channel, concerns=list(consultation.concerns),
        urgency=consultation.urgency, summary=consultation.summary,
        reporter_kind=consultation.reporter_kind, reporter_desk_id=consultation.reporter_desk_id,
        outreach_desk_id=consultation.outreach_desk_id, consent_status=consultation.consent_status,
        recorded_by=command["actor"], recorded_at=consultation.recorded_at, request_key=command["request_key"]))
    uow.emit(Envelope(type="consultation.recorded", version=1, source=SOURCE,
                      subject=consultation.id, data=consultation.recorded_event_data(),
                      correlationid=correlation_id))
    uow.commit()
    return _recorded(consultation.id, person.ref, consultation.desk_id, consultation.ward,
                     consultation.concerns, consultation.outreach_desk_id), matches


def _recorded(consultation_id, person_ref, desk_id, ward, concerns, outreach_desk_id) -> dict:
    return {"consultation_id": consultation_id, "person_ref": person_ref, "desk_id": desk_id, "ward": ward,
            "concerns": list(concerns), "outreach_desk_id": outreach_desk_id}


def recorded_under_key(session, desk_id: str, request_key: str) -> dict | None:
    row = session.execute(sa.select(
        consultations.c.id, consultations.c.person_ref, consultations.c.desk_id, consultations.c.ward,
        consultations.c.concerns, consultations.c.outreach_desk_id)
        .where(consultations.c.desk_id == desk_id, consultations.c.request_key == request_key)).first()
    return None if row is None else _recorded(*row)


def lookup_keys(person) -> tuple[str | None, str | None]:
    """Keyed hashes of (kana + birth date) and of the phone: matchable, not readable."""
    kana = normalise_kana(person.name_kana)
    identity = f"{kana}|{person.birth_date.isoformat()}" if kana and person.birth_date else None
    ring = keyring()
    return ring.lookup_hash(identity), ring.lookup_hash(normalise_phone(person.phone))


def possible_matches(session, consultation: Consultation) -> list[dict]:
    person = consultation.person
    identity_key, phone_key = lookup_keys(person)
    conditions = []
    if identity_key:
        conditions.append(consultations.c.identity_key == identity_key)
    if phone_key:
        conditions.append(consultations.c.phone_key == phone_key)
    if not conditions:
        return []
    rows = session.execute(sa.select(
        consultations.c.id, consultations.c.desk_id, consultations.c.person_ref,
        consultations.c.person_name_kana, consultations.c.person_birth_date, consultations.c.person_phone)
        .where(sa.or_(*conditions)).order_by(consultations.c.recorded_at).limit(20))
    return [{"consultation_id": r.id, "desk_id": r.desk_id, "person_ref": r.person_ref,
             "reasons": match_reasons(person, r.person_name_kana,
                                      date.fromisoformat(r.person_birth_date) if r.person_birth_date else None,
                                      r.person_phone)}
            for r in rows]


def consultation_summary(session, consultation_id: str) -> dict | None:
    """What other services may know of a consultation: codes, no personal data."""
    row = session.execute(sa.select(
        consultations.c.id, consultations.c.desk_id, consultations.c.ward, consultations.c.concerns,
        consultations.c.urgency, consultations.c.recorded_at, consultations.c.outreach_desk_id)
        .where(consultations.c.id == consultation_id)).first()
    if row is None:
        return None
    summary = dict(row._mapping)
    summary["recorded_at"] = as_utc(summary["recorded_at"]).isoformat()
    return summary


def consultations_of_desk(session, desk_id: str, limit: int = 200) -> list[dict]:
    """The desk's own consultations, newest first: codes only, as in a summary."""
    rows = session.execute(sa.select(
        consultations.c.id, consultations.c.desk_id, consultations.c.ward, consultations.c.concerns,
        consultations.c.urgency, consultations.c.channel, consultations.c.person_ref, consultations.c.recorded_at)
        .where(consultations.c.desk_id == desk_id).order_by(consultations.c.recorded_at.desc()).limit(limit))
    return [{**r._mapping, "recorded_at": as_utc(r.recorded_at).isoformat()} for r in rows]


def person_recorded_at(session, person_ref: str, desk_id: str) -> bool:
    """Whether this desk recorded a consultation of the person (so may capture their consent)."""
    return session.scalar(sa.select(sa.func.count()).select_from(consultations).where(
        consultations.c.person_ref == person_ref, consultations.c.desk_id == desk_id)) > 0


def _desk_of(session, consultation_id: str) -> str:
    desk = session.scalar(sa.select(consultations.c.desk_id).where(consultations.c.id == consultation_id))
    if desk is None:
        raise NotFound(f"no consultation {consultation_id!r}")
    return desk


def _link_event(event_type: str, link_id: str, a: str, b: str, desk_a: str, desk_b: str, command: dict) -> Envelope:
    return Envelope(type=event_type, version=1, source=SOURCE, subject=a, data={
        "link_id": link_id, "consultation_id_a": a, "consultation_id_b": b, "desk_id_a": desk_a,
        "desk_id_b": desk_b, "actor": command["actor"], "reason": command["reason"],
        "at": utc_now().isoformat()})


def _audit(uow, link_id: str, action: str, command: dict) -> None:
    uow.session.execute(link_audit.insert().values(
        link_id=link_id, action=action, actor=command["actor"], desk_id=command["desk_id"],
        reason=command["reason"], at=utc_now()))


def link(payload: dict, uow) -> str:
    """Staff confirm two consultations are the same person: linked, audited, never merged."""
    command = load(LinkSchema(), payload)
    a, b = sorted((command["consultation_id_a"], command["consultation_id_b"]))
    desk_a, desk_b = _desk_of(uow.session, a), _desk_of(uow.session, b)
    if command["desk_id"] not in (desk_a, desk_b):
        raise NotFound(f"no consultation {command['consultation_id_a']!r}")
    existing = uow.session.scalar(sa.select(person_links.c.id).where(
        person_links.c.consultation_id_a == a, person_links.c.consultation_id_b == b, person_links.c.active))
    if existing:
        raise Conflict(f"already linked as {existing}")
    link_id = f"l-{uuid.uuid4().hex[:16]}"
    uow.session.execute(person_links.insert().values(id=link_id, consultation_id_a=a, consultation_id_b=b, active=True))
    _audit(uow, link_id, "link", command)
    uow.emit(_link_event("person.linked", link_id, a, b, desk_a, desk_b, command))
    uow.commit()
    return link_id


def unlink(payload: dict, uow) -> None:
    command = load(UnlinkSchema(), payload)
    row = uow.session.execute(sa.select(person_links).where(person_links.c.id == command["link_id"])).first()
    if row is None:
        raise NotFound(f"no link {command['link_id']!r}")
    desk_a, desk_b = _desk_of(uow.session, row.consultation_id_a), _desk_of(uow.session, row.consultation_id_b)
    if command["desk_id"] not in (desk_a, desk_b):
        raise NotFound(f"no link {command['link_id']!r}")
    if not row.active:
        raise Conflict("the link was already removed")
    uow.session.execute(person_links.update().where(person_links.c.id == row.id).values(active=False))
    _audit(uow, row.id, "unlink", command)
    uow.emit(_link_event("person.unlinked", row.id, row.consultation_id_a, row.consultation_id_b,
                         desk_a, desk_b, command))
    uow.commit()


def link_history(session, link_id: str, desk_id: str) -> list[dict]:
    """A link's audit trail, for the desks of the two linked consultations only."""
    row = session.execute(sa.select(person_links).where(person_links.c.id == link_id)).first()
    if row is None or desk_id not in (_desk_of(session, row.consultation_id_a),
                                      _desk_of(session, row.consultation_id_b)):
        raise NotFound(f"no link {link_id!r}")
    rows = session.execute(sa.select(link_audit).where(link_audit.c.link_id == link_id).order_by(link_audit.c.position))
    return [{"action": r.action, "actor": r.actor, "desk_id": r.desk_id, "reason": r.reason,
             "at": as_utc(r.at).isoformat()} for r in rows]


def person_record(session, consultation_id: str) -> tuple[str, str, dict]:
    """(desk id, person ref, every personal field) of a consultation, decrypted."""
    row = session.execute(sa.select(consultations).where(consultations.c.id == consultation_id)).first()
    if row is None:
        raise NotFound(f"no consultation {consultation_id!r}")
    return row.desk_id, row.person_ref, {
        "name": row.person_name, "name_kana": row.person_name_kana, "birth_date": row.person_birth_date,
        "phone": row.person_phone, "address": row.person_address, "household": row.household,
        "summary": row.summary}
