"""The demo: invented people at three desks, handed on between agencies and traced by the monitor.

Every name here is invented. It talks to the running services over RPC, exactly as the
gateway will.
"""
from __future__ import annotations

import time

DEMO_CONSULTATIONS = [
    {"desk_id": "wakaba-life-independence-center", "ward": "wakaba", "channel": "walk_in",
     "concerns": ["hikikomori", "employment"], "urgency": "normal",
     "summary": "息子が長くひきこもっており、今後の仕事が心配（架空の事例）",
     "person": {"name": "見本 花子", "name_kana": "ミホン ハナコ", "birth_date": "1968-04-02",
                "phone": "043-000-0001"}},
    {"desk_id": "mihama-welfare-commissioner", "ward": "mihama", "channel": "concern_report",
     "concerns": ["elder_care", "income_debt"], "urgency": "urgent",
     "reporter": {"kind": "welfare_commissioner", "desk_id": "mihama-welfare-commissioner"},
     "outreach_desk_id": "mihama-life-independence-center",
     "summary": "一人暮らしの高齢者の郵便物がたまっている（架空の事例）",
     "person": {"name": "試験 一郎", "name_kana": "シケン イチロウ", "birth_date": "1941-11-20"}},
    {"desk_id": "inage-child-navigator", "ward": "inage", "channel": "child_navigator",
     "concerns": ["child_learning", "single_parent_family"], "urgency": "normal",
     "summary": "ひとり親家庭の子の学習と生活の支援（架空の事例）",
     "person": {"name": "仮名 みらい", "name_kana": "カメイ ミライ", "birth_date": "2013-06-15"}},
]


WAKABA = "wakaba-life-independence-center"


def play(settings, timeout: float = 30.0) -> int:
    """Three invented cases through intake, the directory, referrals and the monitor."""
    from nameko.standalone.rpc import ClusterRpcProxy

    from .runtime.settings import nameko_config

    with ClusterRpcProxy(nameko_config(settings), timeout=timeout) as cluster:
        cases = day(cluster)
        print(f"\n── who saw {cases[0]['person_ref']}'s data ──")
        for entry in cluster.consent.disclosures_of(cases[0]["person_ref"]):
            print(f"    #{entry['seq']} {entry['at'][:19]} {entry['discloser_desk_id']} → {entry['recipient_desk_id']}: "
                  f"{', '.join(entry['categories'])} ({entry['basis']})")
        print(f"    disclosure log intact: {cluster.consent.verify_disclosure_log() is None}")
        return _trace(cluster, cases[0]["consultation_id"], timeout)


def day(cluster) -> list[dict]:
    """A day at three desks: the recorded consultations, after every hand-off has been played."""
    cases = [_record(cluster, case) for case in DEMO_CONSULTATIONS]
    _closed_loop(cluster, cases[0]["consultation_id"], cases[0]["person_ref"])
    _concern_report(cluster, cases[1]["consultation_id"])
    _support_meeting(cluster, cases[2]["consultation_id"])
    return cases


def _record(cluster, case: dict) -> dict:
    recorded = cluster.intake.record_consultation(case)
    print(f"\n● {case['desk_id']}: {case['channel']} consultation {recorded['consultation_id']} "
          f"({', '.join(case['concerns'])}, {case['urgency']})")
    for suggestion in recorded["suggested_desks"][:3]:
        print(f"    suggested: {suggestion['name']} — {'; '.join(suggestion['reasons'])}")
    if recorded["outreach_desk_id"]:
        print(f"    concern report: assigned for outreach to {recorded['outreach_desk_id']}")
    return recorded


def _act(cluster, referral_id: str, action: str, desk_id: str, **detail) -> dict:
    result = cluster.referrals.transition(dict(referral_id=referral_id, action=action, desk_id=desk_id,
                                               actor=f"{desk_id}-staff", **detail))
    print(f"    {desk_id} → {action}: {result['status']}")
    return result


def _closed_loop(cluster, case_id: str, person_ref: str) -> None:
    print("\n── Wakaba: one consultation, two hand-offs ──")
    referred = cluster.referrals.refer({
        "consultation_id": case_id, "from_desk_id": WAKABA, "actor": "wakaba-staff",
        "referrals": [{"to_desk_id": "hikikomori-center", "reason": "長期のひきこもりについて専門的な支援を",
                       "share_categories": ["identity", "contact", "case_notes"]},
                      {"to_desk_id": "hello-work-chiba", "reason": "就労の相談"}]})
    by_desk = {r["to_desk_id"]: r["referral_id"] for r in referred}
    for r in referred:
        print(f"    referred to {r['to_desk_id']} ({r['referral_id']}), pick up by {r['pickup_deadline']}")
    _consent_and_share(cluster, person_ref, by_desk["hikikomori-center"])
    _acknowledge_in_inbox(cluster, "hikikomori-center", by_desk["hikikomori-center"])
    _act(cluster, by_desk["hikikomori-center"], "accept", "hikikomori-center")
    rejected = _act(cluster, by_desk["hello-work-chiba"], "reject", "hello-work-chiba",
                    reason="まず就労準備支援から始めるのが適切")
    alternative = rejected["alternatives"][0]["desk_id"]
    print(f"    alternatives offered: {', '.join(a['desk_id'] for a in rejected['alternatives'])}")
    [again] = cluster.referrals.refer({"consultation_id": case_id, "from_desk_id": WAKABA, "actor": "wakaba-staff",
                                       "referrals": [{"to_desk_id": alternative, "reason": "ハローワークの助言により"}]})
    print(f"    re-routed to {alternative} ({again['referral_id']})")
    print("    timeline seen by the Wakaba desk:")
    for entry in cluster.referrals.timeline(case_id, WAKABA):
        detail = entry.get("to_desk_id") or entry.get("status") or entry.get("channel") or ""
        print(f"      {entry['at'][:19]}  {entry['type']:24} {detail}")


def _acknowledge_in_inbox(cluster, desk_id: str, referral_id: str, timeout: float = 10.0) -> None:
    """The receiving desk sees the hand-off in its inbox; acknowledging it marks it received."""
    deadline = time.monotonic() + timeout
    while not (notices := [n for n in cluster.notifications.inbox(desk_id) if n["referral_id"] == referral_id]):
        if time.monotonic() > deadline:
            raise RuntimeError(f"{desk_id} did not get the notice of {referral_id}")
        time.sleep(0.05)
    cluster.notifications.acknowledge({"notification_id": notices[0]["id"], "desk_id": desk_id,
                                       "actor": f"{desk_id}-staff"})
    while cluster.referrals.get_referral(referral_id, WAKABA)["status"] != "received":
        if time.monotonic() > deadline:
            raise RuntimeError(f"{referral_id} was not marked received")
        time.sleep(0.05)
    print(f"    {desk_id} inbox: 「{notices[0]['title']}」 acknowledged → received "
          f"(live: GET /desks/{desk_id}/stream)")


def _consent_and_share(cluster, person_ref: str, referral_id: str) -> None:
    """The person consents to identity and contact for the hikikomori center, not the notes."""
    cluster.consent.record_consent({
        "person_ref": person_ref, "desk_id": WAKABA, "actor": "wakaba-staff", "granted_by": "person",
        "method": "signed_form", "purpose": "ひきこもり支援のための情報共有",
        "provision": {"type": "permit", "recipients": ["hikikomori-center"], "purposes": ["referral"],
                      "categories": ["identity", "contact"]}})
    shared = cluster.referrals.referral_information(referral_id, "hikikomori-center")
    print(f"    consent recorded; hikikomori-center reads {', '.join(sorted(shared['person']))} "
          f"(permitted: {', '.join(shared['permitted'])}; not shared: {', '.join(shared['denied'])})")


def _concern_report(cluster, case_id: str) -> None:
    print("\n── Mihama: a welfare commissioner's concern report ──")
    [referral] = cluster.referrals.refer({
        "consultation_id": case_id, "from_desk_id": "mihama-life-independence-center", "actor": "mihama-staff",
        "referrals": [{"to_desk_id": "mihama-anshin-care-center", "reason": "訪問による状況確認を依頼"}]})
    print(f"    urgent referral to mihama-anshin-care-center must be picked up by {referral['pickup_deadline']}; "
          "otherwise it escalates to that center's supervisor, then back to the referring desk")


def _support_meeting(cluster, case_id: str) -> None:
    print("\n── Inage: a support meeting (支援会議) decides a hand-off ──")
    meeting = cluster.referrals.convene_meeting({
        "consultation_id": case_id, "kind": "support_meeting", "convened_by_desk_id": "inage-child-navigator",
        "member_desk_ids": ["learning-support", "inage-life-independence-center"],
        "agenda": "子どもの学習支援と家庭の生活支援の分担", "actor": "inage-navigator"})
    print(f"    meeting {meeting['meeting_id']} ({meeting['legal_basis']}): {', '.join(meeting['member_desk_ids'])}")
    decided = cluster.referrals.record_decision({
        "meeting_id": meeting["meeting_id"], "desk_id": "inage-child-navigator", "actor": "inage-navigator",
        "text": "学習・生活支援事業につなぐ",
        "action": {"to_desk_id": "learning-support", "reason": "支援会議の決定による"}})
    print(f"    decision {decided['decision_id']} → referral {decided['referral']['referral_id']} to learning-support")


def _trace(cluster, case_id: str, timeout: float) -> int:
    expected = len(cluster.referrals.timeline(case_id, WAKABA))
    deadline = time.monotonic() + timeout
    while len(hops := cluster.monitor.trace(case_id)) < expected:
        if time.monotonic() > deadline:
            print(f"  the monitor logged only {len(hops)} events of {case_id} within {timeout}s")
            return 1
        time.sleep(0.1)
    print(f"\n── monitor: trace of {case_id} ──")
    for hop in hops:
        gap = "" if hop["seconds_since_previous"] is None else f"+{hop['seconds_since_previous']:.3f}s"
        print(f"    {hop['type']:24} {hop['source']:20} {gap}")
    return 0
