"""Pick-up deadlines in business time: weekends, Japanese public holidays and the city's
year-end closure (12/29–1/3) do not count. Pure functions of a clock passed in, so tests can
set the time, including across holidays.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from .vocabulary import URGENCIES

_DURATION = re.compile(r"^(\d+(?:\.\d+)?)(s|m|h|bd)$")


@dataclass(frozen=True)
class Window:
    """A pick-up window: clock time (seconds) or a number of business days."""
    seconds: float = 0.0
    business_days: int = 0


def parse_policy(text: str) -> dict[str, Window]:
    """'risk_to_life=1h,urgent=1bd,normal=3bd' → {urgency: Window}; every urgency must be set."""
    policy = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        urgency, _, duration = part.partition("=")
        match = _DURATION.match(duration.strip())
        if urgency.strip() not in URGENCIES or not match:
            raise ValueError(f"cannot read {part!r}")
        amount, unit = float(match.group(1)), match.group(2)
        policy[urgency.strip()] = (Window(business_days=int(amount)) if unit == "bd" else
                                   Window(seconds=amount * {"s": 1, "m": 60, "h": 3600}[unit]))
    missing = set(URGENCIES) - set(policy)
    if missing:
        raise ValueError(f"no window for {', '.join(sorted(missing))}")
    return policy


@lru_cache(maxsize=8)
def _japanese_holidays(year: int):
    return holidays.Japan(years=[year])


def is_business_day(day: date) -> bool:
    if day.weekday() >= 5 or day in _japanese_holidays(day.year):
        return False
    return not ((day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3))


def add_business_days(moment: datetime, days: int, zone: ZoneInfo) -> datetime:
    """The same local time on the ``days``-th business day after the moment's date."""
    local = moment.astimezone(zone)
    day = local.date()
    counted = 0
    while counted < days:
        day += timedelta(days=1)
        if is_business_day(day):
            counted += 1
    return datetime.combine(day, local.timetz()).astimezone(moment.tzinfo)


def deadline_after(start: datetime, window: Window, zone: ZoneInfo) -> datetime:
    if window.business_days:
        return add_business_days(start, window.business_days, zone)
    return start + timedelta(seconds=window.seconds)
