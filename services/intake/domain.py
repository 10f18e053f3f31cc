"""Intake's domain: what a recorded consultation is, and when two records may be one person.
No I/O, no framework."""
from __future__ import annotations

import re
import unicodedata
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone


@dataclass(frozen=True)
class Person:
    name: str
    name_kana: str | None = None
    birth_date: date | None = None
    phone: str | None = None
    address: str | None = None
    household: tuple[dict, ...] = ()
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
    reporter_kind: str | None = None
    reporter_desk_id: str | None = None
    outreach_desk_id: str | None = None
    id: str = field(default_factory=lambda: f"c-{uuid.uuid4().hex[:16]}")
    recorded_at: datetime = field(default_factory=lambda: datetime.now(timezone.utc))

    @property
    def is_concern_report(self) -> bool:
        return self.channel == "concern_report"

    @property
    def consent_status(self) -> str:
        """A concern report is about someone who has not consulted: no consent yet."""
        return "not_obtained" if self.is_concern_report else "not_recorded"

    @classmethod
    def record(cls, command: dict) -> "Consultation":
        """Never refused: every desk, channel and concern (``other`` included) is accepted.

        A concern report is assigned for outreach: to the desk named, or else to the ward's
        Life Independence & Work Consultation Center.
        """
        person_fields = dict(command["person"])
        person_fields["household"] = tuple(person_fields.get("household") or ())
        person = Person(**person_fields)
        concerns = tuple(dict.fromkeys(command["concerns"]))  # keep order, drop repeats
        reporter = command.get("reporter") or {}
        outreach = None
        if command["channel"] == "concern_report":
            outreach = command.get("outreach_desk_id") or f"{command['ward']}-life-independence-center"
        return cls(desk_id=command["desk_id"], ward=command["ward"], channel=command["channel"],
                   concerns=concerns, urgency=command["urgency"], person=person,
                   summary=command.get("summary", ""), reporter_kind=reporter.get("kind"),
                   reporter_desk_id=reporter.get("desk_id"), outreach_desk_id=outreach)

    def recorded_event_data(self) -> dict:
        """The event carries codes and the pseudonymous id only, never the person's details."""
        return {
            "consultation_id": self.id, "person_ref": self.person.ref, "desk_id": self.desk_id,
            "ward": self.ward, "channel": self.channel, "concerns": list(self.concerns),
            "urgency": self.urgency, "recorded_at": self.recorded_at.isoformat(),
            "household_size": 1 + len(self.person.household),
            "consent_status": self.consent_status, "reported_by": self.reporter_kind,
            "outreach_desk_id": self.outreach_desk_id,
        }


def normalise_kana(kana: str | None) -> str | None:
    """Compare kana without spaces and width differences (ﾐﾎﾝ and ミホン are the same)."""
    if not kana:
        return None
    return re.sub(r"[\s\u3000・]", "", unicodedata.normalize("NFKC", kana))


def normalise_phone(phone: str | None) -> str | None:
    digits = re.sub(r"\D", "", phone or "")
    return digits or None


def match_reasons(person: Person, other_kana: str | None, other_birth_date: date | None,
                  other_phone: str | None) -> list[str]:
    """Why another record may be the same person; an empty list means no match.

    Only suggested to staff, with the reason: records are linked by a person, never merged.
    """
    reasons = []
    kana = normalise_kana(person.name_kana)
    if kana and person.birth_date and kana == normalise_kana(other_kana) and person.birth_date == other_birth_date:
        reasons.append("same name (kana) and birth date")
    phone = normalise_phone(person.phone)
    if phone and phone == normalise_phone(other_phone):
        reasons.append("same phone number")
    return reasons
