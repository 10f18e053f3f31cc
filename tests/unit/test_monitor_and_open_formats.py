"""The monitor's pure rules (facts from events, pick-up against deadlines, alerts) and the open
formats: HSDS 3.0 for the directory, FHIR R4 for referrals and consents."""
import json
from datetime import datetime, timedelta, timezone
from pathlib import Path

import jsonschema
import pytest
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent

from services.consent import fhir as consent_fhir
from services.directory import hsds
from services.directory.seed import chiba_directory
from services.monitor import alerts, facts
from services.referrals import fhir as referral_fhir

T0 = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.utc)
FIXTURES = Path(__file__).parents[1] / "fixtures"


def test_a_consultation_becomes_a_fact_of_codes_only():
    [change] = facts.changes_for("consultation.recorded", {
        "consultation_id": "c-1", "person_ref": "p-1", "desk_id": "d", "ward": "wakaba", "channel": "walk_in",
        "concerns": ["housing"], "urgency": "normal", "recorded_at": T0.isoformat(), "household_size": 2}, T0)
    assert change.insert and set(change.values) == {"desk_id", "ward", "channel", "concerns", "urgency", "recorded_at"}


def test_a_referral_fact_records_its_first_pick_up_and_its_close():
    requested = {"referral_id": "r-1", "consultation_id": "c-1", "from_desk_id": "a", "to_desk_id": "b",
                 "urgency": "urgent", "at": T0.isoformat(), "pickup_deadline": (T0 + timedelta(hours=8)).isoformat()}
    [created] = facts.changes_for("referral.requested", requested, T0)
    assert created.values["status"] == "requested" and created.values["escalation_level"] == 0
    received = {"referral_id": "r-1", "status": "received", "at": (T0 + timedelta(hours=1)).isoformat()}
    [pickup] = facts.changes_for("referral.received", received, T0)
    assert pickup.first_only == ("picked_up_at",) and pickup.values["picked_up_at"] == T0 + timedelta(hours=1)
    [done] = facts.changes_for("referral.completed", {"referral_id": "r-1", "status": "completed",
                                                      "at": (T0 + timedelta(days=3)).isoformat()}, T0)
    assert done.values["closed_at"] == T0 + timedelta(days=3) and not done.first_only
    assert facts.changes_for("notification.acknowledged", {"notification_id": "n"}, T0) == []


@pytest.mark.parametrize("picked_after_hours, now_hours, bucket", [
    (1, 9, "within half the window"), (6, 9, "within the window"), (9, 10, "after the deadline"),
    (None, 5, "waiting"), (None, 9, "waiting, overdue")])
def test_pick_up_is_measured_against_the_deadline_window(picked_after_hours, now_hours, bucket):
    picked = None if picked_after_hours is None else T0 + timedelta(hours=picked_after_hours)
    assert facts.pickup_bucket(T0, T0 + timedelta(hours=8), picked, T0 + timedelta(hours=now_hours)) == bucket


def test_a_referral_cancelled_before_pick_up_is_not_counted_as_waiting():
    assert facts.pickup_bucket(T0, T0 + timedelta(hours=8), None, T0 + timedelta(days=9),
                               closed=True) == "closed before pick-up"


def test_alerts_name_a_queue_without_consumer_and_dead_letters_waiting_but_not_holding_queues():
    queues = [{"name": "tsunagu.referrals", "messages": 4, "consumers": 0},
              {"name": "tsunagu.referrals.dead", "messages": 0, "consumers": 0},
              {"name": "tsunagu.feeds.unrouted", "messages": 9, "consumers": 0},
              {"name": "tsunagu.intake", "messages": 0, "consumers": 1}]
    assert [(a.kind, a.subject) for a in alerts.queue_alerts(queues)] == [("no-consumer", "tsunagu.referrals")]
    assert [(a.kind, a.subject) for a in alerts.dead_letter_alerts({"tsunagu.ledger": 1, "tsunagu.x": 0})] == [
        ("dead-letters", "tsunagu.ledger")]
    assert alerts.lag_alert([0.01] * 99 + [60.0], threshold=30) is None
    assert alerts.lag_alert([45.0] * 10, threshold=30).kind == "outbox-lag"
    assert alerts.lag_alert([], threshold=30) is None


def test_the_directory_exports_as_hsds_3_with_stable_ids():
    desks = chiba_directory()
    exported = hsds.service_list(desks)
    schema = json.loads((FIXTURES / "hsds-3.0-service-list.schema.json").read_text())
    jsonschema.validate(exported, schema, format_checker=jsonschema.FormatChecker())
    assert exported["total_items"] == len(desks) and exported["contents"][0]["name"] == desks[0].name
    assert hsds.service_list(desks) == exported  # the same ids every time
    ids = [s["id"] for s in exported["contents"]]
    assert len(set(ids)) == len(ids)


def test_the_schema_would_refuse_a_service_without_its_required_fields():
    schema = json.loads((FIXTURES / "hsds-3.0-service-list.schema.json").read_text())
    broken = hsds.service_list(chiba_directory()[:1])
    del broken["contents"][0]["status"]
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.validate(broken, schema)


REFERRAL = {"id": "r-1", "consultation_id": "c-1", "from_desk_id": "wakaba-life-independence-center",
            "to_desk_id": "hikikomori-center", "reason": "ひきこもり支援", "urgency": "urgent", "status": "accepted",
            "meeting_id": None, "escalation_level": 0, "outcome": None, "share_categories": ["identity"],
            "created_at": T0.isoformat(), "updated_at": T0.isoformat(),
            "pickup_deadline": (T0 + timedelta(hours=8)).isoformat(), "escalation_deadline": None}


@pytest.mark.parametrize("status", ["requested", "received", "accepted", "rejected", "in-progress", "on-hold",
                                    "completed", "failed", "cancelled", "entered-in-error"])
def test_a_referral_is_a_valid_fhir_r4_service_request_and_task_in_every_status(status):
    bundle = Bundle.model_validate(referral_fhir.bundle({**REFERRAL, "status": status, "outcome": "就労につながった"}))
    request, task = (entry.resource for entry in bundle.entry)
    assert (request.__resource_type__, task.__resource_type__) == ("ServiceRequest", "Task")
    assert task.status == status and task.focus.reference == "ServiceRequest/r-1"
    assert request.priority == "urgent"


def test_a_consent_is_a_valid_fhir_r4_consent_with_its_provisions():
    version = {"consent_id": "k-1", "person_ref": "p-1", "version": 2, "status": "withdrawn", "granted_by": "person",
               "method": "signed_form", "purpose": "つなぎ", "valid_from": T0.isoformat(), "valid_until": None,
               "recorded_by": "s-1", "desk_id": "wakaba-life-independence-center", "recorded_at": T0.isoformat(),
               "provision": {"type": "permit", "recipients": ["hikikomori-center"], "purposes": ["referral"],
                             "categories": ["identity", "contact"], "start": None, "end": None,
                             "provisions": [{"type": "deny", "recipients": [], "purposes": [],
                                             "categories": ["health"], "start": None, "end": None,
                                             "provisions": []}]}}
    consent = Consent.model_validate(consent_fhir.consent(version))
    assert consent.status == "inactive" and consent.provision.type == "permit"
    assert consent.provision.provision[0].type == "deny"
    assert [c.coding[0].code for c in consent.provision.code] == ["identity", "contact"]
