"""Directory use cases."""
from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa

from shared.errors import NotFound, load
from shared.events import Envelope

from . import domain
from .schemas import SearchSchema, SuggestSchema, UpdateCapacitySchema
from .tables import desks

SOURCE = "/tsunagu/directory"


def desk_row(desk: domain.Desk) -> dict:
    return {"id": desk.id, "name": desk.name, "name_en": desk.name_en,
            "organization": desk.organization, "kind": desk.kind, "ward": desk.ward,
            "concerns": list(desk.concerns), "channels": list(desk.channels),
            "capacity": desk.capacity, "capacity_confirmed_on": desk.capacity_confirmed_on,
            "hours": desk.hours, "phone": desk.phone, "formal": desk.formal,
            "accepts_referrals": desk.accepts_referrals}


def _desk(row) -> domain.Desk:
    values = dict(row._mapping)
    values["concerns"], values["channels"] = tuple(values["concerns"]), tuple(values["channels"])
    return domain.Desk(**values)


def all_desks(session) -> list[domain.Desk]:
    return [_desk(r) for r in session.execute(sa.select(desks).order_by(desks.c.id))]


def as_dict(desk: domain.Desk, today: date, stale_after_days: int) -> dict:
    row = desk_row(desk)
    row["capacity_confirmed_on"] = desk.capacity_confirmed_on.isoformat()
    row["kind_label"] = domain.KINDS[desk.kind][0]
    row["capacity_stale"] = desk.is_stale(today, stale_after_days)
    return row


def search(session, query: dict, today: date, stale_after_days: int) -> list[dict]:
    q = load(SearchSchema(), query)
    return [as_dict(d, today, stale_after_days) for d in all_desks(session)
            if domain.matches(d, q["concern"], q["ward"], q["capacity"])]


def suggest(session, query: dict, today: date, stale_after_days: int) -> list[dict]:
    q = load(SuggestSchema(), query)
    ranked = domain.suggest(all_desks(session), q["concerns"], q["ward"], today, stale_after_days,
                            exclude=set(q["exclude"]), limit=q["limit"])
    return [{"desk_id": s.desk.id, "name": s.desk.name, "name_en": s.desk.name_en,
             "score": s.score, "reasons": list(s.reasons)} for s in ranked]


def get_desk(session, desk_id: str, today: date, stale_after_days: int) -> dict:
    row = session.execute(sa.select(desks).where(desks.c.id == desk_id)).first()
    if row is None:
        raise NotFound(f"no desk {desk_id!r}")
    return as_dict(_desk(row), today, stale_after_days)


def update_capacity(payload: dict, uow, today: date) -> None:
    command = load(UpdateCapacitySchema(), payload)
    updated = uow.session.execute(desks.update().where(desks.c.id == command["desk_id"])
                                  .values(capacity=command["capacity"], capacity_confirmed_on=today))
    if updated.rowcount == 0:
        raise NotFound(f"no desk {command['desk_id']!r}")
    uow.emit(Envelope(type="desk.capacity.updated", version=1, source=SOURCE,
                      subject=command["desk_id"], data={
                          "desk_id": command["desk_id"], "capacity": command["capacity"],
                          "confirmed_on": today.isoformat(), "actor": command["actor"],
                          "at": datetime.now(timezone.utc).isoformat()}))
    uow.commit()
