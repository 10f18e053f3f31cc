"""Staff preferences: which channels, and quiet hours that only a risk to life breaks. No I/O."""
from __future__ import annotations

from datetime import time

CHANNELS = ("inbox", "email")
URGENT = ("urgent", "risk_to_life")


def in_quiet_hours(now: time, start: time | None, end: time | None) -> bool:
    if start is None or end is None or start == end:
        return False
    if start < end:
        return start <= now < end
    return now >= start or now < end  # across midnight, e.g. 22:00–07:00


def email_now(urgency: str, now: time, start: time | None, end: time | None) -> bool:
    """An urgent notice is e-mailed at once unless it is quiet hours; a risk to life always is.
    Everything else waits for the digest."""
    if urgency == "risk_to_life":
        return True
    return urgency in URGENT and not in_quiet_hours(now, start, end)
