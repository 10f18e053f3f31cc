"""Information sharing under consent and statutory bases, on the real broker and databases."""
import shutil
import subprocess
from pathlib import Path

import pytest
import sqlalchemy as sa
from nameko.exceptions import RemoteError

from services.consent.tables import disclosures, ledger_head
from shared.cli import verify_disclosures
from shared.demo import DEMO_CONSULTATIONS
from shared.persistence.engine import make_engine

from .helpers import wait_for

pytestmark = pytest.mark.integration
WAKABA = "wakaba-life-independence-center"
CASE = DEMO_CONSULTATIONS[0]


def record_and_refer(proxy, share, to_desk="hikikomori-center"):
    recorded = proxy.intake.record_consultation(CASE)
    [referral] = proxy.referrals.refer({
        "consultation_id": recorded["consultation_id"], "from_desk_id": WAKABA, "actor": "wakaba-staff",
        "referrals": [{"to_desk_id": to_desk, "reason": "専門的な支援を", "share_categories": share}]})
    return recorded, referral


def grant(proxy, person_ref, provision, **extra):
    return proxy.consent.record_consent({
        "person_ref": person_ref, "desk_id": WAKABA, "actor": "wakaba-staff", "granted_by": "person",
        "method": "signed_form", "purpose": "ひきこもり支援のための関係機関との情報共有", "provision": provision, **extra})


def test_a_referrals_information_reaches_the_receiving_desk_with_exactly_the_permitted_fields(network):
    proxy, _ = network
    recorded, referral = record_and_refer(proxy, ["identity", "contact", "household", "case_notes"])
    grant(proxy, recorded["person_ref"], {
        "type": "permit", "recipients": ["hikikomori-center"], "purposes": ["referral"],
        "categories": ["identity", "contact", "case_notes"],
        "provisions": [{"type": "deny", "categories": ["case_notes"]}]})

    shared = proxy.referrals.referral_information(referral["referral_id"], "hikikomori-center")
    assert shared["permitted"] == ["identity", "contact"]
    assert set(shared["denied"]) == {"household", "case_notes"}
    assert shared["person"] == {"name": CASE["person"]["name"], "name_kana": CASE["person"]["name_kana"],
                                "birth_date": CASE["person"]["birth_date"], "phone": CASE["person"]["phone"],
                                "address": None}
    log = proxy.consent.disclosures_of(recorded["person_ref"])
    assert [(e["recipient_desk_id"], e["categories"], e["basis"]) for e in log] == [
        ("hikikomori-center", ["identity", "contact"], "consent")]
    # Only the receiving desk may read it; other desks learn nothing, not even that it exists.
    with pytest.raises(RemoteError) as other:
        proxy.referrals.referral_information(referral["referral_id"], "hello-work-chiba")
    assert other.value.exc_type == "NotFound"


def test_without_consent_nothing_personal_travels(network):
    proxy, _ = network
    recorded, referral = record_and_refer(proxy, ["identity"])
    shared = proxy.referrals.referral_information(referral["referral_id"], "hikikomori-center")
    assert shared["permitted"] == [] and shared["person"] == {} and shared["disclosure_id"] is None
    assert "no live consent" in shared["reason"]
    assert proxy.consent.disclosures_of(recorded["person_ref"]) == []


def test_a_support_meeting_shares_among_members_and_gives_an_outsider_nothing(network):
    proxy, _ = network
    recorded = proxy.intake.record_consultation(CASE)
    meeting = proxy.referrals.convene_meeting({
        "consultation_id": recorded["consultation_id"], "kind": "support_meeting", "convened_by_desk_id": WAKABA,
        "member_desk_ids": ["hikikomori-center"], "agenda": "支援方針", "actor": "s"})
    brief = wait_for(lambda: (b := proxy.referrals.meeting_brief(meeting["meeting_id"], "hikikomori-center",
                                                                  ["identity", "household"]))["permitted"] and b,
                     what="the meeting to reach the consent service")
    assert brief["basis"] == "support_meeting" and set(brief["person"]) == {"name", "name_kana", "birth_date", "household"}
    with pytest.raises(RemoteError) as outsider:
        proxy.referrals.meeting_brief(meeting["meeting_id"], "hello-work-chiba", ["identity"])
    assert outsider.value.exc_type == "NotFound"
    # Even asking the decision point directly, a non-member gets a deny.
    direct = proxy.consent.authorize_disclosure({
        "person_ref": recorded["person_ref"], "discloser_desk_id": WAKABA, "recipient_desk_id": "hello-work-chiba",
        "purpose": "support_meeting", "categories": ["identity"], "basis": "support_meeting",
        "meeting_id": meeting["meeting_id"]})
    assert direct["permitted"] == [] and "members" in direct["reason"]
    recipients = {e["recipient_desk_id"] for e in proxy.consent.disclosures_of(recorded["person_ref"])}
    assert recipients == {"hikikomori-center"}


def test_an_emergency_share_is_disclosed_and_flagged_for_review(network):
    proxy, _ = network
    recorded = proxy.intake.record_consultation(CASE)
    request = {"consultation_id": recorded["consultation_id"], "recipient_desk_id": "wakaba-anshin-care-center",
               "purpose": "emergency", "categories": ["identity", "contact"], "basis": "emergency"}
    refused = proxy.intake.disclose_person(dict(request, justification="急ぎ"))
    assert refused["permitted"] == [] and refused["person"] == {}
    shared = proxy.intake.disclose_person(dict(
        request, justification="本人と数日連絡が取れず、室内で倒れている可能性があるため安否確認の訪問に連絡先を共有する"))
    assert shared["permitted"] == ["identity", "contact"] and shared["needs_review"]
    [entry] = proxy.consent.disclosures_of(recorded["person_ref"])
    assert entry["basis"] == "emergency" and entry["review_status"] == "pending"
    proxy.consent.review_emergency({"disclosure_id": shared["disclosure_id"], "actor": "supervisor",
                                    "note": "緊急性を確認した"})
    assert proxy.consent.disclosures_of(recorded["person_ref"])[0]["review_status"] == "reviewed"


def test_a_withdrawal_stops_sharing_at_once_and_reaches_every_recipient_who_acknowledges(network):
    proxy, _ = network
    recorded, first = record_and_refer(proxy, ["identity"])
    [second] = proxy.referrals.refer({"consultation_id": recorded["consultation_id"], "from_desk_id": WAKABA,
                                      "actor": "s", "referrals": [{"to_desk_id": "hello-work-chiba", "reason": "r",
                                                                   "share_categories": ["identity"]}]})
    consent = grant(proxy, recorded["person_ref"], {"type": "permit", "categories": ["identity"],
                                                    "purposes": ["referral"]})
    assert proxy.referrals.referral_information(first["referral_id"], "hikikomori-center")["permitted"] == ["identity"]
    assert proxy.referrals.referral_information(second["referral_id"], "hello-work-chiba")["permitted"] == ["identity"]

    withdrawn = proxy.consent.withdraw_consent({"consent_id": consent["consent_id"], "desk_id": WAKABA,
                                                "actor": "wakaba-staff", "reason": "本人の申し出"})
    assert withdrawn["deletion_requested_from"] == ["hello-work-chiba", "hikikomori-center"]
    after = proxy.referrals.referral_information(first["referral_id"], "hikikomori-center")
    assert after["permitted"] == [] and after["person"] == {}
    assert len(proxy.consent.disclosures_of(recorded["person_ref"])) == 2  # zero further disclosures

    requests = proxy.consent.deletion_status(recorded["person_ref"])
    for request in requests:
        proxy.consent.acknowledge_deletion({"request_id": request["request_id"],
                                            "desk_id": request["recipient_desk_id"], "actor": "agency-staff"})
    assert all(r["acknowledged_at"] for r in proxy.consent.deletion_status(recorded["person_ref"]))
    history = proxy.consent.consent_history(consent["consent_id"])
    assert [h["status"] for h in history] == ["active", "withdrawn"]
    trace = wait_for(lambda: (t := [h["type"] for h in proxy.monitor.trace(recorded["person_ref"])])
                     and t.count("disclosure.deletion_acknowledged") == 2 and t, what="the acknowledgements")
    assert trace.count("disclosure.deletion_requested") == 2 and "consent.withdrawn" in trace


def _disclose_three(proxy):
    recorded, referral = record_and_refer(proxy, ["identity"])
    grant(proxy, recorded["person_ref"], {"type": "permit", "categories": ["identity"]})
    for _ in range(3):
        proxy.referrals.referral_information(referral["referral_id"], "hikikomori-center")
    assert proxy.consent.verify_disclosure_log() is None
    return recorded


@pytest.mark.parametrize("tamper, broken", [
    (lambda conn: conn.execute(disclosures.update().where(disclosures.c.seq == 2)
                               .values(recipient_desk_id="hello-work-chiba")), 2),
    (lambda conn: conn.execute(disclosures.update().where(disclosures.c.seq == 1)
                               .values(categories=["identity", "health"])), 1),
    (lambda conn: conn.execute(disclosures.delete().where(disclosures.c.seq == 2)), 2),
    (lambda conn: conn.execute(disclosures.delete().where(disclosures.c.seq == 3)), 3),
    (lambda conn: conn.execute(ledger_head.update().values(seq=2)), 3),
])
def test_changing_or_deleting_a_log_row_in_the_database_is_named_by_verify(network, settings, tamper, broken,
                                                                          capsys):
    proxy, _ = network
    _disclose_three(proxy)
    engine = make_engine(settings.database_url_for("consent"))
    with engine.begin() as conn:
        tamper(conn)
    engine.dispose()
    assert proxy.consent.verify_disclosure_log() == broken
    assert verify_disclosures(settings) == 1
    assert f"entry {broken} does not match" in capsys.readouterr().out


def test_the_report_for_the_person_is_a_printable_japanese_document(network):
    proxy, _ = network
    recorded, referral = record_and_refer(proxy, ["identity", "contact"])
    grant(proxy, recorded["person_ref"], {"type": "permit", "categories": ["identity", "contact"]})
    proxy.referrals.referral_information(referral["referral_id"], "hikikomori-center")
    html = proxy.consent.disclosure_report(recorded["person_ref"])
    assert '<html lang="ja">' in html and "あなたの情報の提供記録" in html
    assert "千葉市ひきこもり地域支援センター" in html and "若葉区生活自立・仕事相談センター" in html
    assert "氏名・生年月日などの本人情報" in html and "ご本人の同意" in html
    assert "@media print" in html


def _secrets():
    values = []
    for case in DEMO_CONSULTATIONS:
        person = case["person"]
        values += [person["name"], person["name_kana"], case["summary"]]
        values += [person["phone"]] if person.get("phone") else []
        values += [part for part in person["name"].split() if len(part) >= 2]
    return [v.encode() for v in values]


def test_database_files_and_dumps_reveal_no_names_phone_numbers_or_notes(network, settings):
    proxy, _ = network
    for case in DEMO_CONSULTATIONS:
        recorded = proxy.intake.record_consultation(case)
        grant(proxy, recorded["person_ref"], {"type": "permit"}, method="verbal_with_witness",
              witness="立会 太郎")
        proxy.intake.disclose_person({"consultation_id": recorded["consultation_id"],
                                      "recipient_desk_id": "hikikomori-center", "purpose": "emergency",
                                      "categories": ["identity"], "basis": "emergency",
                                      "justification": f"{case['person']['name']}さんの安否確認のため緊急に共有が必要"})
    url = settings.database_url_for("intake")
    secrets = _secrets() + ["立会".encode()]
    if url.startswith("sqlite"):
        files = list(Path(settings.data_dir).rglob("*.sqlite3*"))
        assert files
        for path in files:
            content = path.read_bytes()
            found = [s.decode() for s in secrets if s in content]
            assert not found, f"{path.name} contains {found}"
    else:
        pg_dump = shutil.which("pg_dump")
        assert pg_dump, "pg_dump is needed to check a PostgreSQL dump"
        for service in ("intake", "consent", "referrals", "monitor", "directory"):
            target = settings.database_url_for(service).replace("postgresql+psycopg2", "postgresql")
            dump = subprocess.run([pg_dump, target], capture_output=True, check=True).stdout
            found = [s.decode() for s in secrets if s in dump]
            assert not found, f"the {service} dump contains {found}"


def test_a_consent_that_reaches_its_end_date_expires_and_recipients_are_asked_to_delete(network):
    proxy, _ = network
    from datetime import datetime, timedelta, timezone
    recorded, referral = record_and_refer(proxy, ["identity"])
    until = (datetime.now(timezone.utc) + timedelta(seconds=1.5)).isoformat()
    consent = grant(proxy, recorded["person_ref"], {"type": "permit", "categories": ["identity"]}, valid_until=until)
    assert proxy.referrals.referral_information(referral["referral_id"], "hikikomori-center")["permitted"] == ["identity"]
    history = wait_for(lambda: (h := proxy.consent.consent_history(consent["consent_id"]))[-1]["status"] == "expired" and h,
                       timeout=10, what="the expiry")
    assert [h["status"] for h in history] == ["active", "expired"]
    assert [r["recipient_desk_id"] for r in proxy.consent.deletion_status(recorded["person_ref"])] == ["hikikomori-center"]
    assert proxy.referrals.referral_information(referral["referral_id"], "hikikomori-center")["permitted"] == []
