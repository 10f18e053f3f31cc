"""A referral's lifecycle, after the FHIR SDOH referral Task. No I/O.

requested → received → accepted | rejected (reason) → in-progress ⇄ on-hold →
completed (outcome) | failed (reason) | cancelled; entered-in-error from anywhere (note);
a completed referral can be reopened (reason). The receiving desk moves the work; the
referring desk may cancel; either may mark an entry made in error.
"""
from __future__ import annotations

from dataclasses import dataclass

REQUESTED, RECEIVED, ACCEPTED, REJECTED = "requested", "received", "accepted", "rejected"
IN_PROGRESS, ON_HOLD, COMPLETED, FAILED = "in-progress", "on-hold", "completed", "failed"
CANCELLED, ENTERED_IN_ERROR = "cancelled", "entered-in-error"
STATUSES = (REQUESTED, RECEIVED, ACCEPTED, REJECTED, IN_PROGRESS, ON_HOLD, COMPLETED, FAILED,
            CANCELLED, ENTERED_IN_ERROR)
AWAITING_PICKUP = (REQUESTED, RECEIVED)

RECEIVING, REFERRING, EITHER = "receiving", "referring", "either"


@dataclass(frozen=True)
class Action:
    name: str
    event_type: str
    sources: tuple[str, ...]
    target: str
    by: str
    requires: str | None = None  # "reason", "outcome" or "note"


ACTIONS = {a.name: a for a in [
    Action("receive", "referral.received", (REQUESTED,), RECEIVED, RECEIVING),
    Action("accept", "referral.accepted", (REQUESTED, RECEIVED), ACCEPTED, RECEIVING),
    Action("reject", "referral.rejected", (REQUESTED, RECEIVED), REJECTED, RECEIVING, "reason"),
    Action("start", "referral.started", (ACCEPTED,), IN_PROGRESS, RECEIVING),
    Action("pause", "referral.paused", (IN_PROGRESS,), ON_HOLD, RECEIVING, "reason"),
    Action("resume", "referral.resumed", (ON_HOLD,), IN_PROGRESS, RECEIVING),
    Action("complete", "referral.completed", (IN_PROGRESS,), COMPLETED, RECEIVING, "outcome"),
    Action("fail", "referral.failed", (ACCEPTED, IN_PROGRESS, ON_HOLD), FAILED, RECEIVING, "reason"),
    Action("cancel", "referral.cancelled", (REQUESTED, RECEIVED, ACCEPTED, IN_PROGRESS, ON_HOLD),
           CANCELLED, REFERRING, "reason"),
    Action("void", "referral.voided", tuple(s for s in STATUSES if s != ENTERED_IN_ERROR),
           ENTERED_IN_ERROR, EITHER, "note"),
    Action("reopen", "referral.reopened", (COMPLETED,), IN_PROGRESS, RECEIVING, "reason"),
]}


class IllegalTransition(ValueError):
    """The action is not allowed from the referral's current status."""


class WrongDesk(PermissionError):
    """The acting desk is not the one this action belongs to."""


class MissingDetail(ValueError):
    """The action needs a reason, outcome or note that was not given."""

    def __init__(self, field: str, action: str):
        self.field = field
        super().__init__(f"{action} needs a {field}")


def decide(action_name: str, status: str, acting_desk: str, from_desk: str, to_desk: str,
           detail: dict) -> Action:
    """Check an action against the lifecycle; return it, or raise why it is refused."""
    action = ACTIONS.get(action_name)
    if action is None:
        raise IllegalTransition(f"unknown action {action_name!r}; one of {', '.join(ACTIONS)}")
    if status not in action.sources:
        raise IllegalTransition(f"cannot {action_name} a referral that is {status}")
    allowed = {RECEIVING: {to_desk}, REFERRING: {from_desk}, EITHER: {to_desk, from_desk}}[action.by]
    if acting_desk not in allowed:
        raise WrongDesk(f"only the {action.by} desk may {action_name} this referral")
    if action.requires and not (detail.get(action.requires) or "").strip():
        raise MissingDetail(action.requires, action_name)
    return action
