"""Who must know of an event, and what they are told. No I/O.

The receiving desk learns of a new referral; the referring desk of every status change;
supervisors of an escalation (level 1: the receiving desk's, level 2 goes to the referring
desk); recipients of data of a deletion request; meeting members of a meeting; the assigned
desk of a concern report to reach out on. Notices carry codes and ids, never personal data.
"""
from __future__ import annotations

from dataclasses import dataclass

DESK, SUPERVISOR = "desk", "supervisor"


@dataclass(frozen=True)
class Notice:
    desk_id: str
    role: str  # DESK: everyone at the desk; SUPERVISOR: its supervisors
    kind: str
    title: str
    urgency: str
    case_id: str | None
    referral_id: str | None = None


STATUS_TITLES = {
    "referral.received": "つなぎ先が受け付けました", "referral.accepted": "つなぎ先が引き受けました",
    "referral.rejected": "つなぎ先がお断りしました（理由と代わりの窓口をご確認ください）",
    "referral.started": "支援が始まりました", "referral.paused": "支援が一時中断しました",
    "referral.resumed": "支援が再開しました", "referral.completed": "支援が完了しました",
    "referral.failed": "支援ができませんでした", "referral.cancelled": "つなぎが取り消されました",
    "referral.voided": "誤登録として取り消されました", "referral.reopened": "支援が再開されました（再オープン）",
}


def notices_for(event_type: str, data: dict, case_id: str | None) -> list[Notice]:
    if event_type == "referral.requested":
        return [Notice(data["to_desk_id"], DESK, "new_referral", "新しいつなぎが届きました", data["urgency"],
                       case_id, data["referral_id"])]
    if event_type in STATUS_TITLES:
        urgency = "urgent" if event_type == "referral.rejected" else "normal"
        return [Notice(data["from_desk_id"], DESK, "referral_status", STATUS_TITLES[event_type], urgency,
                       case_id, data["referral_id"])]
    if event_type == "referral.escalated":
        role = SUPERVISOR if data["level"] == 1 else DESK
        return [Notice(data["notify_desk_id"], role, "escalation",
                       "期限までに引き受けられていないつなぎがあります", data["urgency"], case_id, data["referral_id"])]
    if event_type == "meeting.convened":
        return [Notice(desk, DESK, "meeting", "支援会議への参加依頼があります", "normal", case_id)
                for desk in data["member_desk_ids"] if desk != data["convened_by_desk_id"]]
    if event_type == "disclosure.deletion_requested":
        return [Notice(data["recipient_desk_id"], DESK, "deletion_request",
                       "同意の撤回・期限切れにより、受け取った情報の削除をお願いします", "urgent", None)]
    if event_type == "consultation.recorded" and data.get("outreach_desk_id"):
        return [Notice(data["outreach_desk_id"], DESK, "outreach", "気づきの連絡がありました（訪問をご検討ください）",
                       data["urgency"], case_id)]
    return []


SUBSCRIBED = ("referral.requested", *STATUS_TITLES, "referral.escalated", "meeting.convened",
              "disclosure.deletion_requested", "consultation.recorded")


def feed_routing_key(desk_id: str, event_type: str) -> str:
    """Agency feeds: one topic exchange; the key starts with the agency (desk) it is for."""
    return f"agency.{desk_id}.{event_type}"
