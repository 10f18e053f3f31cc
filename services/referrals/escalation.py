"""When a referral nobody picks up must escalate, and to whom. No I/O; the clock is an argument.

First to the receiving desk's supervisor at the pick-up deadline, then to the referring desk
one more window later. The level reached is stored with the referral, so a restart neither
loses nor repeats an escalation.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from shared.deadlines import Window, deadline_after

from .lifecycle import AWAITING_PICKUP

AUDIENCES = {1: "receiving_supervisor", 2: "referring_desk"}


@dataclass(frozen=True)
class Deadlines:
    pickup: datetime
    second: datetime


def deadlines_for(created_at: datetime, window: Window, zone: ZoneInfo) -> Deadlines:
    pickup = deadline_after(created_at, window, zone)
    return Deadlines(pickup, deadline_after(pickup, window, zone))


def due_level(status: str, level_reached: int, deadlines: Deadlines, now: datetime) -> int | None:
    """The escalation level due now (one step at a time), or None."""
    if status not in AWAITING_PICKUP:
        return None
    if level_reached == 0 and now >= deadlines.pickup:
        return 1
    if level_reached == 1 and now >= deadlines.second:
        return 2
    return None
