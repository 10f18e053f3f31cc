"""The gateway in-process, against the real network: sign-in and its limits, API keys, the audit
trail, and a request's correlation id carried into the events it causes."""
from datetime import timedelta

import pytest
import requests

from services.gateway import handlers
from services.gateway.service import GatewayService
from shared.clock import utc_now
from shared.events.catalog import REGISTRY
from shared.persistence.engine import make_engine
from shared.unit_of_work import UnitOfWork

from .helpers import wait_for

PASSWORD = "correct horse battery"
WAKABA, HIKIKOMORI = "wakaba-life-independence-center", "hikikomori-center"


@pytest.fixture
def gateway(network, runner_factory, nameko_config, settings):
    runner = runner_factory(nameko_config, GatewayService)
    runner.start()
    engine = make_engine(settings.database_url_for("gateway"))

    def staff(username, desk_id, role="staff"):
        with UnitOfWork(engine, REGISTRY) as uow:
            handlers.create_staff(uow, username, PASSWORD, desk_id, role, username, utc_now())
        return sign_in(username)

    def sign_in(username, password=PASSWORD):
        return requests.post(f"{base}/api/v1/sessions", json={"username": username, "password": password}, timeout=10)

    base = f"http://{settings.gateway_address}"
    yield base, staff, sign_in, network[0]
    runner.kill()
    engine.dispose()


def bearer(response) -> dict:
    assert response.status_code == 201, response.text
    return {"Authorization": f"Bearer {response.json()['token']}"}


def test_a_request_correlation_id_reaches_the_events_it_causes_and_the_audit(gateway):
    base, staff, _, rpc = gateway
    admin = bearer(staff("admin", WAKABA, "admin"))
    correlation = "corr-0123456789abcdef"
    recorded = requests.post(f"{base}/api/v1/consultations", headers={**admin, "X-Correlation-ID": correlation},
                             json={"ward": "wakaba", "channel": "walk_in", "concerns": ["housing"],
                                   "person": {"name": "見本 花子"}}, timeout=20)
    assert recorded.status_code == 201, recorded.text
    assert recorded.headers["X-Correlation-ID"] == correlation
    trace = wait_for(lambda: rpc.monitor.trace(correlation), what="the event in the monitor's log")
    assert [hop["type"] for hop in trace][:1] == ["consultation.recorded"]
    assert trace[0]["subject"] == recorded.json()["consultation_id"]
    audit = requests.get(f"{base}/api/v1/audit", headers=admin, timeout=10).json()
    assert {"action": "record_consultation", "correlation_id": correlation, "status": 201}.items() <= audit[0].items()
    assert audit[0]["actor"].startswith("s-")


def test_sign_in_is_throttled_per_account_and_address_and_a_good_password_then_waits(gateway, settings):
    base, staff, sign_in, _ = gateway
    staff("hana", WAKABA)
    for _ in range(settings.login_attempts):
        wrong = sign_in("hana", "not the password")
        assert wrong.status_code == 401
        assert wrong.headers["Content-Type"] == "application/problem+json"
    locked = sign_in("hana")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert sign_in("nobody", "whatever").status_code == 401  # unknown and wrong look the same


def test_api_keys_are_shown_once_stored_hashed_and_stop_at_revocation(gateway, settings):
    base, staff, _, _ = gateway
    supervisor = bearer(staff("boss", HIKIKOMORI, "supervisor"))
    plain = bearer(staff("plain", HIKIKOMORI))
    assert requests.post(f"{base}/api/v1/api-keys", headers=plain, json={"label": "x"}, timeout=10).status_code == 403
    issued = requests.post(f"{base}/api/v1/api-keys", headers=supervisor, json={"label": "case system"}, timeout=10)
    assert issued.status_code == 201
    key = issued.json()["key"]
    listed = requests.get(f"{base}/api/v1/api-keys", headers=supervisor, timeout=10).json()
    assert [k["label"] for k in listed] == ["case system"] and "key" not in listed[0]
    engine = make_engine(settings.database_url_for("gateway"))
    try:
        with engine.connect() as conn:
            stored = conn.exec_driver_sql("SELECT key_hash FROM api_keys").scalar()
    finally:
        engine.dispose()
    assert key not in stored and len(stored) == 64
    me = requests.get(f"{base}/api/v1/me", headers={"X-API-Key": key}, timeout=10)
    assert me.json() == {"actor": issued.json()["id"], "desk_id": HIKIKOMORI, "role": "staff", "kind": "system",
                         "display_name": "case system"}
    revoked = requests.delete(f"{base}/api/v1/api-keys/{issued.json()['id']}", headers=supervisor, timeout=10)
    assert revoked.json()["revoked_at"]
    assert requests.get(f"{base}/api/v1/me", headers={"X-API-Key": key}, timeout=10).status_code == 401


def test_sessions_expire_and_sign_out_ends_them(gateway, settings):
    base, staff, _, _ = gateway
    signed = staff("hana", WAKABA)
    token = signed.json()["token"]
    engine = make_engine(settings.database_url_for("gateway"))
    try:
        with engine.connect() as conn:
            later = utc_now() + timedelta(hours=settings.session_hours, seconds=1)
            assert handlers.authenticate(conn, token, utc_now()) is not None
            assert handlers.authenticate(conn, token, later) is None
    finally:
        engine.dispose()
    headers = {"Authorization": f"Bearer {token}"}
    assert requests.delete(f"{base}/api/v1/sessions/current", headers=headers, timeout=10).status_code == 204
    assert requests.get(f"{base}/api/v1/me", headers=headers, timeout=10).status_code == 401


def test_cookie_sessions_need_the_csrf_header_to_write(gateway):
    base, staff, _, _ = gateway
    token = staff("hana", WAKABA).json()["token"]
    cookies = {"tsunagu_session": token}
    assert requests.get(f"{base}/api/v1/me", cookies=cookies, timeout=10).status_code == 200
    body = {"ward": "wakaba", "channel": "walk_in", "concerns": ["housing"], "person": {"name": "見本"}}
    refused = requests.post(f"{base}/api/v1/consultations", cookies=cookies, json=body, timeout=10)
    assert refused.status_code == 403
    from services.gateway.dispatch import csrf_token
    allowed = requests.post(f"{base}/api/v1/consultations", cookies=cookies, json=body,
                            headers={"X-CSRF-Token": csrf_token(token)}, timeout=20)
    assert allowed.status_code == 201


def test_every_event_a_request_causes_shares_its_correlation_id(gateway):
    """A meeting decision emits meeting.decided and, caused by it, referral.requested: one request, one id."""
    base, staff, _, rpc = gateway
    a = bearer(staff("inage", "inage-child-navigator"))
    case = requests.post(f"{base}/api/v1/consultations", headers=a, timeout=20, json={
        "ward": "inage", "channel": "child_navigator", "concerns": ["child_learning"], "person": {"name": "見本"}}).json()
    meeting = requests.post(f"{base}/api/v1/meetings", headers=a, timeout=20, json={
        "consultation_id": case["consultation_id"], "kind": "support_meeting",
        "member_desk_ids": ["learning-support"], "agenda": "学習支援"}).json()
    correlation = "decision-0123456789"
    decided = requests.post(f"{base}/api/v1/meetings/{meeting['meeting_id']}/decisions", timeout=20,
                            headers={**a, "X-Correlation-ID": correlation},
                            json={"text": "学習支援につなぐ", "action": {"to_desk_id": "learning-support", "reason": "決定"}})
    assert decided.status_code == 201, decided.text
    hops = wait_for(lambda: (h := rpc.monitor.trace(correlation)) and len(h) >= 2 and h, what="both events")
    assert {"meeting.decided", "referral.requested"} <= {h["type"] for h in hops}


def test_a_retried_consultation_with_the_same_idempotency_key_is_recorded_once(gateway):
    base, staff, _, rpc = gateway
    wakaba, hikikomori = bearer(staff("wakaba", WAKABA)), bearer(staff("hikikomori", HIKIKOMORI))
    body = {"ward": "wakaba", "channel": "walk_in", "concerns": ["housing"], "person": {"name": "見本 花子"}}

    def post(who, key):
        return requests.post(f"{base}/api/v1/consultations", headers={**who, "Idempotency-Key": key},
                             json=body, timeout=20)

    first, retry = post(wakaba, "handoff-0001"), post(wakaba, "handoff-0001")
    assert first.status_code == retry.status_code == 201, retry.text
    assert retry.json()["consultation_id"] == first.json()["consultation_id"]
    other_desk = post(hikikomori, "handoff-0001")  # keys are the desk's own
    assert other_desk.json()["consultation_id"] != first.json()["consultation_id"]
    mine = requests.get(f"{base}/api/v1/consultations", headers=wakaba, timeout=10).json()
    assert [c["id"] for c in mine] == [first.json()["consultation_id"]]
    bad = post(wakaba, "no spaces allowed")
    assert bad.status_code == 422 and "Idempotency-Key" in bad.json()["errors"]
