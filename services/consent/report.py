"""The person's "who saw my data" report: a printable document in Japanese. No I/O."""
from __future__ import annotations

from datetime import datetime
from html import escape
from zoneinfo import ZoneInfo

CATEGORY_LABELS = {
    "identity": "氏名・生年月日などの本人情報", "contact": "連絡先・住所", "household": "世帯の状況",
    "income": "収入・資産", "health": "健康", "mental_health": "こころの健康", "employment": "仕事",
    "housing": "住まい", "child": "子どもに関すること", "case_notes": "相談記録",
}
BASIS_LABELS = {
    "consent": "ご本人の同意",
    "support_meeting": "支援会議（生活困窮者自立支援法第9条：構成員の守秘義務のもとでの共有）",
    "emergency": "生命・身体の保護のための緊急時（個人情報保護法の例外。事後に管理者が確認）",
}
PURPOSE_LABELS = {
    "referral": "支援機関へのつなぎ", "support_meeting": "支援会議", "support_coordination": "支援調整会議",
    "outreach": "訪問支援", "case_reading": "相談記録の確認", "notification": "通知", "emergency": "緊急対応",
}


def _when(iso: str, zone: ZoneInfo) -> str:
    moment = datetime.fromisoformat(iso).astimezone(zone)
    return f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def render(person_ref: str, entries: list[dict], desk_names: dict[str, str], generated_at: datetime,
           zone: ZoneInfo) -> str:
    rows = "\n".join(
        f"<tr><td>{escape(_when(e['at'], zone))}</td>"
        f"<td>{escape(desk_names.get(e['discloser_desk_id'], e['discloser_desk_id']))}</td>"
        f"<td>{escape(desk_names.get(e['recipient_desk_id'], e['recipient_desk_id']))}</td>"
        f"<td>{escape('、'.join(CATEGORY_LABELS[c] for c in e['categories']))}</td>"
        f"<td>{escape(BASIS_LABELS[e['basis']])}</td>"
        f"<td>{escape(PURPOSE_LABELS.get(e['purpose'], e['purpose']))}</td></tr>"
        for e in entries) or '<tr><td colspan="6">提供の記録はありません。</td></tr>'
    return f"""<!doctype html>
<html lang="ja">
<head>
<meta charset="utf-8">
<title>あなたの情報の提供記録</title>
<style>
  body {{ font-family: "Noto Sans JP", "Hiragino Sans", sans-serif; color: #1a1a1a; margin: 2rem; line-height: 1.7; }}
  h1 {{ font-size: 1.5rem; }}
  table {{ border-collapse: collapse; width: 100%; font-size: 0.95rem; }}
  th, td {{ border: 1px solid #767676; padding: 0.5rem; text-align: left; vertical-align: top; }}
  th {{ background: #f1f1f1; }}
  @media print {{ body {{ margin: 1cm; }} a {{ color: inherit; }} }}
</style>
</head>
<body>
<h1>あなたの情報の提供記録</h1>
<p>整理番号: {escape(person_ref)}<br>作成日時: {escape(_when(generated_at.isoformat(), zone))}</p>
<p>この記録は、あなたの個人情報が、いつ、どの窓口からどの機関へ、どの範囲で、どのような根拠と目的で提供されたかを示すものです。
記録は改ざんを検知できる方法で保存されています。ご不明な点は、相談された窓口にお尋ねください。</p>
<table>
<thead><tr><th scope="col">日時</th><th scope="col">提供元</th><th scope="col">提供先</th><th scope="col">提供した情報</th><th scope="col">根拠</th><th scope="col">目的</th></tr></thead>
<tbody>
{rows}
</tbody>
</table>
</body>
</html>
"""
