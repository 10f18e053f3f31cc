"""The fault suite's own arithmetic (benchmarks/faults.py): what counts as recovered."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "benchmarks"))

from faults import recovery  # noqa: E402


def test_recovery_waits_for_the_backlog_confirmed_before_the_fault_ended():
    assert recovery(10.0, [9.0, 12.5], [9.0, 12.5, 13.0], flow_goes_on=True) == 2.5


def test_a_flow_that_stops_moving_after_the_fault_has_not_recovered_until_it_moves():
    assert recovery(10.0, [9.0], [9.0, 70.0], flow_goes_on=True) == 60.0
    assert recovery(10.0, [9.0], [9.0], flow_goes_on=True) == float("inf")


def test_nothing_left_to_deliver_after_the_last_hand_off_is_recovered_at_once():
    assert recovery(10.0, [9.0], [9.0], flow_goes_on=False) == 0.0


def test_a_hand_off_that_never_arrives_never_recovers():
    assert recovery(10.0, [None, 9.0], [9.0, 11.0], flow_goes_on=True) == float("inf")
