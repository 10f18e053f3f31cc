"""Pick-up deadlines in business time, and escalation, with a clock the tests control."""
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, strategies as st

from services.referrals import escalation, lifecycle
from shared.deadlines import Window, add_business_days, deadline_after, is_business_day, parse_policy

pytestmark = pytest.mark.unit
TOKYO = ZoneInfo("Asia/Tokyo")
POLICY = parse_policy("risk_to_life=1h,urgent=1bd,normal=3bd")


def jst(*args):
    return datetime(*args, tzinfo=TOKYO)


def test_weekends_public_holidays_and_the_year_end_closure_are_not_business_days():
    assert not is_business_day(date(2026, 11, 28))  # Saturday
    assert not is_business_day(date(2026, 11, 23))  # Labour Thanksgiving Day
    assert not is_business_day(date(2026, 12, 29)) and not is_business_day(date(2027, 1, 3))
    assert not is_business_day(date(2027, 1, 11))  # Coming of Age Day (2nd Monday of January)
    assert is_business_day(date(2026, 11, 27)) and is_business_day(date(2027, 1, 4))


def test_an_urgent_referral_on_friday_afternoon_is_due_monday_afternoon():
    assert deadline_after(jst(2026, 11, 27, 15, 0), POLICY["urgent"], TOKYO) == jst(2026, 11, 30, 15, 0)


def test_a_normal_referral_before_the_year_end_waits_out_the_closure():
    # Fri 25 Dec → Mon 28 (1), closed 29 Dec–3 Jan, Mon 4 Jan (2), Tue 5 Jan (3).
    assert deadline_after(jst(2026, 12, 25, 10, 30), POLICY["normal"], TOKYO) == jst(2027, 1, 5, 10, 30)


def test_a_risk_to_life_referral_is_due_in_one_clock_hour_even_on_a_holiday():
    start = jst(2027, 1, 1, 23, 30)
    assert deadline_after(start, POLICY["risk_to_life"], TOKYO) == start + timedelta(hours=1)


def test_business_days_are_counted_in_tokyo_even_for_a_utc_clock():
    # 2026-11-27 16:00 UTC is Saturday 01:00 in Tokyo: the next business day is Monday 30th.
    start = datetime(2026, 11, 27, 16, 0, tzinfo=timezone.utc)
    due = add_business_days(start, 1, TOKYO)
    assert due.astimezone(TOKYO) == jst(2026, 11, 30, 1, 0)


@given(st.datetimes(min_value=datetime(2025, 1, 1), max_value=datetime(2030, 12, 31)),
       st.integers(min_value=1, max_value=10))
def test_a_business_day_deadline_lands_on_a_business_day_after_the_start(naive, days):
    start = naive.replace(tzinfo=TOKYO)
    due = add_business_days(start, days, TOKYO)
    assert due > start
    assert is_business_day(due.astimezone(TOKYO).date())
    between = [start.date() + timedelta(days=i) for i in range(1, (due.date() - start.date()).days + 1)]
    assert sum(is_business_day(d) for d in between) == days


@pytest.mark.parametrize("text", ["urgent=1bd", "risk_to_life=1x,urgent=1bd,normal=3bd",
                                  "panic=1h,risk_to_life=1h,urgent=1bd,normal=3bd"])
def test_a_policy_must_name_every_urgency_in_a_known_unit(text):
    with pytest.raises(ValueError):
        parse_policy(text)


def test_escalation_goes_to_the_supervisor_at_the_deadline_then_to_the_referring_desk():
    created = jst(2026, 11, 27, 15, 0)
    deadlines = escalation.deadlines_for(created, POLICY["urgent"], TOKYO)
    assert deadlines.pickup == jst(2026, 11, 30, 15, 0)
    assert deadlines.second == jst(2026, 12, 1, 15, 0)
    before = deadlines.pickup - timedelta(seconds=1)
    assert escalation.due_level(lifecycle.REQUESTED, 0, deadlines, before) is None
    assert escalation.due_level(lifecycle.RECEIVED, 0, deadlines, deadlines.pickup) == 1
    assert escalation.due_level(lifecycle.RECEIVED, 1, deadlines, deadlines.pickup) is None  # not twice
    assert escalation.due_level(lifecycle.RECEIVED, 1, deadlines, deadlines.second) == 2
    assert escalation.due_level(lifecycle.RECEIVED, 2, deadlines, deadlines.second + timedelta(days=9)) is None
    assert escalation.AUDIENCES == {1: "receiving_supervisor", 2: "referring_desk"}


@pytest.mark.parametrize("status", [s for s in lifecycle.STATUSES if s not in lifecycle.AWAITING_PICKUP])
def test_a_referral_that_was_picked_up_or_closed_never_escalates(status):
    deadlines = escalation.Deadlines(jst(2026, 1, 5, 9, 0), jst(2026, 1, 6, 9, 0))
    assert escalation.due_level(status, 0, deadlines, jst(2027, 1, 1, 0, 0)) is None


def test_seconds_windows_serve_short_test_and_drill_policies():
    assert parse_policy("risk_to_life=2s,urgent=5m,normal=1h")["risk_to_life"] == Window(seconds=2)
