"""The gateway's pure rules: sign-in throttling, roles, the caller's language, problem details,
and the operation table that both the router and the OpenAPI document are built from."""
import re
from datetime import datetime, timedelta, timezone

import pytest

from services.gateway import accounts, problems
from services.gateway.accounts import Caller
from services.gateway.api import OPERATIONS, PREFIX
from services.gateway.dispatch import URLS
from services.gateway.openapi import build

NOW = datetime(2026, 11, 28, 9, 0, tzinfo=timezone.utc)


def test_sign_in_locks_out_after_the_limit_within_the_window_only():
    recent = [NOW - timedelta(seconds=s) for s in (10, 20, 30)]
    assert accounts.locked_out(recent[:2], NOW, limit=3, window=60) == 0
    assert accounts.locked_out(recent, NOW, limit=3, window=60) == pytest.approx(30)
    assert accounts.locked_out([NOW - timedelta(seconds=120)] * 5, NOW, limit=3, window=60) == 0


def test_roles_are_ordered():
    supervisor = Caller(actor="s-1", desk_id="d", role="supervisor", kind="staff")
    assert supervisor.may("staff") and supervisor.may("supervisor") and not supervisor.may("admin")


def test_secrets_are_random_and_only_their_hash_is_kept():
    key = accounts.new_secret(accounts.API_KEY_PREFIX)
    assert key.startswith("tsk_") and len(key) > 40 and accounts.new_secret() != accounts.new_secret()
    assert accounts.secret_hash(key) == accounts.secret_hash(key) != key


@pytest.mark.parametrize("header, expected", [
    (None, "ja"), ("", "ja"), ("en-US,en;q=0.9", "en"), ("fr-FR, en;q=0.5", "en"), ("ja,en;q=0.8", "ja"),
    ("de", "ja")])
def test_the_api_answers_in_japanese_unless_english_comes_first(header, expected):
    assert problems.language(header) == expected
    assert problems.language(header, override="en") == "en"


def test_field_messages_are_translated_in_their_nested_shape():
    errors = {"person": {"name": ["Missing data for required field."], "name_kana": ["katakana only"]},
              "ward": ["Must be one of: chuo, inage."], "x": ["something new"]}
    assert problems.translate_errors(errors, "ja") == {
        "person": {"name": ["必須項目です。"], "name_kana": ["カタカナで入力してください。"]},
        "ward": ["次のいずれかを指定してください: chuo, inage"], "x": ["something new"]}
    assert problems.translate_errors(errors, "en") == errors


def test_a_problem_follows_rfc_9457():
    body = problems.problem(422, "en", errors={"a": ["b"]}, correlation_id="c-1")
    assert body == {"type": "urn:tsunagu:problem:invalid-input", "title": "Please check the fields",
                    "status": 422, "errors": {"a": ["b"]}, "correlation_id": "c-1"}


@pytest.mark.parametrize("op", OPERATIONS, ids=lambda op: op.name)
def test_the_router_reaches_every_operation(op):
    path = PREFIX + re.sub(r"<\w+>", "some-id", op.path)
    assert URLS.bind("localhost").match(path, method=op.method)[0] is op


def test_the_openapi_document_describes_every_operation_once():
    document = build()
    assert document["openapi"] == "3.1.0"
    ids = [o["operationId"] for path in document["paths"].values() for o in path.values()]
    assert len(ids) == len(set(ids)) == len(OPERATIONS) + 1  # and the live stream
    for path, operations in document["paths"].items():
        for method, doc in operations.items():
            names = re.findall(r"{(\w+)}", path)
            assert [p["name"] for p in doc["parameters"] if p["in"] == "path"] == names
            problem_codes = {c for c, r in doc["responses"].items() if "application/problem+json" in r.get("content", {})}
            assert problem_codes, f"{method} {path} documents no problem responses"
            if doc["operationId"] not in ("sign_in", "directory_hsds"):  # public by design
                assert doc["security"], f"{method} {path} needs authentication"


@pytest.mark.parametrize("target, expected", [
    ("/referrals/r-1", "/referrals/r-1"), ("/inbox?lang=en", "/inbox?lang=en"), ("/\\evil.com", "/inbox"),
    ("//evil.com", "/inbox"), ("https://evil.com/inbox", "/inbox"), ("/nowhere", "/inbox"), (None, "/inbox"),
    ("/inbox\r\nSet-Cookie: x", "/inbox")])
def test_after_sign_in_only_pages_of_this_ui_are_followed(target, expected):
    from services.gateway.page import safe_next
    assert safe_next(target) == expected


def test_text_that_cannot_be_stored_is_refused_before_it_reaches_a_database():
    from services.gateway import text
    assert text.clean({"a": ["ok", {"b": "日本語"}]})
    assert not text.clean({"a": "x\x00y"}) and not text.clean(["\ud800"]) and not text.clean({"\x00": 1})
    with pytest.raises(text.BadText, match="nested too deeply"):
        text.parse_json(b"[" * 100_000 + b"]" * 100_000)
    with pytest.raises(text.BadText, match="NUL"):
        text.parse_json(b'{"password": "\\ud800"}')
    assert not text.NUMBER.match("²") and text.NUMBER.match("12")
