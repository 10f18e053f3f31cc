"""Intake's domain: what a recorded consultation is. No I/O, no framework."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone


@dataclass(frozen=True)
class Person:
    name: str
    name_kana: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    ref: str = field(default_factory=lambda: f"p-{uuid.uuid4().hex[:16]}")


@dataclass(frozen=True)
class Consultation:
    desk_id: str
    ward: str
    channel: str
    concerns: tuple[str, ...]
    urgency: str
    person: Person
    summary: str = ""
    id: str = field(default_factory=lambda: f"c-{uuid.uuid4().hex[:16]}")
    recorded_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @classmethod
    def record(cls, command: dict) -> "Consultation":
        """Never refused: every desk, channel and concern (``other`` included) is accepted."""
        person = Person(**command["person"])
        concerns = tuple(dict.fromkeys(command["concerns"]))  # keep order, drop repeats
        return cls(desk_id=command["desk_id"], ward=command["ward"], channel=command["channel"],
                   concerns=concerns, urgency=command["urgency"], person=person,
                   summary=command.get("summary", ""))

    def recorded_event_data(self) -> dict:
        """The event carries codes and the pseudonymous id only, never the person's details."""
        return {
            "consultation_id": self.id, "person_ref": self.person.ref, "desk_id": self.desk_id,
            "ward": self.ward, "channel": self.channel, "concerns": list(self.concerns),
            "urgency": self.urgency, "recorded_at": self.recorded_at.isoformat(),
        }
