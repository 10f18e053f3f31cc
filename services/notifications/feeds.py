"""Per-agency AMQP feeds: one RabbitMQ user per agency that can read only its own routing keys.

The agency declares queues named ``feed.<desk>.<anything>`` and binds them to the
``tsunagu.feeds`` topic exchange with keys under ``agency.<desk>.``; the broker refuses
(ACCESS_REFUSED) a binding to another agency's keys, a queue under another name, and any
publishing. Nothing in tsunagu's code stands between the agency and that rule.
"""
from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from shared.messaging.topology import FEEDS_EXCHANGE


@dataclass(frozen=True)
class FeedAccess:
    user: str
    configure: str
    write: str
    read: str
    topic_read: str


def access_for(desk_id: str) -> FeedAccess:
    if not re.fullmatch(r"[a-z0-9][a-z0-9-]{0,62}", desk_id):
        raise ValueError("a desk id is lower-case letters, digits and hyphens")
    own_queues = rf"^feed\.{re.escape(desk_id)}\..+$"
    return FeedAccess(
        user=f"feed-{desk_id}",
        configure=own_queues,
        write=own_queues,  # binding needs write on the queue; the exchange is not writable
        read=rf"^(feed\.{re.escape(desk_id)}\..+|{re.escape(FEEDS_EXCHANGE)})$",
        topic_read=rf"^agency\.{re.escape(desk_id)}\..*$",
    )


def provision(management, vhost: str, desk_id: str, password: str | None = None) -> dict:
    """Create (or reset) the agency's feed user; the password is returned once."""
    access = access_for(desk_id)
    password = password or secrets.token_urlsafe(24)
    management.put_user(access.user, password)
    management.set_permissions(vhost, access.user, access.configure, access.write, access.read)
    management.set_topic_permissions(vhost, access.user, FEEDS_EXCHANGE, write="^$", read=access.topic_read)
    return {"user": access.user, "password": password, "vhost": vhost, "exchange": FEEDS_EXCHANGE,
            "binding_keys": f"agency.{desk_id}.#", "queue_prefix": f"feed.{desk_id}."}
