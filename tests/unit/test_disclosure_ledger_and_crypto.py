"""The disclosure log's hash chain, field encryption and payload minimisation."""
import pytest
from cryptography.fernet import Fernet

from services.consent import ledger
from shared.crypto import Keyring, KeyringError
from shared.personal_data import minimise

pytestmark = pytest.mark.unit


def chain(n):
    entries, previous = [], ledger.GENESIS
    for seq in range(1, n + 1):
        entry = {"seq": seq, "at": f"2026-11-28T09:{seq:02d}:00+00:00", "person_ref": "p-1",
                 "discloser_desk_id": "a", "recipient_desk_id": "b", "categories": ["identity"],
                 "basis": "consent", "purpose": "referral", "consent_ref": "cs-1/v1", "meeting_id": None,
                 "justification": None, "subject_id": "r-1"}
        entry["prev_hash"], entry["hash"] = previous, ledger.entry_hash(previous, entry)
        previous = entry["hash"]
        entries.append(entry)
    return entries, {"seq": n, "hash": previous}


def test_an_untouched_log_verifies():
    entries, head = chain(5)
    assert ledger.first_broken(entries, head) is None


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_a_changed_entry_is_named(seq):
    entries, head = chain(5)
    entries[seq - 1]["recipient_desk_id"] = "someone-else"
    assert ledger.first_broken(entries, head) == seq


@pytest.mark.parametrize("seq", [1, 3, 5])
def test_a_deleted_entry_is_named_where_it_was(seq):
    entries, head = chain(5)
    del entries[seq - 1]
    assert ledger.first_broken(entries, head) == seq


def test_rehashing_one_entry_is_still_caught_by_the_next():
    entries, head = chain(4)
    entries[1]["categories"] = ["identity", "health"]
    entries[1]["hash"] = ledger.entry_hash(entries[1]["prev_hash"], entries[1])
    assert ledger.first_broken(entries, head) == 3


def test_field_encryption_is_randomised_authenticated_and_rotatable():
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    lookup = "x" * 40
    before = Keyring([old], lookup)
    token = before.encrypt("見本 花子")
    assert "見本" not in token and before.encrypt("見本 花子") != token
    after = Keyring([new, old], lookup)
    assert after.decrypt(token) == "見本 花子"
    rotated = after.rotate(token)
    assert Keyring([new], lookup).decrypt(rotated) == "見本 花子"
    with pytest.raises(KeyringError):
        Keyring([new], lookup).decrypt(token)
    with pytest.raises(KeyringError):
        before.decrypt(token[:-4] + "AAAA")
    assert before.lookup_hash("0430000001") == after.lookup_hash("0430000001") != Keyring([old], "y" * 40).lookup_hash("0430000001")


def test_a_payload_is_cut_down_to_the_permitted_categories():
    record = {"name": "見本 花子", "name_kana": "ミホン ハナコ", "birth_date": "1968-04-02", "phone": "043-000-0001",
              "address": "千葉市若葉区", "household": [{"relation": "子"}], "summary": "相談内容", "unknown": "x"}
    assert minimise(record, ["identity"]) == {"name": "見本 花子", "name_kana": "ミホン ハナコ", "birth_date": "1968-04-02"}
    assert set(minimise(record, ["contact", "case_notes"])) == {"phone", "address", "summary"}
    assert minimise(record, []) == {}



def test_processes_starting_at_once_on_a_new_data_directory_agree_on_its_local_keys(tmp_path):
    """Every service process of a fresh `tsunagu run` set-up generates the keys if none exist;
    they must end with one key set, not a crash or two sets (data one cannot read back)."""
    import subprocess
    import sys
    import time
    path, start_at = tmp_path / "data" / "keys.json", time.time() + 2  # all at once, once imported
    script = (f"import pathlib, time; from shared.crypto import _local_keys; time.sleep(max(0, {start_at} - time.time())); "
              f"print(_local_keys(pathlib.Path({str(path)!r})))")
    starts = [subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               text=True) for _ in range(12)]
    outcomes = [(p.wait(60), *p.communicate()) for p in starts]
    assert [code for code, _, _ in outcomes] == [0] * 12, [err for _, _, err in outcomes if err][:1]
    assert len({out for _, out, _ in outcomes}) == 1
    assert [p.name for p in path.parent.iterdir()] == ["keys.json"]
    assert oct(path.stat().st_mode & 0o777) == "0o600"
