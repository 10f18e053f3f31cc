"""Referral use cases: plain functions of a command, the service's database and its ports.

Look-ups in other services (the directory, intake) happen before a unit of work opens, so no
transaction waits on the network; the state a decision rests on is read again inside it.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol
from zoneinfo import ZoneInfo

import sqlalchemy as sa

from shared.clock import as_utc
from shared.deadlines import Window
from shared.errors import Conflict, InvalidInput, NotFound, NotPermitted, load
from shared.events import Envelope
from shared.persistence.engine import advisory_key, insert_new

from . import escalation, lifecycle, meetings
from .schemas import ConveneSchema, DecideSchema, ReferSchema, TransitionSchema
from .tables import consultations, decisions, referrals, timeline
from .tables import meetings as meetings_table

SOURCE = "/tsunagu/referrals"


class Ports(Protocol):
    def desk(self, desk_id: str) -> dict: ...  # raises NotFound
    def alternatives(self, concerns: list[str], ward: str, exclude: list[str]) -> list[dict]: ...
    def consultation(self, consultation_id: str) -> dict | None: ...


@dataclass(frozen=True)
class Context:
    now: datetime  # UTC
    zone: ZoneInfo
    policy: dict[str, Window]


def _new_id(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:16]}"


def _iso(moment: datetime) -> str:
    return as_utc(moment).isoformat()


# Statements on the hand-off path, built once: parameters given at execution skip rebuilding them.
# Its inserts are staged (``uow.insert``): the referral, its event and its timeline entry reach
# the database together, in one round trip on PostgreSQL.
_ADD_TO_TIMELINE = timeline.insert()
_ADD_REFERRAL = referrals.insert()
_CONSULTATION = sa.select(consultations).where(consultations.c.id == sa.bindparam("id"))
# The same read taking the referral lock of the case (PostgreSQL) in its round trip: the lock is
# taken only when the row is there, and every later read of the transaction starts after it.
_CONSULTATION_LOCKING = _CONSULTATION.add_columns(
    sa.func.pg_advisory_xact_lock(sa.bindparam("key", type_=sa.BigInteger)).label("locked"))
_OPEN_TO = sa.select(referrals.c.to_desk_id).where(
    referrals.c.consultation_id == sa.bindparam("consultation_id"),
    referrals.c.status.in_(lifecycle.AWAITING_PICKUP + (lifecycle.ACCEPTED, lifecycle.IN_PROGRESS, lifecycle.ON_HOLD)))


def _record(uow, case_id: str, event: Envelope, audience: list[str] | None, entry: dict) -> Envelope:
    """Emit the event and add it to the case timeline, in the same transaction."""
    uow.emit(event)
    uow.insert(_ADD_TO_TIMELINE, {
        "case_id": case_id, "event_id": event.id, "event_type": event.type, "at": event.time,
        "audience": None if audience is None else sorted(set(audience)), "entry": entry})
    return event


# ---------------------------------------------------------------- consultations
def _project(uow, consultation: dict) -> None:
    """The local projection of a consultation, unless it is there already: written by its event,
    or earlier by a referral made before the event arrived."""
    uow.session.execute(insert_new(consultations, uow.dialect), {
        "id": consultation["id"], "desk_id": consultation["desk_id"], "ward": consultation["ward"],
        "concerns": list(consultation["concerns"]), "urgency": consultation["urgency"],
        "recorded_at": consultation["recorded_at"], "outreach_desk_id": consultation.get("outreach_desk_id")})


def on_consultation_recorded(event, uow) -> None:
    data = event.data
    _project(uow, dict(data, id=data["consultation_id"]))
    uow.session.execute(timeline.insert().values(
        case_id=data["consultation_id"], event_id=event.id, event_type=event.type, at=event.time,
        audience=None, entry={"desk_id": data["desk_id"], "channel": data["channel"],
                              "concerns": list(data["concerns"]), "urgency": data["urgency"]}))


def on_person_link_changed(event, uow) -> None:
    """Links between possible same-person records appear on both cases, for their desks only."""
    data = event.data
    for case_id, desk_id in ((data["consultation_id_a"], data["desk_id_a"]),
                             (data["consultation_id_b"], data["desk_id_b"])):
        uow.session.execute(timeline.insert().values(
            case_id=case_id, event_id=f"{event.id}:{case_id}", event_type=event.type, at=event.time,
            audience=[desk_id], entry={"link_id": data["link_id"], "actor": data["actor"],
                                       "reason": data["reason"]}))


def _projected(session, consultation_id: str, desk_id: str | None = None, lock: str | None = None) -> dict | None:
    """The local projection, or None if its event has not arrived yet. Given a desk, only a desk
    already on the case gets it (to any other the consultation does not exist). Given a
    ``lock``, a found row also serializes the transaction on it, as ``uow.serialize_on`` does."""
    if lock is not None and session.dialect.name == "postgresql":
        row = session.execute(_CONSULTATION_LOCKING, {"id": consultation_id, "key": advisory_key(lock)}).first()
    else:
        row = session.execute(_CONSULTATION, {"id": consultation_id}).first()
    if row is None:
        return None
    on_case = desk_id in (row.desk_id, row.outreach_desk_id)  # the common case: one read
    if desk_id and not on_case and desk_id not in entitled_desks(session, consultation_id):
        raise NotFound(f"no consultation {consultation_id!r}")
    return {name: value for name, value in row._mapping.items() if name != "locked"}


def _summary(consultation_id: str, ports: Ports, desk_id: str | None) -> dict:
    """Intake's summary of a consultation whose event has not reached this service yet."""
    consultation = ports.consultation(consultation_id)
    if consultation is None or desk_id and desk_id not in (consultation["desk_id"],
                                                            consultation.get("outreach_desk_id")):
        raise NotFound(f"no consultation {consultation_id!r}")
    return dict(consultation, recorded_at=datetime.fromisoformat(consultation["recorded_at"]))


def _consultation(db, consultation_id: str, ports: Ports, desk_id: str | None = None) -> dict:
    with db.unit_of_work() as uow:
        consultation = _projected(uow.session, consultation_id, desk_id)
    return consultation or _summary(consultation_id, ports, desk_id)


# ---------------------------------------------------------------- referrals
def refer(payload, db, ports: Ports, ctx: Context) -> list[dict]:
    """Refer one consultation to one or several desks; each referral is its own hand-off.
    The desks are checked first (the directory, cached); then one transaction reads the case
    and writes the referrals, unless the consultation's event has not arrived yet."""
    command = load(ReferSchema(), payload)
    _check_targets(command, ports)
    lock = f"referrals-of:{command['consultation_id']}"
    with db.unit_of_work() as uow:
        consultation = _projected(uow.session, command["consultation_id"], command["from_desk_id"], lock=lock)
        if consultation is not None:
            return _refer_in(uow, command, consultation, ctx)
    consultation = _summary(command["consultation_id"], ports, command["from_desk_id"])
    with db.unit_of_work() as uow:
        uow.serialize_on(lock)
        _project(uow, consultation)  # what follows the referral (a view, a transition) finds the case
        return _refer_in(uow, command, consultation, ctx)


def _check_targets(command: dict, ports: Ports) -> None:
    targets = [r["to_desk_id"] for r in command["referrals"]]
    errors = {}
    for i, target in enumerate(targets):
        if target == command["from_desk_id"]:
            errors[str(i)] = {"to_desk_id": ["a desk cannot refer to itself"]}
        elif targets.index(target) != i:
            errors[str(i)] = {"to_desk_id": ["the same desk is named twice"]}
        else:
            try:
                desk = ports.desk(target)
            except NotFound:
                errors[str(i)] = {"to_desk_id": [f"no desk {target!r} in the directory"]}
                continue
            if not desk.get("accepts_referrals", True):
                errors[str(i)] = {"to_desk_id": [f"{target} does not take referrals"]}
    if errors:
        raise InvalidInput({"referrals": errors})
    ports.desk(command["from_desk_id"])  # the referring desk must exist too


def _refer_in(uow, command: dict, consultation: dict, ctx: Context) -> list[dict]:
    """In a transaction serialized on the case: a retried request running beside the original
    cannot pass the "no open referral to that desk" check twice."""
    open_to = set(uow.session.scalars(_OPEN_TO, {"consultation_id": command["consultation_id"]}))
    clash = sorted(open_to & {r["to_desk_id"] for r in command["referrals"]})
    if clash:
        raise Conflict(f"already referred and still open: {', '.join(clash)}")
    created = [_create_referral(uow, consultation, command["from_desk_id"], r["to_desk_id"],
                                r["reason"], r["urgency"] or consultation["urgency"],
                                command["actor"], ctx, share=r["share_categories"])
               for r in command["referrals"]]
    uow.commit()
    return created


def _create_referral(uow, consultation: dict, from_desk: str, to_desk: str, reason: str,
                     urgency: str, actor: str, ctx: Context, meeting_id: str | None = None,
                     cause: Envelope | None = None, share: list[str] = ()) -> dict:
    referral_id = _new_id("r")
    deadlines = escalation.deadlines_for(ctx.now, ctx.policy[urgency], ctx.zone)
    uow.insert(_ADD_REFERRAL, dict(
        id=referral_id, consultation_id=consultation["id"], from_desk_id=from_desk, to_desk_id=to_desk,
        reason=reason, urgency=urgency, status=lifecycle.REQUESTED, meeting_id=meeting_id,
        created_at=ctx.now, updated_at=ctx.now, pickup_deadline=as_utc(deadlines.pickup),
        escalation_deadline=as_utc(deadlines.second), escalation_level=0, share_categories=list(share)))
    data = {"referral_id": referral_id, "consultation_id": consultation["id"], "from_desk_id": from_desk,
            "to_desk_id": to_desk, "reason": reason, "urgency": urgency,
            "pickup_deadline": _iso(deadlines.pickup), "escalation_deadline": _iso(deadlines.second),
            "shared": {"concerns": list(consultation["concerns"]), "ward": consultation["ward"],
                       "urgency": consultation["urgency"]},
            "meeting_id": meeting_id, "share_categories": list(share), "actor": actor, "at": _iso(ctx.now)}
    event = (cause.caused("referral.requested", 1, SOURCE, data, subject=consultation["id"]) if cause else
             Envelope(type="referral.requested", version=1, source=SOURCE, subject=consultation["id"], data=data))
    _record(uow, consultation["id"], event, [consultation["desk_id"], from_desk, to_desk],
            {k: data[k] for k in ("referral_id", "from_desk_id", "to_desk_id", "reason", "urgency",
                                  "pickup_deadline", "meeting_id")})
    return {"referral_id": referral_id, "to_desk_id": to_desk, "status": lifecycle.REQUESTED,
            "pickup_deadline": data["pickup_deadline"]}


def _referral(session, referral_id: str):
    row = session.execute(sa.select(referrals).where(referrals.c.id == referral_id)).first()
    if row is None:
        raise NotFound(f"no referral {referral_id!r}")
    return row


def transition(payload, db, ports: Ports, ctx: Context) -> dict:
    """Move a referral along its lifecycle; a rejection brings back alternatives."""
    command = load(TransitionSchema(), payload)
    with db.unit_of_work() as uow:
        before = _visible_referral(uow.session, command["referral_id"], command["desk_id"])
        consultation = dict(uow.session.execute(sa.select(consultations).where(
            consultations.c.id == before.consultation_id)).one()._mapping)
    action = _decide(command, before)
    alternatives = []
    if action.name == "reject":
        with db.unit_of_work() as uow:
            already = set(uow.session.scalars(sa.select(referrals.c.to_desk_id).where(
                referrals.c.consultation_id == before.consultation_id)))
        alternatives = ports.alternatives(list(consultation["concerns"]), consultation["ward"],
                                          sorted(already | {before.from_desk_id, consultation["desk_id"]}))
    with db.unit_of_work() as uow:
        current = _referral(uow.session, command["referral_id"])
        action = _decide(command, current)  # decided again on the state inside the transaction
        changed = uow.session.execute(referrals.update().where(
            referrals.c.id == current.id, referrals.c.status == current.status).values(
            status=action.target, updated_at=ctx.now,
            outcome=command["outcome"] if action.name == "complete" else current.outcome))
        if changed.rowcount != 1:
            raise Conflict("the referral changed meanwhile; try again")
        data = _record_transition(uow, current, action, consultation["desk_id"], command["desk_id"],
                                  command["actor"], ctx, reason=command["reason"], outcome=command["outcome"],
                                  note=command["note"], alternatives=[{"desk_id": a["desk_id"],
                                                                       "reasons": a["reasons"]} for a in alternatives])
        uow.commit()
    return {"referral_id": current.id, "status": action.target, "alternatives": data["alternatives"]}


def on_notification_acknowledged(event, uow, ctx: Context) -> None:
    """requested → received when the receiving desk acknowledges the notice; later states stay."""
    data = event.data
    if data["kind"] != "new_referral" or not data.get("referral_id"):
        return
    row = uow.session.execute(sa.select(referrals).where(referrals.c.id == data["referral_id"])).first()
    if row is None or row.status != lifecycle.REQUESTED or row.to_desk_id != data["desk_id"]:
        return
    action = lifecycle.ACTIONS["receive"]
    uow.session.execute(referrals.update().where(referrals.c.id == row.id, referrals.c.status == row.status)
                        .values(status=action.target, updated_at=ctx.now))
    consulting = uow.session.scalar(sa.select(consultations.c.desk_id).where(consultations.c.id == row.consultation_id))
    _record_transition(uow, row, action, consulting, data["desk_id"], data["actor"], ctx, cause=event)


def _record_transition(uow, row, action: lifecycle.Action, consulting_desk: str, acting_desk: str, actor: str,
                       ctx: Context, cause: Envelope | None = None, reason=None, outcome=None, note=None,
                       alternatives=()) -> dict:
    """The transition's event and timeline entry, for the referring, receiving and consulting desks."""
    data = {"referral_id": row.id, "consultation_id": row.consultation_id, "from_desk_id": row.from_desk_id,
            "to_desk_id": row.to_desk_id, "status": action.target, "previous_status": row.status,
            "acting_desk_id": acting_desk, "actor": actor, "at": _iso(ctx.now), "reason": reason,
            "outcome": outcome, "note": note, "alternatives": list(alternatives)}
    event = (cause.caused(action.event_type, 1, SOURCE, data, subject=row.consultation_id) if cause else
             Envelope(type=action.event_type, version=1, source=SOURCE, subject=row.consultation_id, data=data))
    _record(uow, row.consultation_id, event, [consulting_desk, row.from_desk_id, row.to_desk_id],
            {k: v for k, v in data.items() if k != "consultation_id" and v not in (None, [])})
    return data


def _decide(command: dict, row) -> lifecycle.Action:
    try:
        return lifecycle.decide(command["action"], row.status, command["desk_id"], row.from_desk_id,
                                row.to_desk_id, command)
    except lifecycle.IllegalTransition as exc:
        raise Conflict(str(exc)) from exc
    except lifecycle.WrongDesk as exc:
        raise NotPermitted(str(exc)) from exc
    except lifecycle.MissingDetail as exc:
        raise InvalidInput({exc.field: [str(exc)]}) from exc


def _visible_referral(session, referral_id: str, desk_id: str):
    """The referral, if this desk is one of its two ends or the consulting desk."""
    row = session.execute(sa.select(referrals, consultations.c.desk_id.label("consulting_desk_id"))
                          .join(consultations, consultations.c.id == referrals.c.consultation_id)
                          .where(referrals.c.id == referral_id)).first()
    if row is None or desk_id not in (row.from_desk_id, row.to_desk_id, row.consulting_desk_id):
        raise NotFound(f"no referral {referral_id!r}")
    return row


def referral_view(session, referral_id: str, desk_id: str) -> dict:
    row = _visible_referral(session, referral_id, desk_id)
    return _referral_dict(row)


def _referral_dict(row) -> dict:
    keys = ("id", "consultation_id", "from_desk_id", "to_desk_id", "reason", "urgency", "status",
            "meeting_id", "escalation_level", "outcome", "share_categories")
    view = {k: getattr(row, k) for k in keys}
    for k in ("created_at", "updated_at", "pickup_deadline", "escalation_deadline"):
        view[k] = _iso(getattr(row, k))
    return view


def referrals_for_desk(session, desk_id: str, role: str = "receiving", status: str | None = None) -> list[dict]:
    column = referrals.c.to_desk_id if role == "receiving" else referrals.c.from_desk_id
    query = sa.select(referrals).where(column == desk_id).order_by(referrals.c.created_at)
    if status:
        query = query.where(referrals.c.status == status)
    return [_referral_dict(r) for r in session.execute(query)]


# ---------------------------------------------------------------- deadlines
def escalate_overdue(db, ctx: Context, limit: int = 200) -> int:
    """Raise each escalation that is due, once: the level is stored with the event it causes."""
    with db.unit_of_work() as uow:
        due = uow.session.execute(sa.select(referrals).where(
            referrals.c.status.in_(lifecycle.AWAITING_PICKUP),
            sa.or_(sa.and_(referrals.c.escalation_level == 0, referrals.c.pickup_deadline <= ctx.now),
                   sa.and_(referrals.c.escalation_level == 1, referrals.c.escalation_deadline <= ctx.now)))
            .order_by(referrals.c.pickup_deadline).limit(limit)).all()
        raised = 0
        for row in due:
            deadlines = escalation.Deadlines(as_utc(row.pickup_deadline), as_utc(row.escalation_deadline))
            level = escalation.due_level(row.status, row.escalation_level, deadlines, ctx.now)
            if level is None:
                continue
            claimed = uow.session.execute(referrals.update().where(
                referrals.c.id == row.id, referrals.c.escalation_level == level - 1).values(escalation_level=level))
            if claimed.rowcount != 1:  # another instance raised it
                continue
            consulting_desk = uow.session.scalar(sa.select(consultations.c.desk_id)
                                                 .where(consultations.c.id == row.consultation_id))
            data = {"referral_id": row.id, "consultation_id": row.consultation_id, "level": level,
                    "audience": escalation.AUDIENCES[level],
                    "notify_desk_id": row.to_desk_id if level == 1 else row.from_desk_id,
                    "from_desk_id": row.from_desk_id, "to_desk_id": row.to_desk_id, "urgency": row.urgency,
                    "deadline": _iso(deadlines.pickup if level == 1 else deadlines.second), "at": _iso(ctx.now)}
            _record(uow, row.consultation_id,
                    Envelope(type="referral.escalated", version=1, source=SOURCE, subject=row.consultation_id,
                             data=data),
                    [consulting_desk, row.from_desk_id, row.to_desk_id],
                    {k: data[k] for k in ("referral_id", "level", "audience", "notify_desk_id", "deadline")})
            raised += 1
        uow.commit()
    return raised


# ---------------------------------------------------------------- support meetings
def convene(payload, db, ports: Ports, ctx: Context) -> dict:
    command = load(ConveneSchema(), payload)
    consultation = _consultation(db, command["consultation_id"], ports, command["convened_by_desk_id"])
    try:
        members = meetings.members_of(command["convened_by_desk_id"], command["member_desk_ids"])
    except meetings.MeetingRefused as exc:
        raise InvalidInput({"member_desk_ids": [str(exc)]}) from exc
    unknown = []
    for desk_id in members:
        try:
            ports.desk(desk_id)
        except NotFound:
            unknown.append(desk_id)
    if unknown:
        raise InvalidInput({"member_desk_ids": [f"not in the directory: {', '.join(unknown)}"]})
    kind = meetings.KINDS[command["kind"]]
    meeting_id = _new_id("m")
    with db.unit_of_work() as uow:
        uow.session.execute(meetings_table.insert().values(
            id=meeting_id, consultation_id=consultation["id"], kind=command["kind"],
            legal_basis=kind["legal_basis"], member_desk_ids=members, agenda=command["agenda"],
            convened_by_desk_id=command["convened_by_desk_id"], convened_at=ctx.now))
        data = {"meeting_id": meeting_id, "consultation_id": consultation["id"], "kind": command["kind"],
                "legal_basis": kind["legal_basis"], "member_desk_ids": members, "agenda": command["agenda"],
                "convened_by_desk_id": command["convened_by_desk_id"], "actor": command["actor"],
                "at": _iso(ctx.now)}
        _record(uow, consultation["id"],
                Envelope(type="meeting.convened", version=1, source=SOURCE, subject=consultation["id"], data=data),
                [consultation["desk_id"], *members],
                {"meeting_id": meeting_id, "kind": command["kind"], "label": kind["label"],
                 "member_desk_ids": members, "agenda": command["agenda"]})
        uow.commit()
    return {"meeting_id": meeting_id, "member_desk_ids": members, "legal_basis": kind["legal_basis"]}


def meeting_view(session, meeting_id: str, desk_id: str) -> dict:
    """A meeting and its decisions, for its members and the desk that convened it."""
    meeting = session.execute(sa.select(meetings_table).where(meetings_table.c.id == meeting_id)).first()
    if meeting is None or desk_id not in (*meeting.member_desk_ids, meeting.convened_by_desk_id):
        raise NotFound(f"no meeting {meeting_id!r}")
    rows = session.execute(sa.select(decisions).where(decisions.c.meeting_id == meeting_id)
                           .order_by(decisions.c.decided_at))
    return {"id": meeting.id, "consultation_id": meeting.consultation_id, "kind": meeting.kind,
            "legal_basis": meeting.legal_basis, "member_desk_ids": list(meeting.member_desk_ids),
            "agenda": meeting.agenda, "convened_by_desk_id": meeting.convened_by_desk_id,
            "convened_at": _iso(meeting.convened_at),
            "decisions": [{"id": d.id, "text": d.text, "referral_id": d.referral_id, "decided_at": _iso(d.decided_at)}
                          for d in rows]}


def decide(payload, db, ports: Ports, ctx: Context) -> dict:
    """Record a meeting's decision; a decided action becomes a referral from the deciding desk."""
    command = load(DecideSchema(), payload)
    with db.unit_of_work() as uow:
        meeting = uow.session.execute(sa.select(meetings_table).where(
            meetings_table.c.id == command["meeting_id"])).first()
    if meeting is None or command["desk_id"] not in meeting.member_desk_ids:
        raise NotFound(f"no meeting {command['meeting_id']!r}")
    consultation = _consultation(db, meeting.consultation_id, ports)
    action = command["action"]
    if action:
        if action["to_desk_id"] == command["desk_id"]:
            raise InvalidInput({"action": {"to_desk_id": ["a desk cannot refer to itself"]}})
        try:
            ports.desk(action["to_desk_id"])
        except NotFound as exc:
            raise InvalidInput({"action": {"to_desk_id": [str(exc)]}}) from exc
    decision_id = _new_id("d")
    with db.unit_of_work() as uow:
        data = {"meeting_id": meeting.id, "consultation_id": meeting.consultation_id,
                "decision_id": decision_id, "text": command["text"], "referral_id": None,
                "actor": command["actor"], "at": _iso(ctx.now)}
        decided = Envelope(type="meeting.decided", version=1, source=SOURCE,
                           subject=meeting.consultation_id, data=data)
        referral = None
        if action:
            referral = _create_referral(uow, consultation, command["desk_id"], action["to_desk_id"],
                                        action["reason"], action["urgency"] or consultation["urgency"],
                                        command["actor"], ctx, meeting_id=meeting.id, cause=decided)
            data["referral_id"] = referral["referral_id"]
        uow.session.execute(decisions.insert().values(
            id=decision_id, meeting_id=meeting.id, text=command["text"],
            referral_id=data["referral_id"], decided_at=ctx.now))
        _record(uow, meeting.consultation_id, decided, [consultation["desk_id"], *meeting.member_desk_ids],
                {"meeting_id": meeting.id, "decision_id": decision_id, "text": command["text"],
                 "referral_id": data["referral_id"]})
        uow.commit()
    return {"decision_id": decision_id, "referral": referral}


# ---------------------------------------------------------------- timeline
def entitled_desks(session, case_id: str) -> set[str]:
    desks = set()
    for row in session.execute(sa.select(consultations.c.desk_id, consultations.c.outreach_desk_id)
                               .where(consultations.c.id == case_id)):
        desks.update(d for d in row if d)
    for row in session.execute(sa.select(referrals.c.from_desk_id, referrals.c.to_desk_id)
                               .where(referrals.c.consultation_id == case_id)):
        desks.update(row)
    for members in session.scalars(sa.select(meetings_table.c.member_desk_ids)
                                   .where(meetings_table.c.consultation_id == case_id)):
        desks.update(members)
    return desks


def case_timeline(session, case_id: str, desk_id: str) -> list[dict]:
    """Every entry of the case this desk may see, in order; NotFound if it may see none."""
    if desk_id not in entitled_desks(session, case_id):
        raise NotFound(f"no case {case_id!r}")
    rows = session.execute(sa.select(timeline).where(timeline.c.case_id == case_id)
                           .order_by(timeline.c.at, timeline.c.position))
    return [{"event_id": r.event_id, "type": r.event_type, "at": _iso(r.at), **r.entry}
            for r in rows if r.audience is None or desk_id in r.audience]


# ---------------------------------------------------------------- what a desk may read
def information_request(session, referral_id: str, desk_id: str) -> dict:
    """The disclosure the receiving desk asks for when it reads a referral's attached information."""
    row = _referral(session, referral_id)
    if desk_id != row.to_desk_id:
        raise NotFound(f"no referral {referral_id!r}")
    if not row.share_categories:
        raise Conflict("this referral asks for no personal information")
    return {"consultation_id": row.consultation_id, "subject_id": row.id, "recipient_desk_id": desk_id,
            "purpose": "referral", "categories": list(row.share_categories), "basis": "consent"}


def brief_request(session, meeting_id: str, desk_id: str, categories: list[str]) -> dict:
    """The disclosure a member asks for to prepare a support meeting (no consent needed for a 支援会議)."""
    meeting = session.execute(sa.select(meetings_table).where(meetings_table.c.id == meeting_id)).first()
    if meeting is None or desk_id not in meeting.member_desk_ids:
        raise NotFound(f"no meeting {meeting_id!r}")
    basis = "support_meeting" if meeting.kind == "support_meeting" else "consent"
    return {"consultation_id": meeting.consultation_id, "subject_id": meeting.id, "recipient_desk_id": desk_id,
            "purpose": "support_meeting" if basis == "support_meeting" else "support_coordination",
            "categories": categories, "basis": basis, "meeting_id": meeting.id}
