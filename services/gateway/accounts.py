"""Who is calling, and what a role may do: pure rules, no I/O.

A staff member acts for one desk; an agency system acts for one desk through an API key. The
desk is the unit of entitlement: every service answers only for the caller's desk, or for desks
a referral, meeting or consent decision entitles."""
from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

ROLES = ("staff", "supervisor", "admin")
API_KEY_PREFIX = "tsk_"


@dataclass(frozen=True)
class Caller:
    actor: str        # staff account id, or api key id
    desk_id: str
    role: str         # staff, supervisor, admin; an API key acts as staff
    kind: str         # "staff" or "system"
    display_name: str = ""

    def may(self, role: str) -> bool:
        return ROLES.index(self.role) >= ROLES.index(role)


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(32)


def secret_hash(secret: str) -> str:
    """Sessions and API keys are random and long, so a fast hash is enough (argon2 is for passwords)."""
    return hashlib.sha256(secret.encode()).hexdigest()


def throttle_key(username: str, address: str) -> str:
    return f"{username.casefold()}|{address}"


def locked_out(failures: list[datetime], now: datetime, limit: int, window: float) -> float:
    """Seconds until another try is allowed (0: allowed now) after these recent failures."""
    recent = sorted(f for f in failures if now - f < timedelta(seconds=window))
    if len(recent) < limit:
        return 0.0
    return max(0.0, (recent[-limit] + timedelta(seconds=window) - now).total_seconds())
