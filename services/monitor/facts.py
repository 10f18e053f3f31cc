"""What the monitor keeps of each event beyond its envelope: codes, desks and times, never a
person's details or free text. Pure: an event in, the changes to the fact tables out."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

CLOSED = {"completed": "completed", "rejected": "rejected", "failed": "failed", "cancelled": "cancelled",
          "entered-in-error": "voided"}
PICKED_UP = {"received", "accepted", "rejected"}  # the receiving desk has looked at it


@dataclass(frozen=True)
class Change:
    table: str                # "consultation" or "referral"
    key: str
    values: dict = field(default_factory=dict)
    insert: bool = False      # a new row (else: update the row if it exists)
    first_only: tuple[str, ...] = ()  # set these columns only while they are still empty


def _moment(value) -> datetime | None:
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def changes_for(event_type: str, data: dict, at: datetime) -> list[Change]:
    if event_type == "consultation.recorded":
        return [Change("consultation", data["consultation_id"], insert=True, values={
            "desk_id": data["desk_id"], "ward": data["ward"], "channel": data["channel"],
            "concerns": list(data["concerns"]), "urgency": data["urgency"],
            "recorded_at": _moment(data.get("recorded_at")) or at})]
    if event_type == "referral.requested":
        return [Change("referral", data["referral_id"], insert=True, values={
            "consultation_id": data["consultation_id"], "from_desk_id": data["from_desk_id"],
            "to_desk_id": data["to_desk_id"], "urgency": data["urgency"], "status": "requested",
            "requested_at": _moment(data["at"]), "pickup_deadline": _moment(data["pickup_deadline"]),
            "escalation_level": 0, "updated_at": _moment(data["at"])})]
    if event_type == "referral.escalated":
        return [Change("referral", data["referral_id"], values={"escalation_level": data["level"]})]
    if event_type.startswith("referral.") and "status" in data:
        moment = _moment(data["at"])
        values = {"status": data["status"], "updated_at": moment}
        change = Change("referral", data["referral_id"], values=values)
        if data["status"] in PICKED_UP:
            values["picked_up_at"] = moment
            change = Change("referral", data["referral_id"], values=values, first_only=("picked_up_at",))
        if data["status"] in CLOSED:
            values["closed_at"] = moment
        return [change]
    return []


def pickup_bucket(requested_at: datetime, deadline: datetime, picked_up_at: datetime | None,
                  now: datetime, closed: bool = False) -> str:
    """Where a referral's pick-up fell against its window: within half of it, within it, late,
    still waiting (in time or overdue), or closed (cancelled, voided) before anyone picked it up."""
    window = (deadline - requested_at).total_seconds() or 1.0
    if picked_up_at is None:
        if closed:
            return "closed before pick-up"
        return "waiting, overdue" if now > deadline else "waiting"
    used = (picked_up_at - requested_at).total_seconds() / window
    if used <= 0.5:
        return "within half the window"
    return "within the window" if used <= 1.0 else "after the deadline"


PICKUP_BUCKETS = ("within half the window", "within the window", "after the deadline", "waiting",
                  "waiting, overdue", "closed before pick-up")


def rate(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
