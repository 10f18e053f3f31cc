"""What the staff UI says, in Japanese (the default) and English. Plain words, short sentences."""
from __future__ import annotations

from shared.vocabulary import CHANNELS, CONCERNS, URGENCIES, WARDS

MESSAGES = {
    "app": ("つなぐ", "tsunagu"),
    "tagline": ("相談を、必要な支援へ確実につなぐ", "Connect every consultation to the right help"),
    "skip": ("本文へ移動", "Skip to main content"),
    "switch_language": ("English", "日本語"),
    "sign_in": ("ログイン", "Sign in"),
    "sign_out": ("ログアウト", "Sign out"),
    "username": ("ユーザー名", "Username"),
    "password": ("パスワード", "Password"),
    "signed_in_as": ("ログイン中", "Signed in as"),
    "nav": ("メインメニュー", "Main menu"),
    "inbox": ("受信箱", "Inbox"),
    "consultations": ("相談一覧", "Consultations"),
    "new_consultation": ("相談を記録する", "Record a consultation"),
    "live_on": ("新しい通知は自動で表示されます", "New notifications appear here by themselves"),
    "new_notification": ("新しい通知", "New notification"),
    "no_notifications": ("通知はまだありません", "No notifications yet"),
    "acknowledge": ("確認した", "Acknowledge"),
    "acknowledged": ("確認済み", "Acknowledged"),
    "open": ("開く", "Open"),
    "received_referrals": ("届いた紹介", "Referrals to this desk"),
    "sent_referrals": ("送った紹介", "Referrals from this desk"),
    "none": ("ありません", "None"),
    "status": ("状況", "Status"),
    "urgency": ("緊急度", "Urgency"),
    "reason": ("理由", "Reason"),
    "outcome": ("結果", "Outcome"),
    "note": ("メモ", "Note"),
    "when": ("日時", "When"),
    "desk": ("窓口", "Desk"),
    "from_desk": ("紹介元", "From"),
    "reporter": ("気づきの連絡をした人", "Who reported the concern"),
    "to_desk": ("紹介先", "To"),
    "person": ("ご本人", "Person"),
    "name": ("氏名", "Name"),
    "name_kana": ("フリガナ（カタカナ）", "Name in katakana"),
    "birth_date": ("生年月日", "Date of birth"),
    "phone": ("電話番号", "Phone"),
    "address": ("住所", "Address"),
    "ward": ("区", "Ward"),
    "channel": ("相談のきっかけ", "Channel"),
    "concerns": ("困りごと（複数選択可）", "Concerns (choose all that apply)"),
    "summary": ("相談内容", "Summary"),
    "required": ("必須", "required"),
    "optional": ("任意", "optional"),
    "record": ("記録する", "Record"),
    "recorded": ("相談を記録しました", "Consultation recorded"),
    "possible_matches": ("同じ方かもしれない相談", "Possibly the same person"),
    "no_matches": ("該当はありません", "None found"),
    "suggested_desks": ("おすすめの紹介先", "Suggested desks"),
    "refer": ("紹介する", "Refer"),
    "refer_to": ("紹介先を選ぶ", "Choose where to refer"),
    "share": ("紹介先に共有をお願いする情報", "Information the receiving desk may ask to see"),
    "share_hint": ("実際に見せるかどうかは、ご本人の同意にもとづいて共有のたびに判断されます。",
                   "Whether it is shown is decided from the person's consent each time it is read."),
    "case": ("ケース", "Case"),
    "timeline": ("経過", "Timeline"),
    "referral": ("紹介", "Referral"),
    "actions": ("操作", "Actions"),
    "information": ("共有された情報", "Shared information"),
    "show_information": ("共有された情報を見る", "Show shared information"),
    "permitted": ("共有が許可された項目", "Permitted"),
    "denied": ("共有されなかった項目", "Not shared"),
    "consent": ("同意", "Consent"),
    "record_consent": ("同意を記録する", "Record consent"),
    "granted_by": ("同意した人", "Granted by"),
    "method": ("同意の方法", "Method"),
    "witness": ("立会人", "Witness"),
    "guardian_name": ("保護者の氏名", "Guardian's name"),
    "purpose": ("目的", "Purpose"),
    "recipients": ("共有先の窓口（複数選択可）", "Desks it may be shared with"),
    "categories": ("共有してよい情報（複数選択可）", "Information that may be shared"),
    "valid_until": ("有効期限", "Valid until"),
    "withdraw": ("同意を撤回する", "Withdraw consent"),
    "withdraw_hint": ("撤回はすぐに有効になり、共有先には削除をお願いします。",
                      "Withdrawal takes effect at once; recipients are asked to delete what they received."),
    "versions": ("履歴", "Versions"),
    "meeting": ("支援会議", "Support meeting"),
    "convene": ("会議を開く", "Convene a meeting"),
    "kind": ("種類", "Kind"),
    "members": ("参加する窓口", "Member desks"),
    "agenda": ("議題", "Agenda"),
    "decisions": ("決定事項", "Decisions"),
    "record_decision": ("決定を記録する", "Record a decision"),
    "decision_text": ("決定内容", "Decision"),
    "then_refer_to": ("決定にもとづく紹介先（任意）", "Refer to (optional)"),
    "report": ("情報提供の記録（ご本人向け）", "Disclosure report (for the person)"),
    "errors_title": ("入力内容を確認してください", "Please check the fields below"),
    "not_found": ("見つかりません。この窓口では閲覧できないか、存在しません。",
                  "Not found: it does not exist, or this desk may not see it."),
    "unavailable": ("一時的に利用できません。しばらくしてからやり直してください。",
                    "Temporarily unavailable; please try again shortly."),
    "conflict": ("現在の状態ではこの操作はできません。", "This is not possible in the current state."),
    "signed_out": ("ログアウトしました", "Signed out"),
    "bad_login": ("ユーザー名またはパスワードが違います", "Wrong username or password"),
    "too_many": ("試行回数が多すぎます。{seconds} 秒ほど待ってからやり直してください。",
                 "Too many attempts. Wait about {seconds} seconds and try again."),
    "print": ("印刷する", "Print"),
    "yes": ("はい", "Yes"),
    "no": ("いいえ", "No"),
    "back": ("戻る", "Back"),
    "person_ref": ("本人番号", "Person ref"),
    "details": ("詳細", "Details"),
    "level": ("段階", "Level"),
    "monitor": ("運用状況", "Monitor"),
    "alerts": ("アラート", "Alerts"),
    "no_alerts": ("アラートはありません", "No alerts"),
    "queues": ("キュー", "Queues"),
    "queue": ("キュー", "Queue"),
    "messages": ("件数", "Messages"),
    "unacked": ("処理中", "Unacked"),
    "consumers": ("受信者", "Consumers"),
    "flow": ("流れ（直近 {minutes} 分）", "Flow (last {minutes} minutes)"),
    "event_rates": ("イベントの種類ごとの件数", "Events by type"),
    "pair_rates": ("窓口から窓口への紹介", "Referrals between desks"),
    "waiting": ("受付待ちの紹介", "Referrals waiting for pick-up"),
    "age": ("経過", "Age"),
    "deadline": ("受付期限", "Pick-up deadline"),
    "overdue": ("期限切れ", "Overdue"),
    "dead_letters": ("処理できなかったメッセージ", "Dead letters"),
    "replay": ("選んだものを再送する", "Replay the selected"),
    "discard": ("破棄する", "Discard"),
    "select": ("選ぶ", "Select"),
    "error": ("エラー", "Error"),
    "attempts": ("試行回数", "Attempts"),
    "indicators": ("計画の指標", "Plan indicators"),
    "by_ward": ("区別の相談件数", "Consultations by ward"),
    "by_channel": ("きっかけ別の相談件数", "Consultations by channel"),
    "by_concern": ("困りごと別の相談件数", "Consultations by concern"),
    "by_month": ("月別の相談件数", "Consultations by month"),
    "by_pair": ("窓口間の紹介と結果", "Referrals by desk pair and outcome"),
    "pickup": ("受付までの時間（期限に対して）", "Pick-up time against the deadline"),
    "rates": ("割合", "Rates"),
    "completion": ("完了", "Completion"),
    "rejection": ("受入れ不可", "Rejection"),
    "escalation": ("期限超過の通知", "Escalation"),
    "csv": ("CSV でダウンロード", "Download CSV"),
    "trace": ("追跡", "Trace"),
    "trace_key": ("ケース番号または相関 ID", "Case id or correlation id"),
    "search": ("検索", "Search"),
    "hop": ("経過時間", "Since previous"),
    "delivery": ("配送", "Delivery"),
    "original_message": ("元のメッセージ", "Original message"),
    "history": ("操作の記録", "What admins did"),
}

ACTION_LABELS = {
    "receive": ("受け付ける", "Receive"), "accept": ("受け入れる", "Accept"),
    "reject": ("受け入れない（理由を記入）", "Reject (give a reason)"), "start": ("支援を始める", "Start"),
    "pause": ("一時中断する", "Pause"), "resume": ("再開する", "Resume"),
    "complete": ("完了する（結果を記入）", "Complete (give the outcome)"), "fail": ("支援を終了する（理由）", "Close as failed"),
    "cancel": ("取り下げる", "Cancel"), "void": ("誤登録として取り消す", "Mark as entered in error"),
    "reopen": ("再び開く", "Reopen"),
}

STATUS_LABELS = {
    "requested": ("依頼中", "Requested"), "received": ("受付済み", "Received"), "accepted": ("受入れ", "Accepted"),
    "rejected": ("受入れ不可", "Rejected"), "in-progress": ("支援中", "In progress"), "on-hold": ("中断中", "On hold"),
    "completed": ("完了", "Completed"), "failed": ("終了（未達成）", "Failed"), "cancelled": ("取下げ", "Cancelled"),
    "entered-in-error": ("誤登録", "Entered in error"),
}

_EN_VOCABULARY = {
    "chuo": "Chuo", "hanamigawa": "Hanamigawa", "inage": "Inage", "wakaba": "Wakaba", "midori": "Midori",
    "mihama": "Mihama", "walk_in": "Walk-in", "phone": "Phone", "sns_chat": "SNS chat",
    "outreach_visit": "Outreach visit", "child_navigator": "School / child navigator",
    "concern_report": "Concern report (commissioner, CSW, resident)", "health": "Health", "employment": "Work",
    "housing": "Housing", "income_debt": "Income and debt", "hikikomori": "Hikikomori (social withdrawal)",
    "mental_health": "Mental health", "elder_care": "Elder care", "child_learning": "Children and learning",
    "pregnancy": "Pregnancy", "single_parent_family": "Single parent and family", "other": "Other",
    "risk_to_life": "Risk to life", "urgent": "Urgent", "normal": "Normal",
}

EVENT_LABELS = {
    "consultation.recorded": ("相談を記録", "Consultation recorded"),
    "person.linked": ("同じ方として結び付け", "Linked as the same person"),
    "person.unlinked": ("結び付けを解除", "Link undone"),
    "referral.requested": ("紹介を依頼", "Referral sent"), "referral.received": ("紹介を受付", "Referral received"),
    "referral.accepted": ("紹介を受入れ", "Referral accepted"), "referral.rejected": ("受入れ不可", "Referral rejected"),
    "referral.started": ("支援を開始", "Support started"), "referral.paused": ("支援を中断", "Support paused"),
    "referral.resumed": ("支援を再開", "Support resumed"), "referral.completed": ("支援を完了", "Support completed"),
    "referral.failed": ("支援を終了（未達成）", "Support closed, not achieved"),
    "referral.cancelled": ("紹介を取下げ", "Referral cancelled"), "referral.voided": ("誤登録として取消", "Marked as entered in error"),
    "referral.reopened": ("支援を再び開始", "Referral reopened"),
    "referral.escalated": ("期限までに受付がなく上長へ通知", "Escalated: not picked up in time"),
    "meeting.convened": ("会議を招集", "Meeting convened"), "meeting.decided": ("会議で決定", "Meeting decided"),
}

PICKUP_LABELS = {
    "within half the window": ("期限の半分以内に受付", "Within half the window"),
    "within the window": ("期限内に受付", "Within the window"),
    "after the deadline": ("期限後に受付", "After the deadline"),
    "waiting": ("受付待ち", "Waiting"), "waiting, overdue": ("受付待ち（期限切れ）", "Waiting, overdue"),
}

CATEGORY_LABELS = {
    "identity": ("氏名・生年月日", "Name and date of birth"), "contact": ("連絡先", "Contact details"),
    "household": ("世帯", "Household"), "income": ("収入", "Income"), "health": ("健康", "Health"),
    "mental_health": ("こころの健康", "Mental health"), "employment": ("仕事", "Employment"),
    "housing": ("住まい", "Housing"), "child": ("子ども", "Children"), "case_notes": ("相談記録", "Case notes"),
}


def translator(lang: str):
    index = 0 if lang == "ja" else 1

    def t(key: str, **values) -> str:
        text = MESSAGES.get(key, (key, key))[index]
        return text.format(**values) if values else text

    def label(code, table=None) -> str:
        if code is None:
            return ""
        if table is not None:
            return table.get(code, (code, code))[index]
        for vocabulary in (WARDS, CHANNELS, CONCERNS, URGENCIES):
            if code in vocabulary:
                return vocabulary[code] if lang == "ja" else _EN_VOCABULARY.get(code, code)
        return code

    return t, label
