"""A small service used only by the backbone tests: it writes each event it applies to a
ledger, can be told (through the event's data) to fail or dawdle, and emits follow-up events."""
import random
import time
from collections import Counter
from pathlib import Path

import sqlalchemy as sa
from marshmallow import Schema, fields
from nameko.rpc import rpc

from shared.events import Envelope, EventRegistry
from shared.runtime import Database, subscribe

REGISTRY = EventRegistry()


class CaseNotedV1(Schema):
    case_id = fields.String(required=True)
    seq = fields.Integer(required=True)
    fail_times = fields.Integer(load_default=0)
    always_fail = fields.Boolean(load_default=False)
    dawdle_ms = fields.Integer(load_default=0)


class CaseNotedV2(CaseNotedV1):
    note_language = fields.String(required=True)


REGISTRY.register("case.noted", 1, CaseNotedV1, "a test note on a case")
REGISTRY.register("case.noted", 2, CaseNotedV2, "a test note with its language",
                  upcast_from_previous=lambda d: {**d, "note_language": "ja"})
REGISTRY.register("case.acknowledged", 1, CaseNotedV1, "the ledger applied a note")

metadata = sa.MetaData()
ledger = sa.Table(
    "ledger", metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("case_id", sa.String(64), nullable=False),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("note_language", sa.String(8), nullable=False),
)

failures = Counter()  # event id -> handler failures so far (in this process)


class LedgerService:
    name = "ledger"
    event_registry = REGISTRY
    db = Database(Path(__file__).parent / "migrations")

    @subscribe("case.noted")
    def on_case_noted(self, event, uow):
        data = event.data
        if data["always_fail"] or failures[event.id] < data["fail_times"]:
            failures[event.id] += 1
            raise RuntimeError(f"ledger refused {event.id} (failure {failures[event.id]})")
        if data["dawdle_ms"]:
            time.sleep(random.uniform(0, data["dawdle_ms"]) / 1000)
        uow.session.execute(ledger.insert().values(
            event_id=event.id, case_id=data["case_id"], seq=data["seq"],
            note_language=data["note_language"]))

    @rpc
    def note(self, case_id: str, seq: int) -> str:
        """Write a note through the outbox (what every service's command does)."""
        with self.db.unit_of_work() as uow:
            event = uow.emit(Envelope(type="case.noted", version=2, source="/tsunagu/ledger",
                                      subject=case_id, data={"case_id": case_id, "seq": seq,
                                                             "note_language": "en"}))
            uow.commit()
        return event.id
