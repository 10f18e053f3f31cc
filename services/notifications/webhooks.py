"""Signed webhooks: the signature a receiver checks, and when to try again. No I/O.

The signature is HMAC-SHA256 over ``<timestamp>.<body>`` with the subscription's secret, sent
as ``X-Tsunagu-Signature: sha256=<hex>`` beside ``X-Tsunagu-Timestamp`` (Unix seconds). A
receiver recomputes it and rejects a mismatch or a timestamp more than five minutes old.
"""
from __future__ import annotations

import hashlib
import hmac
import random

MAX_ATTEMPTS = 6
BASE_DELAY = 1.0
MAX_DELAY = 300.0
TOLERANCE_SECONDS = 300


def sign(secret: str, timestamp: int, body: bytes) -> str:
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return f"sha256={mac.hexdigest()}"


def verify(secret: str, timestamp: str, body: bytes, signature: str, now: float) -> bool:
    """What a receiver does (any language can do the same in a few lines)."""
    try:
        stamp = int(timestamp)
    except (TypeError, ValueError):
        return False
    if abs(now - stamp) > TOLERANCE_SECONDS:
        return False
    return hmac.compare_digest(sign(secret, stamp, body), signature or "")


def next_delay(attempts: int, base: float = BASE_DELAY, cap: float = MAX_DELAY, rng=random.random) -> float:
    """Exponential backoff with jitter (half to full of the doubled delay)."""
    delay = min(cap, base * 2 ** (attempts - 1))
    return delay * (0.5 + rng() / 2)


def gives_up(attempts: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    return attempts >= max_attempts
