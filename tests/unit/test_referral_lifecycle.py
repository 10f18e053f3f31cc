"""The referral state machine over every legal and illegal transition."""
import pytest
from hypothesis import given, strategies as st

from services.referrals import lifecycle
from services.referrals.lifecycle import ACTIONS, STATUSES, decide
from shared.events.catalog import REGISTRY
from shared.events.catalog.referrals import TRANSITION_EVENTS

pytestmark = pytest.mark.unit
FROM, TO, OTHER = "desk-from", "desk-to", "desk-other"
DETAIL = {"reason": "理由", "outcome": "結果", "note": "注記"}


def desk_for(action):
    return {lifecycle.RECEIVING: TO, lifecycle.REFERRING: FROM, lifecycle.EITHER: TO}[action.by]


def test_every_action_emits_a_registered_event_and_every_transition_event_has_an_action():
    assert {a.event_type for a in ACTIONS.values()} == set(TRANSITION_EVENTS)
    for action in ACTIONS.values():
        REGISTRY.latest_version(action.event_type)
        assert set(action.sources) <= set(STATUSES) and action.target in STATUSES


@pytest.mark.parametrize("status", STATUSES)
@pytest.mark.parametrize("name", list(ACTIONS))
def test_each_action_from_each_status_is_allowed_exactly_when_the_lifecycle_says(status, name):
    action = ACTIONS[name]
    if status in action.sources:
        assert decide(name, status, desk_for(action), FROM, TO, DETAIL) is action
    else:
        with pytest.raises(lifecycle.IllegalTransition):
            decide(name, status, desk_for(action), FROM, TO, DETAIL)


@given(st.lists(st.sampled_from(list(ACTIONS)), max_size=30))
def test_any_sequence_of_actions_only_ever_reaches_statuses_the_lifecycle_allows(names):
    status = lifecycle.REQUESTED
    for name in names:
        action = ACTIONS[name]
        try:
            decided = decide(name, status, desk_for(action), FROM, TO, DETAIL)
        except lifecycle.IllegalTransition:
            assert status not in action.sources
            continue
        assert status in decided.sources
        status = decided.target
        assert status in STATUSES
    if status == lifecycle.ENTERED_IN_ERROR:  # terminal: nothing leaves it
        assert all(lifecycle.ENTERED_IN_ERROR not in a.sources for a in ACTIONS.values())


@given(st.sampled_from(list(ACTIONS)), st.sampled_from(STATUSES))
def test_a_desk_that_is_not_party_to_the_referral_can_do_nothing(name, status):
    action = ACTIONS[name]
    with pytest.raises((lifecycle.IllegalTransition, lifecycle.WrongDesk)):
        decide(name, status, OTHER, FROM, TO, DETAIL)


def test_only_the_receiving_desk_accepts_and_only_the_referring_desk_cancels():
    with pytest.raises(lifecycle.WrongDesk):
        decide("accept", lifecycle.RECEIVED, FROM, FROM, TO, {})
    with pytest.raises(lifecycle.WrongDesk):
        decide("cancel", lifecycle.REQUESTED, TO, FROM, TO, DETAIL)
    assert decide("void", lifecycle.ACCEPTED, FROM, FROM, TO, DETAIL).target == lifecycle.ENTERED_IN_ERROR


@pytest.mark.parametrize("name, field", [("reject", "reason"), ("complete", "outcome"),
                                         ("fail", "reason"), ("void", "note"), ("reopen", "reason")])
def test_rejection_completion_failure_voiding_and_reopening_need_their_words(name, field):
    action = ACTIONS[name]
    status = action.sources[0]
    with pytest.raises(lifecycle.MissingDetail) as missing:
        decide(name, status, desk_for(action), FROM, TO, {field: "   "})
    assert missing.value.field == field


def test_a_completed_referral_can_be_reopened_and_worked_again():
    assert decide("reopen", lifecycle.COMPLETED, TO, FROM, TO, DETAIL).target == lifecycle.IN_PROGRESS
    assert decide("pause", lifecycle.IN_PROGRESS, TO, FROM, TO, DETAIL).target == lifecycle.ON_HOLD
    assert decide("resume", lifecycle.ON_HOLD, TO, FROM, TO, {}).target == lifecycle.IN_PROGRESS
