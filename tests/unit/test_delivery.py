import json

import pytest

from shared.events import Envelope
from shared.events.catalog import REGISTRY
from shared.messaging import delivery

pytestmark = pytest.mark.unit


def recorded(**changes):
    data = {"consultation_id": "c-1", "person_ref": "p-1", "desk_id": "d", "ward": "wakaba",
            "channel": "phone", "concerns": ["other"], "urgency": "normal",
            "recorded_at": "2026-11-28T00:00:00+00:00", **changes}
    return Envelope(type="consultation.recorded", version=1, source="/t", data=data)


def test_a_valid_event_is_decoded_with_loaded_data():
    event = delivery.decode(recorded().to_json().encode(), REGISTRY)
    assert event.data["recorded_at"].year == 2026


@pytest.mark.parametrize("body, reason", [
    (b"\xff\xfe", delivery.REASON_MALFORMED),
    (json.dumps({"hello": "world"}).encode(), delivery.REASON_MALFORMED),
    (Envelope(type="referral.vanished", version=1, source="/t", data={}).to_json().encode(),
     delivery.REASON_UNKNOWN_EVENT),
    (recorded().with_data(recorded().data, version=7).to_json().encode(), delivery.REASON_UNKNOWN_EVENT),
    (recorded(ward="osaka").to_json().encode(), delivery.REASON_SCHEMA_VIOLATION),
])
def test_poison_is_classified_by_why_it_can_never_succeed(body, reason):
    with pytest.raises(delivery.PoisonMessage) as poison:
        delivery.decode(body, REGISTRY)
    assert poison.value.reason == reason


def test_handler_failures_back_off_then_give_up():
    delays = (1.0, 5.0)
    assert [delivery.retry_delay(a, delays, 4) for a in (1, 2, 3, 4)] == [1.0, 5.0, 5.0, None]
    assert delivery.retry_delay(1, delays, 1) is None


def test_a_dead_letter_keeps_the_original_headers_and_says_why():
    headers = delivery.DeadLetter("handler-failed", "boom", 3).headers(
        {"traceparent": "abc"}, "consultation.recorded", "tsunagu.monitor")
    assert headers["traceparent"] == "abc"
    assert headers["x-tsunagu-reason"] == "handler-failed"
    assert headers["x-tsunagu-attempts"] == 3
    assert headers["x-tsunagu-original-routing-key"] == "consultation.recorded"


def test_a_database_that_is_away_is_waited_for_not_blamed_on_the_message():
    from sqlalchemy.exc import DBAPIError, IntegrityError, OperationalError
    assert delivery.is_transient(OperationalError("SELECT 1", {}, Exception("server closed the connection")))
    invalidated = DBAPIError("SELECT 1", {}, Exception("connection reset"), connection_invalidated=True)
    assert delivery.is_transient(invalidated)
    assert not delivery.is_transient(IntegrityError("INSERT", {}, Exception("duplicate key")))
    assert not delivery.is_transient(ValueError("a bug in the handler"))
    assert [delivery.transient_delay(n) for n in range(7)] == [0.2, 0.4, 0.8, 1.6, 3.2, 5.0, 5.0]


def test_a_process_is_deaf_only_when_the_broker_answers_and_its_reply_queue_has_no_consumer():
    from shared.runtime.rpc import DeafnessCheck
    check = DeafnessCheck(["rpc.reply-gateway-1"], patience=3)
    assert not check.observe({"rpc.reply-gateway-1": 0})
    assert not check.observe(None)  # the broker is away: the count starts again
    assert [check.observe({"rpc.reply-gateway-1": 0}) for _ in range(3)] == [False, False, True]
    check = DeafnessCheck(["rpc.reply-gateway-1"], patience=2)
    assert not check.observe({"rpc.reply-gateway-1": 0})
    assert not check.observe({"rpc.reply-gateway-1": 1})
    assert not check.observe({"rpc.reply-gateway-1": 0})
