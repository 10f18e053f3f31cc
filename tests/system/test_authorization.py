"""The authorization matrix: every endpoint that takes an id answers a caller from another desk
exactly as it answers for an id that does not exist (404, the same body), and a permitted reader
gets only the fields its consent permits."""
import time

import pytest

from services.gateway.api import OPERATIONS
from shared.personal_data import FIELD_CATEGORIES

A, B, OUTSIDER = "wakaba-life-independence-center", "hikikomori-center", "chuo-health-center"
PUBLIC_BY_DESIGN = {"get_desk"}  # the directory is public information
PERSON = {"name": "見本 花子", "name_kana": "ミホン ハナコ", "birth_date": "1968-04-02", "phone": "043-000-0001",
          "address": "千葉市若葉区（架空）"}


@pytest.fixture(scope="module")
def world(system):
    """Objects of desks A and B, each reachable by id: the matrix tries every one from desk C."""
    for username, desk, role in (("a", A, "supervisor"), ("b", B, "supervisor"), ("c", OUTSIDER, "supervisor")):
        system.create_staff(username, desk, role)
    consultation = {"ward": "wakaba", "channel": "walk_in", "concerns": ["hikikomori"], "person": PERSON}
    first = system.api("POST", "/consultations", "a", json=consultation).json()
    second = system.api("POST", "/consultations", "a", json=consultation).json()
    person = first["person_ref"]
    consent = system.api("POST", "/consents", "a", json={
        "person_ref": person, "granted_by": "person", "method": "signed_form", "purpose": "つなぎのため",
        "provision": {"type": "permit", "recipients": [B], "categories": ["identity"]}}).json()
    referral = system.api("POST", "/referrals", "a", json={
        "consultation_id": first["consultation_id"],
        "referrals": [{"to_desk_id": B, "reason": "ひきこもり支援", "share_categories": ["identity", "contact"]}]}).json()[0]
    meeting = system.api("POST", "/meetings", "a", json={
        "consultation_id": first["consultation_id"], "kind": "support_meeting", "member_desk_ids": [B],
        "agenda": "支援の方針"}).json()
    link = system.api("POST", "/person-links", "a", json={
        "consultation_id_a": first["consultation_id"], "consultation_id_b": second["consultation_id"],
        "reason": "同じ方"}).json()
    information = system.api("GET", f"/referrals/{referral['referral_id']}/information", "b").json()
    withdrawn = system.api("POST", f"/consents/{consent['consent_id']}/withdrawal", "a", json={"reason": "本人の希望"})
    assert withdrawn.status_code == 200, withdrawn.text
    deletion = system.api("GET", f"/persons/{person}/deletion-requests", "b").json()
    deadline = time.monotonic() + 20  # the notice comes through the broker and the notifications service
    while not (inbox := system.api("GET", "/inbox", "b").json()):
        assert time.monotonic() < deadline, "no notice reached desk B"
        time.sleep(0.1)
    notice = inbox[0]
    webhook = system.api("POST", "/webhooks", "a", json={"url": "http://127.0.0.1:9/hook"}).json()
    key = system.api("POST", "/api-keys", "a", json={"label": "case system"}).json()
    ids = {"case_id": first["consultation_id"], "referral_id": referral["referral_id"],
           "meeting_id": meeting["meeting_id"], "consent_id": consent["consent_id"], "person_ref": person,
           "link_id": link["link_id"], "request_id": deletion[0]["request_id"], "notification_id": notice["id"],
           "subscription_id": webhook["subscription_id"], "key_id": key["id"], "desk_id": A}
    bodies = {"unlink_persons": {"reason": "違う方"}, "transition": {"action": "accept"},
              "record_decision": {"text": "見守る"}, "meeting_brief": {"categories": ["identity"]},
              "withdraw_consent": {"reason": "x"}}
    return ids, bodies, information


def _by_id():
    """Every desk-scoped operation that takes an id (admins' monitor views are city-wide metadata,
    closed to everyone else: see the last test)."""
    return [op for op in OPERATIONS if "<" in op.path and op.name not in PUBLIC_BY_DESIGN and op.role != "admin"]


@pytest.mark.parametrize("op", _by_id(), ids=lambda op: op.name)
def test_another_desk_gets_the_same_404_as_for_an_id_that_does_not_exist(system, world, op):
    ids, bodies, _ = world
    real = op.path.replace("<", "{").replace(">", "}").format(**ids)
    fake = op.path.replace("<", "{").replace(">", "}").format(**{k: "x-does-not-exist" for k in ids})
    kwargs = {"json": bodies.get(op.name, {})} if op.body is not None else {}
    outsider = system.api(op.method, real, "c", **kwargs)
    missing = system.api(op.method, fake, "c", **kwargs)
    assert outsider.status_code == missing.status_code == 404, (outsider.text, missing.text)
    assert outsider.headers["Content-Type"] == "application/problem+json"
    strip = lambda r: {k: v for k, v in r.json().items() if k != "correlation_id"}  # noqa: E731
    assert strip(outsider) == strip(missing)


def test_the_entitled_desk_reaches_the_same_objects(system, world):
    """The matrix above is not 404 for everyone: the owning or receiving desk gets 200."""
    ids, _, _ = world
    for who, path in (("b", f"/referrals/{ids['referral_id']}"), ("a", f"/cases/{ids['case_id']}/timeline"),
                      ("b", f"/meetings/{ids['meeting_id']}"), ("a", f"/consents/{ids['consent_id']}"),
                      ("b", f"/persons/{ids['person_ref']}/disclosures"), ("a", f"/person-links/{ids['link_id']}/history"),
                      ("a", f"/webhooks/{ids['subscription_id']}/deliveries")):
        assert system.api("GET", path, who).status_code == 200, path


def test_a_permitted_reader_gets_only_the_permitted_fields(world):
    _, _, information = world
    assert information["permitted"] == ["identity"]
    assert information["denied"] == ["contact"]
    assert information["person"] == {k: v for k, v in PERSON.items() if FIELD_CATEGORIES[k] == "identity"}


def test_after_withdrawal_the_same_reader_gets_nothing(system, world):
    ids, _, _ = world
    again = system.api("GET", f"/referrals/{ids['referral_id']}/information", "b").json()
    assert again["permitted"] == [] and again["person"] == {}


@pytest.mark.parametrize("op", [op for op in OPERATIONS if op.role == "admin"], ids=lambda op: op.name)
def test_the_city_wide_admin_views_are_closed_to_everyone_but_admins(system, world, op):
    path = op.path.replace("<", "{").replace(">", "}").format(key="c-1", dead_letter_id="1", table="pickup")
    kwargs = {"json": {"ids": [1], "note": "x"} if "replay" in op.name else {"note": "x"}} if op.body else {}
    refused = system.api(op.method, path, "c", **kwargs)  # a supervisor, not an admin
    assert refused.status_code == 403, refused.text
