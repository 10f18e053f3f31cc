"""Who is told what, webhook signatures and backoff, quiet hours, and the AsyncAPI contract."""
import random
from datetime import time
from pathlib import Path

import pytest
import yaml

from services.notifications import audience, preferences, webhooks
from services.notifications.feeds import access_for
from shared.asyncapi import document, document_yaml
from shared.events.catalog import REGISTRY

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]
REFERRAL = {"referral_id": "r-1", "from_desk_id": "wakaba", "to_desk_id": "hikikomori", "urgency": "urgent"}


def test_a_new_referral_tells_the_receiving_desk_and_every_change_tells_the_referring_desk():
    [new] = audience.notices_for("referral.requested", REFERRAL, "c-1")
    assert (new.desk_id, new.kind, new.urgency) == ("hikikomori", "new_referral", "urgent")
    for event_type in audience.STATUS_TITLES:
        [notice] = audience.notices_for(event_type, REFERRAL, "c-1")
        assert notice.desk_id == "wakaba" and notice.kind == "referral_status"


def test_escalations_go_to_the_supervisor_then_the_referring_desk():
    first = audience.notices_for("referral.escalated", {**REFERRAL, "level": 1, "notify_desk_id": "hikikomori"}, "c")
    second = audience.notices_for("referral.escalated", {**REFERRAL, "level": 2, "notify_desk_id": "wakaba"}, "c")
    assert [(n.desk_id, n.role) for n in first] == [("hikikomori", audience.SUPERVISOR)]
    assert [(n.desk_id, n.role) for n in second] == [("wakaba", audience.DESK)]


def test_meeting_members_deletion_recipients_and_outreach_desks_are_told():
    meeting = audience.notices_for("meeting.convened", {"member_desk_ids": ["a", "b", "c"], "convened_by_desk_id": "a"}, "c")
    assert [n.desk_id for n in meeting] == ["b", "c"]
    [deletion] = audience.notices_for("disclosure.deletion_requested", {"recipient_desk_id": "b"}, None)
    assert deletion.kind == "deletion_request"
    assert audience.notices_for("consultation.recorded", {"outreach_desk_id": None, "urgency": "normal"}, "c") == []


def test_every_subscribed_type_is_a_published_event():
    for event_type in audience.SUBSCRIBED:
        REGISTRY.latest_version(event_type)


def test_a_receiver_verifies_a_signature_and_rejects_a_forgery_or_a_stale_timestamp():
    body = b'{"id":"e-1"}'
    signature = webhooks.sign("s3cret", 1_800_000_000, body)
    assert webhooks.verify("s3cret", "1800000000", body, signature, now=1_800_000_010)
    assert not webhooks.verify("s3cret", "1800000000", body + b" ", signature, now=1_800_000_010)
    assert not webhooks.verify("other", "1800000000", body, signature, now=1_800_000_010)
    assert not webhooks.verify("s3cret", "1800000000", body, signature, now=1_800_000_000 + 3600)
    assert not webhooks.verify("s3cret", "soon", body, signature, now=1_800_000_000)


def test_backoff_doubles_with_jitter_up_to_a_cap_and_gives_up():
    rng = random.Random(7).random
    delays = [webhooks.next_delay(a, base=1.0, cap=10.0, rng=rng) for a in range(1, 8)]
    for attempt, delay in enumerate(delays, start=1):
        full = min(10.0, 2 ** (attempt - 1))
        assert full / 2 <= delay <= full
    assert webhooks.gives_up(6) and not webhooks.gives_up(5)


@pytest.mark.parametrize("now, quiet", [(time(23, 0), True), (time(6, 59), True), (time(7, 0), False), (time(12, 0), False)])
def test_quiet_hours_across_midnight(now, quiet):
    assert preferences.in_quiet_hours(now, time(22, 0), time(7, 0)) is quiet


def test_only_a_risk_to_life_breaks_quiet_hours_and_normal_notices_wait_for_the_digest():
    night, start, end = time(23, 0), time(22, 0), time(7, 0)
    assert preferences.email_now("risk_to_life", night, start, end)
    assert not preferences.email_now("urgent", night, start, end)
    assert preferences.email_now("urgent", time(10, 0), start, end)
    assert not preferences.email_now("normal", time(10, 0), start, end)


def test_feed_permissions_cover_only_the_agencys_own_queues_and_keys():
    access = access_for("hikikomori-center")
    assert access.user == "feed-hikikomori-center"
    assert access.topic_read == r"^agency\.hikikomori\-center\..*$"
    with pytest.raises(ValueError):
        access_for("x|.*")


def test_the_published_asyncapi_document_matches_the_code_and_every_reference_resolves():
    committed = (ROOT / "docs" / "asyncapi.yaml").read_text()
    assert committed == document_yaml(), "run: tsunagu asyncapi > docs/asyncapi.yaml"
    doc = yaml.safe_load(committed)
    assert doc["asyncapi"].startswith("2.")
    for name, channel in doc["channels"].items():
        assert name.startswith("agency.{deskId}.")
        assert channel["bindings"]["amqp"]["exchange"]["name"] == "tsunagu.feeds"
        message = channel["subscribe"]["message"]["$ref"].split("/")[-1]
        payload = doc["components"]["messages"][message]["payload"]
        data = payload["properties"]["data"]["$ref"].split("/")[-1]
        assert data in doc["components"]["schemas"]
        assert doc["components"]["schemas"][data]["properties"]
    assert set(doc["channels"]) == {f"agency.{{deskId}}.{t}" for t in audience.SUBSCRIBED}
    assert document()["components"]["securitySchemes"]["feedUser"]["type"] == "userPassword"
