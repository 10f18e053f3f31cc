"""Gateway use cases on its own tables: accounts, sign-in, sessions, API keys, audit."""
from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import sqlalchemy as sa
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from shared.errors import Conflict, InvalidInput, NotFound

from . import accounts
from .accounts import Caller
from .tables import api_keys, audit_log, login_failures, sessions, staff_accounts

_hasher = PasswordHasher()
_DUMMY_HASH = _hasher.hash("not a password")  # keeps unknown usernames as slow as wrong passwords


class TooManyAttempts(Exception):
    def __init__(self, retry_after: float):
        self.retry_after = retry_after
        super().__init__(retry_after)


class BadCredentials(Exception):
    """Wrong username or password; which of the two is never told."""


def _aware(moment):
    from shared.clock import as_utc
    return as_utc(moment)


def create_staff(uow, username: str, password: str, desk_id: str, role: str, display_name: str,
                 now: datetime) -> dict:
    errors = {}
    if not username or len(username) > 64 or not username.replace("-", "").replace("_", "").replace(".", "").isalnum():
        errors["username"] = ["letters, digits, '-', '_' or '.', up to 64"]
    if len(password) < 12:
        errors["password"] = ["at least 12 characters"]
    if role not in accounts.ROLES:
        errors["role"] = [f"one of {', '.join(accounts.ROLES)}"]
    if errors:
        raise InvalidInput(errors)
    if uow.session.scalar(sa.select(staff_accounts.c.id).where(staff_accounts.c.username == username)):
        raise Conflict(f"username {username!r} is taken")
    account_id = f"s-{uuid.uuid4().hex[:12]}"
    uow.session.execute(staff_accounts.insert().values(
        id=account_id, username=username, display_name=display_name or username,
        password_hash=_hasher.hash(password), desk_id=desk_id, role=role, active=True, created_at=now))
    uow.commit()
    return {"id": account_id, "username": username, "desk_id": desk_id, "role": role,
            "display_name": display_name or username}


def sign_in(uow, username: str, password: str, address: str, now: datetime, hours: float,
            limit: int, window: float) -> tuple[str, datetime, Caller]:
    """A new session token (shown once) for good credentials; failures are counted per account
    and address, and too many within the window lock that pair out for a while."""
    key = accounts.throttle_key(username, address)
    since = now - timedelta(seconds=window)
    failures = [_aware(f) for f in uow.session.scalars(sa.select(login_failures.c.at).where(
        login_failures.c.throttle_key == key, login_failures.c.at > since))]
    wait = accounts.locked_out(failures, now, limit, window)
    if wait:
        raise TooManyAttempts(wait)
    row = uow.session.execute(sa.select(staff_accounts).where(
        staff_accounts.c.username == username, staff_accounts.c.active)).first()
    try:
        _hasher.verify(row.password_hash if row else _DUMMY_HASH, password)
        if row is None:
            raise VerificationError("no such account")
    except (VerificationError, InvalidHashError):
        uow.session.execute(login_failures.insert().values(throttle_key=key, at=now))
        uow.session.execute(login_failures.delete().where(login_failures.c.at < since))
        uow.commit()
        raise BadCredentials() from None
    uow.session.execute(login_failures.delete().where(login_failures.c.throttle_key == key))
    token = accounts.new_secret()
    expires = now + timedelta(hours=hours)
    uow.session.execute(sessions.insert().values(token_hash=accounts.secret_hash(token), account_id=row.id,
                                                 created_at=now, expires_at=expires))
    uow.commit()
    return token, expires, _staff_caller(row)


def _staff_caller(row) -> Caller:
    return Caller(actor=row.id, desk_id=row.desk_id, role=row.role, kind="staff", display_name=row.display_name)


def authenticate(session, secret: str, now: datetime) -> Caller | None:
    """The caller a session token or API key stands for, or None if it is unknown, expired or revoked."""
    digest = accounts.secret_hash(secret)
    if secret.startswith(accounts.API_KEY_PREFIX):
        key = session.execute(sa.select(api_keys).where(api_keys.c.key_hash == digest,
                                                        api_keys.c.revoked_at.is_(None))).first()
        return key and Caller(actor=key.id, desk_id=key.desk_id, role="staff", kind="system",
                              display_name=key.label)
    row = session.execute(sa.select(staff_accounts, sessions.c.expires_at).join(
        sessions, sessions.c.account_id == staff_accounts.c.id).where(
        sessions.c.token_hash == digest, staff_accounts.c.active)).first()
    if row is None or _aware(row.expires_at) <= now:
        return None
    return _staff_caller(row)


def sign_out(uow, secret: str) -> None:
    uow.session.execute(sessions.delete().where(sessions.c.token_hash == accounts.secret_hash(secret)))
    uow.commit()


def issue_api_key(uow, caller: Caller, label: str, now: datetime) -> dict:
    """The key itself is in this answer only; the gateway keeps its hash."""
    key_id = f"k-{uuid.uuid4().hex[:12]}"
    secret = accounts.new_secret(accounts.API_KEY_PREFIX)
    uow.session.execute(api_keys.insert().values(id=key_id, key_hash=accounts.secret_hash(secret),
                                                 desk_id=caller.desk_id, label=label, created_by=caller.actor,
                                                 created_at=now))
    uow.commit()
    return {"id": key_id, "key": secret, "label": label, "desk_id": caller.desk_id, "created_at": now.isoformat()}


def _key_view(row) -> dict:
    return {"id": row.id, "label": row.label, "desk_id": row.desk_id, "created_at": _aware(row.created_at).isoformat(),
            "revoked_at": _aware(row.revoked_at).isoformat() if row.revoked_at else None}


def list_api_keys(session, caller: Caller) -> list[dict]:
    rows = session.execute(sa.select(api_keys).where(api_keys.c.desk_id == caller.desk_id)
                           .order_by(api_keys.c.created_at))
    return [_key_view(r) for r in rows]


def revoke_api_key(uow, caller: Caller, key_id: str, now: datetime) -> dict:
    row = uow.session.execute(sa.select(api_keys).where(api_keys.c.id == key_id,
                                                        api_keys.c.desk_id == caller.desk_id)).first()
    if row is None:
        raise NotFound(f"no API key {key_id!r}")
    if row.revoked_at is None:
        uow.session.execute(api_keys.update().where(api_keys.c.id == key_id).values(revoked_at=now))
        uow.commit()
    return _key_view(uow.session.execute(sa.select(api_keys).where(api_keys.c.id == key_id)).first())


def audit(uow, caller: Caller | None, action: str, target: str | None, correlation_id: str, status: int,
          now: datetime) -> None:
    uow.session.execute(audit_log.insert().values(
        at=now, actor=caller.actor if caller else "anonymous", desk_id=caller.desk_id if caller else None,
        action=action, target=target, correlation_id=correlation_id, status=status))
    uow.commit()


def audit_trail(session, caller: Caller, limit: int = 200) -> list[dict]:
    """Admins see their desk's trail."""
    rows = session.execute(sa.select(audit_log).where(audit_log.c.desk_id == caller.desk_id)
                           .order_by(audit_log.c.id.desc()).limit(limit))
    return [{"at": _aware(r.at).isoformat(), "actor": r.actor, "action": r.action, "target": r.target,
             "correlation_id": r.correlation_id, "status": r.status} for r in rows]
