"""The disclosure log's hash chain. No I/O.

Each entry carries the hash of the one before it, and a head row holds the newest hash, so
changing or deleting any entry (the last included) breaks the chain at that entry. It proves
the log was not edited after the fact by someone who could not also rewrite every later hash
and the head; publishing the head elsewhere from time to time closes that gap.
"""
from __future__ import annotations

import hashlib
import json

GENESIS = "0" * 64
HASHED_FIELDS = ("seq", "at", "person_ref", "discloser_desk_id", "recipient_desk_id", "categories",
                 "basis", "purpose", "consent_ref", "meeting_id", "justification", "subject_id")


def entry_hash(previous: str, entry: dict) -> str:
    canonical = json.dumps({k: entry.get(k) for k in HASHED_FIELDS}, sort_keys=True,
                           ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256((previous + canonical).encode()).hexdigest()


def first_broken(entries: list[dict], head: dict | None) -> int | None:
    """The seq of the first entry that does not match the chain, or None if all match.

    ``entries`` are in seq order; ``head`` is {"seq", "hash"} of the newest entry.
    """
    previous, expected_seq = GENESIS, 1
    for entry in entries:
        if entry["seq"] != expected_seq:  # a deleted entry: the gap is where it was
            return expected_seq
        if entry["prev_hash"] != previous or entry["hash"] != entry_hash(previous, entry):
            return entry["seq"]
        previous, expected_seq = entry["hash"], expected_seq + 1
    last = expected_seq - 1
    if head is not None:
        if head["seq"] < last:  # entries the head does not vouch for
            return head["seq"] + 1
        if head["seq"] > last:  # the newest entries were deleted
            return expected_seq
        if head["hash"] != previous:
            return last
    return None
