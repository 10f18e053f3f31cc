"""Intake, directory and referrals together on the real broker: closed-loop hand-offs."""
import pytest
import sqlalchemy as sa
from nameko.exceptions import RemoteError

from services.monitor.tables import event_log
from services.referrals.service import ReferralService
from services.referrals.tables import consultations
from shared.demo import DEMO_CONSULTATIONS
from shared.persistence.engine import make_engine
from shared.persistence.tables import outbox

from .helpers import count, query, wait_for

pytestmark = pytest.mark.integration
WAKABA = "wakaba-life-independence-center"


def record_at_wakaba(proxy, **changes):
    case = dict(DEMO_CONSULTATIONS[0], **changes)
    return proxy.intake.record_consultation(case)["consultation_id"]


def test_a_wakaba_consultation_referred_to_two_agencies_closes_the_loop_on_the_timeline(network):
    proxy, _ = network
    case_id = record_at_wakaba(proxy)
    created = proxy.referrals.refer({
        "consultation_id": case_id, "from_desk_id": WAKABA, "actor": "wakaba-staff-1",
        "referrals": [{"to_desk_id": "hikikomori-center", "reason": "長期のひきこもりについて専門的な支援を"},
                      {"to_desk_id": "hello-work-chiba", "reason": "就労の相談"}]})
    by_desk = {r["to_desk_id"]: r["referral_id"] for r in created}
    assert all(r["status"] == "requested" for r in created)

    proxy.referrals.transition({"referral_id": by_desk["hikikomori-center"], "action": "receive",
                                "desk_id": "hikikomori-center", "actor": "hikikomori-staff"})
    accepted = proxy.referrals.transition({"referral_id": by_desk["hikikomori-center"], "action": "accept",
                                           "desk_id": "hikikomori-center", "actor": "hikikomori-staff"})
    rejected = proxy.referrals.transition({"referral_id": by_desk["hello-work-chiba"], "action": "reject",
                                           "desk_id": "hello-work-chiba", "actor": "hello-work-staff",
                                           "reason": "まず就労準備支援から始めるのが適切"})
    assert accepted["status"] == "accepted"
    assert rejected["status"] == "rejected"
    alternative_ids = [a["desk_id"] for a in rejected["alternatives"]]
    assert alternative_ids and "hello-work-chiba" not in alternative_ids and WAKABA not in alternative_ids
    assert all(a["reasons"] for a in rejected["alternatives"])

    # the consultation's own entry comes with its event from intake, which may follow the referral
    timeline = wait_for(lambda: (t := proxy.referrals.timeline(case_id, WAKABA))
                        and t[0]["type"] == "consultation.recorded" and t, what="the consultation on the timeline")
    types = [e["type"] for e in timeline]
    assert types.count("referral.requested") == 2
    assert "referral.accepted" in types and "referral.rejected" in types
    rejection = next(e for e in timeline if e["type"] == "referral.rejected")
    assert rejection["reason"] == "まず就労準備支援から始めるのが適切"
    assert [a["desk_id"] for a in rejection["alternatives"]] == alternative_ids
    assert [e["at"] for e in timeline] == sorted(e["at"] for e in timeline)

    # Hello Work sees its own referral's entries, not the hikikomori center's.
    hello = proxy.referrals.timeline(case_id, "hello-work-chiba")
    assert {e.get("referral_id") for e in hello if e.get("referral_id")} == {by_desk["hello-work-chiba"]}
    # A desk with no part in the case gets "not found", not the data.
    with pytest.raises(RemoteError) as hidden:
        proxy.referrals.timeline(case_id, "mihama-anshin-care-center")
    assert hidden.value.exc_type == "NotFound"

    # The hand-off is traced end to end by the monitor.
    hops = wait_for(lambda: (t := proxy.monitor.trace(case_id)) and len(t) >= 6 and t, what="the trace")
    assert [h["type"] for h in hops][:1] == ["consultation.recorded"]


def test_illegal_transitions_are_refused_with_a_clear_error(network):
    proxy, _ = network
    case_id = record_at_wakaba(proxy)
    [referral] = proxy.referrals.refer({"consultation_id": case_id, "from_desk_id": WAKABA, "actor": "s",
                                        "referrals": [{"to_desk_id": "hikikomori-center", "reason": "r"}]})
    with pytest.raises(RemoteError) as illegal:
        proxy.referrals.transition({"referral_id": referral["referral_id"], "action": "complete",
                                    "desk_id": "hikikomori-center", "actor": "s", "outcome": "done"})
    assert illegal.value.exc_type == "Conflict" and "cannot complete a referral that is requested" in illegal.value.value
    with pytest.raises(RemoteError) as wrong_desk:
        proxy.referrals.transition({"referral_id": referral["referral_id"], "action": "accept",
                                    "desk_id": WAKABA, "actor": "s"})
    assert wrong_desk.value.exc_type == "NotPermitted"
    with pytest.raises(RemoteError) as no_reason:
        proxy.referrals.transition({"referral_id": referral["referral_id"], "action": "reject",
                                    "desk_id": "hikikomori-center", "actor": "s"})
    assert no_reason.value.exc_type == "InvalidInput" and "reason" in no_reason.value.value


def test_a_referral_made_before_the_consultations_event_arrives_can_be_read_and_moved_at_once(network, settings):
    """An outside client records, refers, then reads the referral at once: the referral service
    may not have the consultation's event yet, and must not answer "not found" for what it made."""
    proxy, _ = network
    case_id = record_at_wakaba(proxy)
    wait_for(lambda: query(settings, "referrals", sa.select(consultations).where(consultations.c.id == case_id)),
             what="the consultation's event applied")
    with make_engine(settings.database_url_for("referrals")).begin() as conn:  # as if it had not arrived
        conn.execute(sa.delete(consultations).where(consultations.c.id == case_id))
    [referral] = proxy.referrals.refer({"consultation_id": case_id, "from_desk_id": WAKABA, "actor": "s",
                                        "referrals": [{"to_desk_id": "hikikomori-center", "reason": "r"}]})
    assert proxy.referrals.get_referral(referral["referral_id"], "hikikomori-center")["status"] == "requested"
    received = proxy.referrals.transition({"referral_id": referral["referral_id"], "action": "receive",
                                           "desk_id": "hikikomori-center", "actor": "s"})
    assert received["status"] == "received"
    [projected] = query(settings, "referrals", sa.select(consultations).where(consultations.c.id == case_id))
    assert (projected.desk_id, projected.ward) == (WAKABA, DEMO_CONSULTATIONS[0]["ward"])


def test_the_same_referral_sent_many_times_at_once_is_made_once(network):
    """A client's retry can run beside its original (a reply lost on the way back): only one
    referral to a desk may be open, however the requests interleave."""
    proxy, _ = network
    case_id = record_at_wakaba(proxy)
    request = {"consultation_id": case_id, "from_desk_id": WAKABA, "actor": "s",
               "referrals": [{"to_desk_id": "hikikomori-center", "reason": "r"}]}
    replies = [proxy.referrals.refer.call_async(request) for _ in range(8)]
    made, refused = 0, 0
    for reply in replies:
        try:
            reply.result()
            made += 1
        except RemoteError as exc:
            assert exc.exc_type == "Conflict", exc
            refused += 1
    assert (made, refused) == (1, 7)
    assert [e["type"] for e in proxy.referrals.timeline(case_id, WAKABA)].count("referral.requested") == 1


def escalations(settings, referral_id):
    rows = query(settings, "referrals", sa.select(outbox.c.body).where(outbox.c.event_type == "referral.escalated"))
    import json
    return sorted(json.loads(r.body)["data"]["level"] for r in rows
                  if json.loads(r.body)["data"]["referral_id"] == referral_id)


def test_an_urgent_referral_nobody_picks_up_escalates_once_per_level_across_restarts(
        network, settings, runner_factory, nameko_config):
    proxy, referrals_runner = network
    case_id = record_at_wakaba(proxy, urgency="urgent")
    [referral] = proxy.referrals.refer({"consultation_id": case_id, "from_desk_id": WAKABA, "actor": "s",
                                        "referrals": [{"to_desk_id": "hello-work-chiba", "reason": "急ぎ"}]})
    referrals_runner.kill()  # the service dies before the deadline passes
    import time
    time.sleep(2.5)
    restarted = runner_factory(nameko_config, ReferralService)
    restarted.start()
    wait_for(lambda: escalations(settings, referral["referral_id"])[:1] == [1], what="level 1 after restart")
    wait_for(lambda: escalations(settings, referral["referral_id"]) == [1, 2], timeout=10, what="level 2")
    restarted.stop()
    again = runner_factory(nameko_config, ReferralService)
    again.start()
    time.sleep(1.0)  # several deadline checks run
    assert escalations(settings, referral["referral_id"]) == [1, 2]

    view = proxy.referrals.get_referral(referral["referral_id"], WAKABA)
    assert view["escalation_level"] == 2 and view["status"] == "requested"
    entries = [e for e in proxy.referrals.timeline(case_id, WAKABA) if e["type"] == "referral.escalated"]
    assert [(e["level"], e["audience"], e["notify_desk_id"]) for e in entries] == [
        (1, "receiving_supervisor", "hello-work-chiba"), (2, "referring_desk", WAKABA)]
    logged = wait_for(lambda: (rows := query(settings, "monitor", sa.select(event_log.c.event_id).where(
        event_log.c.type == "referral.escalated", event_log.c.subject == case_id))) and len(rows) == 2 and rows,
        what="both escalations in the monitor")
    assert len({r.event_id for r in logged}) == 2


def test_an_accepted_referral_does_not_escalate(network, settings):
    proxy, _ = network
    case_id = record_at_wakaba(proxy, urgency="risk_to_life")
    [referral] = proxy.referrals.refer({"consultation_id": case_id, "from_desk_id": WAKABA, "actor": "s",
                                        "referrals": [{"to_desk_id": "hikikomori-center", "reason": "r"}]})
    proxy.referrals.transition({"referral_id": referral["referral_id"], "action": "accept",
                                "desk_id": "hikikomori-center", "actor": "s"})
    import time
    time.sleep(2.5)
    assert escalations(settings, referral["referral_id"]) == []


def test_a_support_meeting_decision_becomes_a_referral_seen_by_its_members(network):
    proxy, _ = network
    case_id = record_at_wakaba(proxy)
    meeting = proxy.referrals.convene_meeting({
        "consultation_id": case_id, "kind": "support_meeting", "convened_by_desk_id": WAKABA,
        "member_desk_ids": ["hikikomori-center", "wakaba-health-center"], "agenda": "支援方針の検討", "actor": "s"})
    assert meeting["legal_basis"].startswith("statutory")
    decided = proxy.referrals.record_decision({
        "meeting_id": meeting["meeting_id"], "desk_id": WAKABA, "actor": "s", "text": "就労準備支援につなぐ",
        "action": {"to_desk_id": "employment-preparation", "reason": "会議の決定による"}})
    assert decided["referral"]["to_desk_id"] == "employment-preparation"
    member_view = proxy.referrals.timeline(case_id, "wakaba-health-center")
    assert {"meeting.convened", "meeting.decided"} <= {e["type"] for e in member_view}
    with pytest.raises(RemoteError) as outsider:
        proxy.referrals.record_decision({"meeting_id": meeting["meeting_id"], "desk_id": "hello-work-chiba",
                                         "actor": "s", "text": "x"})
    assert outsider.value.exc_type == "NotFound"


def _outbox_counts(settings):
    return {s: count(settings, s, outbox) for s in ("intake", "referrals", "directory")}


BAD_INPUT = [
    ("intake", "record_consultation", {"desk_id": "", "ward": "kyoto", "channel": "fax", "concerns": ["x"],
                                       "person": {"name": ""}}, {"desk_id", "ward", "channel", "concerns", "person"}),
    ("intake", "record_consultation", dict(DEMO_CONSULTATIONS[0], channel="concern_report"), {"reporter"}),
    ("intake", "record_consultation", "not an object", {"_schema"}),
    ("intake", "link_persons", {"consultation_id_a": "c-1"}, {"consultation_id_b", "actor", "desk_id", "reason"}),
    ("intake", "link_persons", {"consultation_id_a": "c-1", "consultation_id_b": "c-1", "actor": "s",
                                "desk_id": WAKABA, "reason": "r"}, {"consultation_id_b"}),
    ("intake", "unlink_persons", {"link_id": 7}, {"link_id", "actor", "desk_id", "reason"}),
    ("referrals", "refer", {"consultation_id": "c-1", "referrals": []}, {"from_desk_id", "actor", "referrals"}),
    ("referrals", "refer", {"consultation_id": "c-1", "from_desk_id": WAKABA, "actor": "s",
                            "referrals": [{"to_desk_id": "x", "urgency": "soon"}]}, {"referrals"}),
    ("referrals", "transition", {"referral_id": "r-1", "action": "teleport"}, {"action", "desk_id", "actor"}),
    ("referrals", "convene_meeting", {"kind": "party"}, {"consultation_id", "kind", "convened_by_desk_id",
                                                         "member_desk_ids", "agenda", "actor"}),
    ("referrals", "record_decision", {"meeting_id": "m-1"}, {"desk_id", "actor", "text"}),
    ("directory", "search", {"ward": "osaka", "capacity": "plenty"}, {"ward", "capacity"}),
    ("directory", "suggest", {"concerns": []}, {"concerns", "ward"}),
    ("directory", "update_capacity", {"desk_id": WAKABA, "capacity": "overflowing"}, {"capacity", "actor"}),
]


def test_bad_input_at_every_entry_point_names_each_field_and_writes_nothing(network, settings):
    proxy, _ = network
    record_at_wakaba(proxy)
    before = _outbox_counts(settings)
    for service, method, payload, fields in BAD_INPUT:
        with pytest.raises(RemoteError) as error:
            getattr(getattr(proxy, service), method)(payload)
        assert error.value.exc_type == "InvalidInput", (service, method, error.value)
        for field in fields:
            assert repr(field) in error.value.value, (service, method, field, error.value.value)
    assert _outbox_counts(settings) == before


def test_same_person_matches_are_suggested_with_the_reason_linked_by_staff_audited_and_unlinked(network):
    proxy, _ = network
    person = dict(DEMO_CONSULTATIONS[0]["person"], name="見本 ハナ")  # another desk, a slightly different name
    first = proxy.intake.record_consultation(DEMO_CONSULTATIONS[0])
    second = proxy.intake.record_consultation(dict(DEMO_CONSULTATIONS[0], desk_id="wakaba-anshin-care-center",
                                                   person=person))
    [match] = second["possible_matches"]
    assert match["consultation_id"] == first["consultation_id"]
    assert match["reasons"] == ["same name (kana) and birth date", "same phone number"]
    assert second["person_ref"] != first["person_ref"]  # suggested, never merged

    link_id = proxy.intake.link_persons({"consultation_id_a": second["consultation_id"],
                                         "consultation_id_b": first["consultation_id"], "actor": "anshin-staff",
                                         "desk_id": "wakaba-anshin-care-center", "reason": "本人に確認した"})
    with pytest.raises(RemoteError) as twice:
        proxy.intake.link_persons({"consultation_id_a": first["consultation_id"],
                                   "consultation_id_b": second["consultation_id"], "actor": "s",
                                   "desk_id": WAKABA, "reason": "again"})
    assert twice.value.exc_type == "Conflict"
    proxy.intake.unlink_persons({"link_id": link_id, "actor": "wakaba-staff", "desk_id": WAKABA,
                                 "reason": "別人と判明"})
    history = proxy.intake.link_history(link_id, WAKABA)
    assert [(h["action"], h["desk_id"]) for h in history] == [("link", "wakaba-anshin-care-center"),
                                                              ("unlink", WAKABA)]
    with pytest.raises(RemoteError) as outsider:
        proxy.intake.link_history(link_id, "hello-work-chiba")
    assert outsider.value.exc_type == "NotFound"
    entries = wait_for(lambda: [e for e in proxy.referrals.timeline(first["consultation_id"], WAKABA)
                                if e["type"].startswith("person.")] or None, what="the link on the timeline")
    wait_for(lambda: len([e for e in proxy.referrals.timeline(first["consultation_id"], WAKABA)
                          if e["type"].startswith("person.")]) == 2, what="link and unlink on the timeline")
    assert entries[0]["link_id"] == link_id
