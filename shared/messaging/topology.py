"""Names and declarations of tsunagu's exchanges and queues.

One durable topic exchange carries every event, routed by event type. Each consuming service
has one durable queue (a quorum queue where the broker supports it) bound to the types it
handles, and a dead-letter queue beside it. A quorum queue's delivery limit dead-letters a
message that keeps crashing its consumer process, so nothing loops forever.
"""
from __future__ import annotations

from dataclasses import dataclass

CRASH_REDELIVERY_LIMIT = 10


@dataclass(frozen=True)
class ServiceQueues:
    service: str

    @property
    def events(self) -> str:
        return f"tsunagu.{self.service}"

    @property
    def dead_letters(self) -> str:
        return f"tsunagu.{self.service}.dead"


def queue_arguments(queue_type: str, dead_letter_queue: str | None = None) -> dict:
    """A service's event queue (the one with a dead-letter queue) has a single active consumer:
    with two instances of a service, one consumes and the other takes over the moment it stops,
    from the first unacked message, so the events of a case are still applied in order."""
    args = {"x-single-active-consumer": True} if dead_letter_queue else {}
    if queue_type != "quorum":
        return args
    args["x-queue-type"] = "quorum"
    if dead_letter_queue:
        args.update({
            "x-delivery-limit": CRASH_REDELIVERY_LIMIT,
            "x-dead-letter-exchange": "",
            "x-dead-letter-routing-key": dead_letter_queue,
            "x-dead-letter-strategy": "at-least-once",
            "x-overflow": "reject-publish",
        })
    return args


FEEDS_EXCHANGE = "tsunagu.feeds"
UNROUTED_FEEDS = "tsunagu.feeds.unrouted"
UNROUTED_RETENTION_MS = 7 * 24 * 3600 * 1000


def declare_exchange(channel, exchange: str) -> None:
    """The events exchange. Other exchanges are declared by the service that owns them (the
    notifications service declares the agency feeds at start, before its relay runs)."""
    channel.exchange_declare(exchange, "topic", durable=True, auto_delete=False)


def declare_feeds(channel) -> None:
    """The agency feeds: a topic exchange keyed ``agency.<desk>.<event type>``. A message for an
    agency that has not subscribed yet goes to a holding queue (kept a week), not back as an
    error: a missing subscriber must not stall the outbox."""
    channel.exchange_declare(UNROUTED_FEEDS, "fanout", durable=True, auto_delete=False)
    channel.queue_declare(UNROUTED_FEEDS, durable=True, auto_delete=False,
                          arguments={"x-message-ttl": UNROUTED_RETENTION_MS, "x-max-length": 100_000})
    channel.queue_bind(UNROUTED_FEEDS, UNROUTED_FEEDS, routing_key="")
    channel.exchange_declare(FEEDS_EXCHANGE, "topic", durable=True, auto_delete=False,
                             arguments={"alternate-exchange": UNROUTED_FEEDS})


def declare_service_queues(channel, exchange: str, service: str, event_types, queue_type: str) -> ServiceQueues:
    """Declare (idempotently) a service's queue, its bindings and its dead-letter queue."""
    names = ServiceQueues(service)
    declare_exchange(channel, exchange)
    channel.queue_declare(names.dead_letters, durable=True, auto_delete=False,
                          arguments=queue_arguments(queue_type))
    channel.queue_declare(names.events, durable=True, auto_delete=False,
                          arguments=queue_arguments(queue_type, names.dead_letters))
    for event_type in sorted(set(event_types)):
        channel.queue_bind(names.events, exchange, routing_key=event_type)
    return names
