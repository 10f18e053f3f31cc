"""The published event contract: every event type tsunagu emits, with its schema versions.

Importing this package fills ``REGISTRY``. Event payloads carry identifiers and codes, never a
person's name, contact or notes: personal information travels only where the consent service
permits it.
"""
from ..registry import EventRegistry

REGISTRY = EventRegistry()

from . import consent, consultation, directory, monitoring, notifications, referrals  # noqa: E402,F401  (register their events)
