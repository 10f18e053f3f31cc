"""RFC 9457 problem details, with per-field messages in the caller's language.

Services speak English in their field messages; staff read Japanese by default. Known messages
are translated here (marshmallow's own and tsunagu's); anything else is passed through as is."""
from __future__ import annotations

import re

TYPE_BASE = "urn:tsunagu:problem:"

TITLES = {
    400: ("リクエストの形式が正しくありません", "The request is malformed"),
    401: ("ログインが必要です", "Sign-in required"),
    403: ("この操作は許可されていません", "You may not do this"),
    404: ("見つかりません", "Not found"),
    405: ("この方法では操作できません", "Method not allowed"),
    409: ("現在の状態ではこの操作はできません", "Not possible in the current state"),
    413: ("送信内容が大きすぎます", "The request is too large"),
    415: ("JSON で送信してください", "Send JSON"),
    422: ("入力内容を確認してください", "Please check the fields"),
    429: ("試行回数が多すぎます。しばらく待ってからやり直してください", "Too many attempts; wait and try again"),
    500: ("内部エラーが発生しました", "Internal error"),
    503: ("一時的に利用できません。しばらくしてからやり直してください", "Temporarily unavailable; try again shortly"),
}

SLUGS = {400: "malformed", 401: "unauthenticated", 403: "not-permitted", 404: "not-found", 405: "method",
         409: "conflict", 413: "too-large", 415: "media-type", 422: "invalid-input", 429: "too-many-attempts",
         500: "internal", 503: "unavailable"}

# (pattern, Japanese template); groups are carried over
_JA = [
    (r"^Missing data for required field\.$", "必須項目です。"),
    (r"^Unknown field\.$", "この項目は受け付けていません。"),
    (r"^Field may not be null\.$", "空にはできません。"),
    (r"^Not a valid string\.$", "文字列で入力してください。"),
    (r"^Not a valid integer\.$", "整数で入力してください。"),
    (r"^Not a valid number\.$", "数値で入力してください。"),
    (r"^Not a valid boolean\.$", "はい／いいえで指定してください。"),
    (r"^Not a valid date\.$", "日付（YYYY-MM-DD）で入力してください。"),
    (r"^Not a valid datetime\.$", "日時（ISO 8601）で入力してください。"),
    (r"^Not a valid aware datetime\.$", "タイムゾーン付きの日時で入力してください。"),
    (r"^Not a valid list\.$", "リストで指定してください。"),
    (r"^Not a valid URL\.$", "URL の形式が正しくありません。"),
    (r"^Not a valid email address\.$", "メールアドレスの形式が正しくありません。"),
    (r"^Invalid input type\.$", "形式が正しくありません。"),
    (r"^Must be one of: (.*)\.$", r"次のいずれかを指定してください: \1"),
    (r"^Must be greater than or equal to (\S+) and less than or equal to (\S+)\.$", r"\1 以上 \2 以下で指定してください。"),
    (r"^Length must be between (\d+) and (\d+)\.$", r"\1〜\2 文字（件）で指定してください。"),
    (r"^Shorter than minimum length (\d+)\.$", r"\1 文字（件）以上で指定してください。"),
    (r"^Longer than maximum length (\d+)\.$", r"\1 文字（件）以内で指定してください。"),
    (r"^String does not match expected pattern\.$", "形式が正しくありません。"),
    (r"^katakana only$", "カタカナで入力してください。"),
    (r"^expected a JSON object$", "JSON オブジェクトで送信してください。"),
    (r"^a desk cannot refer to itself$", "自分の窓口へは紹介できません。"),
    (r"^the same desk is named twice$", "同じ窓口が二度指定されています。"),
    (r"^a concern report names who reported it$", "気づきの連絡では連絡者を指定してください。"),
    (r"^only a concern report has a reporter$", "連絡者は気づきの連絡のときだけ指定します。"),
    (r"^a consultation cannot be linked to itself$", "同じ相談どうしは結び付けられません。"),
    (r"^name the guardian who granted it$", "同意した保護者の氏名を入力してください。"),
    (r"^verbal consent needs a witness$", "口頭の同意には立会人が必要です。"),
    (r"^must be after valid_from$", "開始日時より後にしてください。"),
    (r"^at least 12 characters$", "12 文字以上にしてください。"),
]
_JA_COMPILED = [(re.compile(p), t) for p, t in _JA]


def language(accept_language: str | None, override: str | None = None) -> str:
    """ja unless the caller asks for English first."""
    if override in ("ja", "en"):
        return override
    for part in (accept_language or "").split(","):
        tag = part.split(";")[0].strip().lower()
        if tag.startswith("ja"):
            return "ja"
        if tag.startswith("en"):
            return "en"
    return "ja"


def translate(message: str, lang: str) -> str:
    if lang != "ja":
        return message
    for pattern, template in _JA_COMPILED:
        if pattern.match(message):
            return pattern.sub(template, message)
    return message


def translate_errors(errors, lang: str):
    """The same nested shape as marshmallow's messages, every leaf message translated."""
    if isinstance(errors, dict):
        return {str(k): translate_errors(v, lang) for k, v in errors.items()}
    if isinstance(errors, (list, tuple)):
        return [translate_errors(v, lang) for v in errors]
    return translate(str(errors), lang)


def problem(status: int, lang: str, detail: str | None = None, errors=None, correlation_id: str | None = None,
            **extra) -> dict:
    ja, en = TITLES.get(status, TITLES[500])
    body = {"type": TYPE_BASE + SLUGS.get(status, "internal"), "title": ja if lang == "ja" else en,
            "status": status}
    if detail:
        body["detail"] = detail
    if errors:
        body["errors"] = translate_errors(errors, lang)
    if correlation_id:
        body["correlation_id"] = correlation_id
    body.update(extra)
    return body
