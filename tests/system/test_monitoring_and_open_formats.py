"""What admins and other systems get out of a running tsunagu: open formats over HTTP (HSDS,
FHIR), Prometheus metrics from every service, JSON logs carrying correlation ids, and the
monitor page in a real browser."""
import json
import re
import time
from pathlib import Path

import jsonschema
import requests
from fhir.resources.R4B.bundle import Bundle
from fhir.resources.R4B.consent import Consent

from .test_staff_ui import BLOCKING, Screens, browser, sign_in  # noqa: F401  (the browser fixture)

A, B = "wakaba-life-independence-center", "hikikomori-center"
SCHEMA = Path(__file__).parents[1] / "fixtures" / "hsds-3.0-service-list.schema.json"


def _handed_off(system):
    system.create_staff("ops-a", A, "admin")
    system.create_staff("ops-b", B)
    recorded = system.api("POST", "/consultations", "ops-a", json={
        "ward": "wakaba", "channel": "walk_in", "concerns": ["employment"], "person": {"name": "見本 二郎"}})
    assert recorded.status_code == 201
    [referral] = system.api("POST", "/referrals", "ops-a", json={
        "consultation_id": recorded.json()["consultation_id"],
        "referrals": [{"to_desk_id": B, "reason": "就労の相談"}]}).json()
    return recorded.json(), referral


def test_open_formats_over_http(system):
    hsds = requests.get(f"{system.base}/api/v1/open-data/hsds", timeout=10)  # public, no sign-in
    assert hsds.status_code == 200
    jsonschema.validate(hsds.json(), json.loads(SCHEMA.read_text()), format_checker=jsonschema.FormatChecker())
    recorded, referral = _handed_off(system)
    bundle = system.api("GET", f"/referrals/{referral['referral_id']}/fhir", "ops-b")
    assert bundle.headers["Content-Type"].startswith("application/fhir+json")
    request, task = (e.resource for e in Bundle.model_validate(bundle.json()).entry)
    assert task.status == "requested" and task.owner.identifier.value == B
    consent = system.api("POST", "/consents", "ops-a", json={
        "person_ref": recorded["person_ref"], "granted_by": "person", "method": "electronic", "purpose": "就労支援",
        "provision": {"type": "permit", "recipients": [B], "categories": ["identity"]}}).json()
    resource = Consent.model_validate(system.api("GET", f"/consents/{consent['consent_id']}/fhir", "ops-a").json())
    assert resource.status == "active" and resource.patient.identifier.value == recorded["person_ref"]


def test_every_service_reports_prometheus_metrics(system):
    _handed_off(system)
    deadline = time.monotonic() + 20
    while True:
        text = requests.get(system.metrics, timeout=10).text
        handled = re.findall(r'^tsunagu_events_handled_total\{event_type="referral.requested",service="(\w+)"\} (\S+)',
                             text, re.M)
        if {"notifications", "monitor"} <= {s for s, _ in handled} or time.monotonic() > deadline:
            break
        time.sleep(0.5)
    assert {"notifications", "monitor"} <= {s for s, _ in handled}, text[:2000]
    for family in ("tsunagu_event_handling_seconds_bucket", "tsunagu_outbox_published_total",
                   "tsunagu_outbox_lag_seconds", "tsunagu_outbox_pending", "tsunagu_broker_connected",
                   "tsunagu_events_dead_lettered_total", "tsunagu_event_failures_total"):
        assert family in text or family.replace("_total", "") in text, family
    for service in ("directory", "intake", "consent", "referrals", "notifications", "monitor", "gateway"):
        assert f'tsunagu_broker_connected{{role="relay",service="{service}"}} 1.0' in text, service


def test_logs_are_json_lines_carrying_the_request_correlation_id(system):
    system.create_staff("ops-log", A)
    correlation = "log-correlation-0001"
    answer = requests.post(f"{system.base}/api/v1/consultations", timeout=20, json={
        "ward": "wakaba", "channel": "phone", "concerns": ["housing"], "person": {"name": "見本 三郎"}},
        headers={**system.sign_in("ops-log"), "X-Correlation-ID": correlation})
    assert answer.status_code == 201
    time.sleep(0.5)
    lines = [line for line in system.log.read_text().splitlines() if line.startswith("{")]
    records = [json.loads(line) for line in lines]
    assert records and all({"time", "level", "logger", "message"} <= r.keys() for r in records)
    mine = [r for r in records if r.get("correlation_id") == correlation]
    assert any("record_consultation" in r["message"] for r in mine), mine


def test_the_monitor_page_shows_the_flow_with_charts_and_passes_axe(browser, system):  # noqa: F811
    _handed_off(system)
    page = sign_in(browser, system, "ops-admin", A, role="admin")
    page.set_viewport_size({"width": 1200, "height": 900})
    page.get_by_role("link", name="運用状況").click()
    page.locator("#chart-events svg").wait_for()
    assert page.locator("#chart-ward rect").count() >= 1
    assert page.get_by_role("heading", name="受付待ちの紹介").is_visible()
    screens = Screens()
    screens.check(page, "monitor")
    csv = page.request.get(f"{system.base}/api/v1/monitor/indicators/consultations_by_ward.csv")
    assert csv.ok and csv.text().startswith("ward,count")
    assert screens.findings == {"monitor": []}
