"""Publishing with pipelined publisher confirms and ``mandatory`` routing.

A whole batch is written to the channel, then the confirms are awaited together: far faster
than one round trip per message, and still nothing counts as sent until the broker has taken
responsibility for it. ``mandatory`` makes an event that no queue is bound for come back as an
error instead of vanishing.
"""
from __future__ import annotations

import time
from dataclasses import dataclass, field

import amqp

from ..events.envelope import CONTENT_TYPE
from .topology import declare_exchange


TRACKING_HEADER = "x-tsunagu-key"
# Longest wait between reconnection attempts (event consumers and outbox relays). The broker
# fault run showed why it must be short: a broker back for only ~2.5 s between two restarts was
# missed entirely with 5 s waits (nameko's consumers, at 2 s, got in), so hand-offs from before
# the first restart waited through the second as well.
RECONNECT_LONGEST_SECONDS = 2.0


class PublishTimeout(Exception):
    """The broker did not confirm the batch in time; the unconfirmed part is sent again later."""


@dataclass(frozen=True)
class OutgoingMessage:
    message_id: str
    routing_key: str
    body: bytes
    headers: dict | None = None
    exchange: str | None = None
    key: str | None = None  # how the result names it; defaults to message_id

    @property
    def tracking_key(self) -> str:
        return self.key or self.message_id


@dataclass
class BatchResult:
    confirmed: list[str] = field(default_factory=list)
    failed: dict[str, str] = field(default_factory=dict)


def connect(amqp_uri: str, heartbeat: int = 0) -> amqp.Connection:
    """An ``amqp.Connection`` for a URI such as amqp://user:pass@host:5672/vhost."""
    from kombu.utils.url import parse_url
    parts = parse_url(amqp_uri)
    conn = amqp.Connection(
        host=f"{parts['hostname'] or '127.0.0.1'}:{parts['port'] or 5672}",
        userid=parts["userid"] or "guest", password=parts["password"] or "guest",
        virtual_host=parts["virtual_host"] or "/", heartbeat=heartbeat, connect_timeout=5)
    conn.connect()
    return conn


class ConfirmingPublisher:
    """One connection and one confirm-mode channel; not shared between threads."""

    def __init__(self, amqp_uri: str, exchange: str, confirm_timeout: float = 30.0):
        self.amqp_uri = amqp_uri
        self.exchange = exchange
        self.confirm_timeout = confirm_timeout
        self._connection: amqp.Connection | None = None
        self._channel = None
        self._next_tag = 1
        self._outstanding: dict[int, str] = {}
        self._result: BatchResult | None = None

    def _ensure_channel(self):
        if self._channel is not None and self._connection.connected:
            return self._channel
        self.close()
        self._connection = connect(self.amqp_uri)
        channel = self._connection.channel()
        if self.exchange:
            declare_exchange(channel, self.exchange)
        channel.confirm_select()
        channel.events["basic_ack"].add(self._on_ack)
        channel.events["basic_nack"].add(self._on_nack)
        channel.events["basic_return"].add(self._on_return)
        self._channel, self._next_tag, self._outstanding = channel, 1, {}
        return channel

    def publish_batch(self, messages: list[OutgoingMessage]) -> BatchResult:
        """Publish persistently, wait for every confirm; report confirmed and failed ids."""
        channel = self._ensure_channel()
        self._result = BatchResult()
        try:
            for message in messages:
                headers = dict(message.headers or {})
                if message.tracking_key != message.message_id:
                    headers[TRACKING_HEADER] = message.tracking_key
                channel.basic_publish(
                    amqp.Message(message.body, content_type=CONTENT_TYPE, delivery_mode=2,
                                 message_id=message.message_id, application_headers=headers),
                    exchange=self.exchange if message.exchange is None else message.exchange,
                    routing_key=message.routing_key, mandatory=True)
                self._outstanding[self._next_tag] = message.tracking_key
                self._next_tag += 1
            deadline = time.monotonic() + self.confirm_timeout
            while self._outstanding:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise PublishTimeout(f"{len(self._outstanding)} messages unconfirmed")
                try:
                    self._connection.drain_events(timeout=min(remaining, 1.0))
                except TimeoutError:
                    continue
        except Exception:
            self.close()  # a half-confirmed channel is not reused; the caller retries
            raise
        result, self._result = self._result, None
        return result

    def _settle(self, delivery_tag: int, multiple: bool, failure: str | None) -> None:
        tags = [t for t in self._outstanding if t <= delivery_tag] if multiple else [delivery_tag]
        for tag in tags:
            message_id = self._outstanding.pop(tag, None)
            if message_id is None:
                continue
            if failure or message_id in self._result.failed:
                self._result.failed.setdefault(message_id, failure)
            else:
                self._result.confirmed.append(message_id)

    def _on_ack(self, delivery_tag, multiple):
        self._settle(delivery_tag, multiple, None)

    def _on_nack(self, delivery_tag, multiple):
        self._settle(delivery_tag, multiple, "nacked by the broker")

    def _on_return(self, exc, exchange, routing_key, message):
        # A returned message is still acked afterwards; remember why it failed.
        headers = message.properties.get("application_headers") or {}
        key = headers.get(TRACKING_HEADER) or message.properties.get("message_id")
        self._result.failed[key] = (
            f"unroutable: no queue bound for {routing_key!r} on exchange {exchange!r} ({exc})")

    def close(self) -> None:
        connection, self._connection, self._channel = self._connection, None, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # the connection is already gone; nothing to release
                pass
