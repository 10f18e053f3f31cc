"""Personal data at rest: field-by-field authenticated encryption, and keyed hashes for look-ups.

Fernet (AES-128-CBC with HMAC-SHA256, random IV) encrypts each field; the same name encrypts
differently every time, so a database file or dump alone reveals no names, phone numbers,
addresses or notes. Look-ups by name or phone go through an HMAC-SHA256 of the normalised value
under a separate key. Several data keys may be configured: the first encrypts, all decrypt,
and ``rotate`` re-encrypts under the first.
"""
from __future__ import annotations

import hashlib
import hmac
import json
import logging
import os
import tempfile
import threading
from pathlib import Path

import sqlalchemy as sa
from cryptography.fernet import Fernet, InvalidToken, MultiFernet

log = logging.getLogger(__name__)


class KeyringError(ValueError):
    pass


class Keyring:
    def __init__(self, data_keys: list[str], lookup_key: str):
        try:
            self._fernet = MultiFernet([Fernet(k.encode() if isinstance(k, str) else k) for k in data_keys])
        except (ValueError, TypeError) as exc:
            raise KeyringError(f"a data key is not a Fernet key (32 url-safe base64 bytes): {exc}") from exc
        if len(lookup_key) < 32:
            raise KeyringError("the lookup key must be at least 32 characters")
        self._lookup = lookup_key.encode()

    def encrypt(self, value: str) -> str:
        return self._fernet.encrypt(value.encode()).decode()

    def decrypt(self, token: str) -> str:
        try:
            return self._fernet.decrypt(token.encode()).decode()
        except InvalidToken as exc:
            raise KeyringError("cannot decrypt: no configured data key matches (or the value was altered)") from exc

    def rotate(self, token: str) -> str:
        return self._fernet.rotate(token.encode()).decode()

    def lookup_hash(self, normalised: str | None) -> str | None:
        if not normalised:
            return None
        return hmac.new(self._lookup, normalised.encode(), hashlib.sha256).hexdigest()


_keyring: Keyring | None = None
_configuring = threading.Lock()


def configure(settings) -> Keyring:
    """Install the process's keyring from the settings (or, for a local demo, a key file)."""
    global _keyring
    with _configuring:
        data_keys, lookup_key = settings.data_keys, settings.lookup_key
        if not data_keys:
            data_keys, lookup_key = _local_keys(Path(settings.data_dir) / "keys.json")
        _keyring = Keyring([k for k in data_keys.split(",") if k], lookup_key)
        return _keyring


def keyring() -> Keyring:
    if _keyring is None:
        raise KeyringError("no keyring configured: call shared.crypto.configure(settings) at start")
    return _keyring


def _local_keys(path: Path) -> tuple[str, str]:
    """Generated once per data directory so `scripts/up` works with nothing configured. Several
    processes starting at once on a new directory agree: the file appears whole (written aside,
    then linked into place, which fails if another process linked first) and the losers read it."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        stored = {"data_keys": Fernet.generate_key().decode(), "lookup_key": Fernet.generate_key().decode()}
        fd, aside = tempfile.mkstemp(dir=path.parent, prefix=".keys-")  # mode 0600
        try:
            with os.fdopen(fd, "w") as out:
                json.dump(stored, out)
            os.link(aside, path)
            log.warning("TSUNAGU_DATA_KEYS is not set: generated local keys in %s (set it in production)", path)
        except FileExistsError:
            pass  # another process made them first
        finally:
            os.unlink(aside)
    stored = json.loads(path.read_text())
    return stored["data_keys"], stored["lookup_key"]


class Encrypted(sa.TypeDecorator):
    """A text column stored encrypted; JSON values are serialised first (``json=True``)."""
    impl = sa.Text
    cache_ok = True

    def __init__(self, json: bool = False):
        super().__init__()
        self.json = json

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        text = json.dumps(value, ensure_ascii=False) if self.json else str(value)
        return keyring().encrypt(text)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        text = keyring().decrypt(value)
        return json.loads(text) if self.json else text
