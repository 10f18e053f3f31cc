"""The ``subscribe`` entrypoint: reliable, idempotent, ordered event handling under nameko.

nameko's own ``event_handler`` acks a message whose handler raised, and handles one case's
events concurrently; neither is acceptable for hand-offs. Here:

* one durable queue per service, bound to the event types its methods subscribe to;
* a message is acked only after the handler's unit of work (its changes, the events it emits
  and the inbox row naming the event) has committed, so a crash means redelivery, not loss;
* the event id is claimed in the inbox first, in the handler's own transaction: a redelivered
  event (its id already there) is acked without running the handler again;
* deliveries are applied in the order they arrived, so the events of one case (the CloudEvents
  ``subject``) are handled one after another, in order;
* group commit: the deliveries waiting when the consumer is free (up to ``group_commit``) are
  applied in one transaction, each handler in its own worker, and acked after that one commit:
  under load, one connection, one claim statement and one commit serve many events; when idle a
  group is one event. If a handler in a group fails, the group rolls back and its events are
  applied one at a time, so one bad event costs the others nothing;
* a failed event is retried with backoff in a lane of its own, which its case's later events
  join while other cases go on; then it is dead-lettered with the error, original body and
  headers. Poison (bad JSON, unknown type or version, schema violation) is dead-lettered at once.

A handler is ``def on_x(self, event, uow)``: it gets the validated, upcast envelope and a
unit of work (opened, and the event claimed, at its first use), and must not commit it itself.
A handler that never touches it writes nothing, so nothing needs remembering.
"""
from __future__ import annotations

import collections
import logging
import socket
import sys
import threading
import time
from functools import partial

import amqp
from nameko.exceptions import ContainerBeingKilled
from nameko.extensions import Entrypoint, ProviderCollector, SharedExtension

from .. import inbox
from ..events import Envelope
from ..messaging import delivery
from ..messaging.publisher import RECONNECT_LONGEST_SECONDS, ConfirmingPublisher, OutgoingMessage, connect
from ..messaging.topology import ServiceQueues, declare_service_queues
from . import metrics
from .database import Database
from .settings import event_registry_of, settings_of

log = logging.getLogger(__name__)
HEARTBEAT_SECONDS = 10
ANY_EVENT = "#"  # a topic-exchange binding that matches every event type


class EventConsumer(SharedExtension, ProviderCollector):
    """Consumes the service's queue and hands each delivery to its subscriber, lane by lane."""

    def setup(self):
        self.settings = settings_of(self.container)
        self.queues = ServiceQueues(self.container.service_name)
        self.registry = event_registry_of(self.container)
        self._waiting: collections.deque = collections.deque()  # (message, envelope, provider)
        self._applying = False  # a thread is applying what waits
        self._held: dict[str, collections.deque] = {}  # case -> its events, behind a retried one
        self._single_writer = None  # SQLite: known once the database is set up
        self._stopping = False
        self._ready = threading.Event()
        self._connection = None
        self._dead_letters = ConfirmingPublisher(self.settings.amqp_uri, exchange="")
        self._dead_letter_lock = threading.Lock()

    def start(self):
        # Every subscriber registered in setup; looked up per message, so built once here.
        self.by_type = {p.event_type: p for p in self._providers}
        self._thread = self.container.spawn_managed_thread(self._consume_forever,
                                                           identifier="event-consumer")
        self._ready.wait()

    def unregister_provider(self, provider):
        self._stopping = True
        super().unregister_provider(provider)

    def stop(self):
        self._stopping = True
        super().stop()
        deadline = time.monotonic() + 10
        while (self._applying or self._held) and time.monotonic() < deadline:
            time.sleep(0.05)
        self._close()

    def kill(self):
        self._stopping = True
        self._close()

    def _close(self):
        self._dead_letters.close()
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.close()
            except Exception:  # already closed by the broker
                pass

    def _consume_forever(self):
        backoff = 0.2
        while not self._stopping:
            try:
                self._connection = connect(self.settings.amqp_uri, heartbeat=HEARTBEAT_SECONDS)
                channel = self._connection.channel()
                declare_service_queues(channel, self.settings.exchange, self.container.service_name,
                                       self.by_type, self.settings.queue_type)
                channel.basic_qos(0, self.settings.prefetch, False)
                channel.basic_consume(self.queues.events, callback=self._on_message)
                self._ready.set()
                metrics.CONNECTED.labels(self.container.service_name, "consumer").set(1)
                backoff = 0.2
                while not self._stopping:
                    try:
                        self._connection.drain_events(timeout=1)
                    except socket.timeout:
                        self._connection.heartbeat_tick()
            except amqp.exceptions.PreconditionFailed as exc:  # a queue declared otherwise before
                log.error("%s cannot be declared as this version declares it (%s). A queue made by an "
                          "earlier tsunagu keeps its old arguments: once it is empty, delete it "
                          "(rabbitmqctl delete_queue %s) and it is declared anew; retrying in 5s",
                          self.queues.events, exc, self.queues.events)
                self._close_connection_only()
                time.sleep(5.0)
            except (OSError, amqp.exceptions.AMQPError, AttributeError) as exc:
                if self._stopping:
                    break
                metrics.CONNECTED.labels(self.container.service_name, "consumer").set(0)
                log.warning("%s lost its broker connection (%s); reconnecting in %.1fs",
                            self.queues.events, exc, backoff)
                self._close_connection_only()
                time.sleep(backoff)
                backoff = min(backoff * 2, RECONNECT_LONGEST_SECONDS)

    def _close_connection_only(self):
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.collect()
            except Exception:  # nothing left to release
                pass

    def _on_message(self, message):
        try:
            envelope = delivery.decode(message.body, self.registry)
        except delivery.PoisonMessage as poison:
            envelope = self._unvalidated_for_any(message, poison)
            if envelope is None:
                self._spawn(partial(self._dead_letter, message,
                                    delivery.DeadLetter(poison.reason, poison.detail, 0)))
                return
        provider = self.by_type.get(envelope.type) or self.by_type.get(ANY_EVENT)
        if provider is None:
            self._spawn(partial(self._dead_letter, message, delivery.DeadLetter(
                delivery.REASON_NO_HANDLER, f"{self.queues.events} has no handler for {envelope.type}", 0)))
            return
        # Always behind what already waits (even if its case is held: the applying thread moves
        # it to the held lane in arrival order, after that case's earlier events).
        self._waiting.append((message, envelope, provider))
        if not self._applying:
            self._applying = True
            self._spawn(self._apply_waiting)

    def _unvalidated_for_any(self, message, poison):
        """A handler of every event that reads only the envelope (the monitor) also takes types
        it has no schema for: another service's events are not poison to an observer."""
        provider = self.by_type.get(ANY_EVENT)
        if poison.reason != delivery.REASON_UNKNOWN_EVENT or not (provider and provider.envelope_only):
            return None
        return Envelope.from_json(message.body)

    def _spawn(self, fn):
        self.container.spawn_managed_thread(fn, identifier="event-lane")

    def _apply_waiting(self):
        """Apply what waits, group by group, until nothing does. Events of a case held behind
        a retried one join its lane instead. Unacked leftovers (a stop) are redelivered."""
        try:
            while self._waiting and not self._stopping:
                group = []
                while self._waiting and len(group) < self._group_limit():
                    item = self._waiting.popleft()
                    held = self._held.get(_case_of(item[1]))
                    if held is not None:
                        held.append(item)
                    else:
                        group.append(item)
                if len(group) > 1 and self._apply_together(group):
                    continue
                for item in group:  # one event, or a group that failed: each on its own
                    if self._stopping:
                        return
                    self._apply_alone(item)
        finally:
            self._applying = False
            if self._waiting and not self._stopping:  # arrived as this thread was ending
                self._applying = True
                self._spawn(self._apply_waiting)

    def _group_limit(self) -> int:
        """On SQLite, one event at a time: a group holds the file's writer lock while each of its
        handlers waits for a free worker, and workers of RPC calls waiting for that lock could
        hold every one (a deadlock). On PostgreSQL a group holds one pooled connection: workers
        waiting for a connection get one as others finish, so the group's handlers get a turn."""
        if self._single_writer is None:
            self._single_writer = self._providers and next(iter(self._providers)).database.engine.dialect.name == "sqlite"
        return 1 if self._single_writer else self.settings.group_commit

    def _apply_together(self, group) -> bool:
        """One transaction for the group: True once committed and acked; False if a handler
        failed (the group rolled back, to be applied event by event)."""
        database, waits, started = group[0][2].database, 0, time.monotonic()
        service = self.container.service_name
        while not self._stopping:
            try:
                with database.unit_of_work() as uow:
                    claimed = inbox.claim_all(uow.session, [(p.consumer_name, e.id) for _, e, p in group])
                    for message, envelope, provider in group:
                        if (provider.consumer_name, envelope.id) not in claimed:  # before, or twice here
                            provider.note_redelivery(envelope)
                            continue
                        claimed.remove((provider.consumer_name, envelope.id))
                        if provider.handle(envelope, _GroupUnitOfWork(uow)) is not None:
                            return False  # rolled back as the unit of work closes
                    uow.commit()
            except ContainerBeingKilled:
                return True  # nothing acked: redelivered
            except Exception as exc:
                if not delivery.is_transient(exc):
                    log.warning("a group of %d on %s failed to commit (%s); applying each on its own",
                                len(group), self.queues.events, exc)
                    return False
                delay = delivery.transient_delay(waits)  # the database is away: wait for it
                log.warning("%s waits for its database (%s); retrying a group of %d in %.1fs",
                            self.queues.events, type(exc).__name__, len(group), delay)
                time.sleep(delay)
                waits += 1
                continue
            for message, envelope, _ in group:
                self._ack(message)
                metrics.HANDLED.labels(service, envelope.type).inc()
            metrics.HANDLING.labels(service).observe(time.monotonic() - started)
            metrics.GROUPED.labels(service).observe(len(group))
            return True
        return True  # stopping: nothing acked, redelivered

    def _apply_alone(self, item) -> None:
        """One try in its own transaction; a failure holds the event's case in a lane of its
        own, retried there with backoff, while other cases go on."""
        message, envelope, provider = item
        case = _case_of(envelope)
        if case in self._held:
            self._held[case].append(item)
            return
        exc_info = self._try(message, envelope, provider, time.monotonic())
        if exc_info in (None, _KILLED):
            return
        self._held[case] = collections.deque([item])
        self._spawn(partial(self._retry_held, case, exc_info))

    def _retry_held(self, case, first_failure):
        lane = self._held[case]
        try:
            while lane and not self._stopping:
                self._deliver(*lane[0], failure=first_failure)
                first_failure = None
                lane.popleft()
        finally:
            del self._held[case]  # anything left is unacked and will be redelivered

    def _try(self, message, envelope, provider, started):
        """One try in the event's own transaction, acked once committed: None when applied,
        ``_KILLED`` when the container is being killed (nothing acked), else the exc_info."""
        try:
            exc_info = provider.handle(envelope)
        except ContainerBeingKilled:
            return _KILLED
        if exc_info is None:
            self._ack(message)
            metrics.HANDLED.labels(self.container.service_name, envelope.type).inc()
            metrics.HANDLING.labels(self.container.service_name).observe(time.monotonic() - started)
        return exc_info

    def _deliver(self, message, envelope, provider, failure=None):
        """Apply one event, retrying with backoff, then dead-letter it; ``failure`` is the
        outcome of a first try already made."""
        attempt, waits, started = 1, 0, time.monotonic()
        service = self.container.service_name
        exc_info = failure
        while not self._stopping:
            if exc_info is None:
                exc_info = self._try(message, envelope, provider, started)
                if exc_info in (None, _KILLED):
                    return
            metrics.FAILED.labels(service, envelope.type).inc()
            if delivery.is_transient(exc_info[1]):  # the database is away: wait for it, uncounted
                delay = delivery.transient_delay(waits)
                log.warning("%s waits for its database (%s); retrying %s in %.1fs",
                            provider.consumer_name, type(exc_info[1]).__name__, envelope.id, delay)
                time.sleep(delay)
                waits, exc_info = waits + 1, None
                continue
            delay = delivery.retry_delay(attempt, self.settings.retry_delays, self.settings.max_attempts)
            if delay is None:
                self._dead_letter(message, delivery.DeadLetter(
                    delivery.REASON_HANDLER_FAILED, delivery.describe_failure(exc_info), attempt))
                return
            log.warning("%s failed on %s %s (attempt %d); retrying in %.1fs: %s",
                        provider.consumer_name, envelope.type, envelope.id, attempt, delay, exc_info[1])
            time.sleep(delay)
            attempt, exc_info = attempt + 1, None

    def _ack(self, message):
        try:
            message.channel.basic_ack(message.delivery_tag)
        except Exception as exc:  # channel gone: the broker redelivers, the inbox drops it
            log.info("ack of %s not sent (%s); it will be redelivered", message.delivery_tag, exc)

    def _dead_letter(self, message, dead_letter: delivery.DeadLetter):
        headers = dead_letter.headers(message.properties.get("application_headers"),
                                      message.delivery_info.get("routing_key", ""), self.queues.events)
        outgoing = OutgoingMessage(
            message_id=message.properties.get("message_id") or f"dead-{message.delivery_tag}",
            routing_key=self.queues.dead_letters, body=bytes(message.body), headers=headers, exchange="")
        try:
            with self._dead_letter_lock:
                result = self._dead_letters.publish_batch([outgoing])
            if result.failed:
                raise RuntimeError(f"dead-letter queue refused the message: {result.failed}")
        except Exception as exc:  # keep it unacked: redelivered, nothing lost
            log.error("could not dead-letter %s (%s); leaving it on %s",
                      outgoing.message_id, exc, self.queues.events)
            return
        log.error("dead-lettered %s to %s: %s", outgoing.message_id, self.queues.dead_letters,
                  dead_letter.reason)
        metrics.DEAD_LETTERED.labels(self.container.service_name, dead_letter.reason).inc()
        self._ack(message)


class EventSubscriber(Entrypoint):
    consumer = EventConsumer()

    def __init__(self, event_type: str, envelope_only: bool = False, **kwargs):
        self.event_type = event_type
        self.envelope_only = envelope_only  # with "#": any type, known or not (metadata readers)
        kwargs.setdefault("expected_exceptions", (AlreadyApplied,))
        super().__init__(**kwargs)

    def setup(self):
        databases = [d for d in self.container.dependencies if isinstance(d, Database)]
        if len(databases) != 1:
            raise TypeError(f"{self.container.service_name} needs exactly one Database "
                            f"dependency to subscribe to events (it remembers applied event ids)")
        self.database = databases[0]
        others = [p for p in self.consumer._providers if p.event_type == self.event_type]
        if others:
            raise TypeError(f"{self.container.service_name} subscribes twice to {self.event_type}")
        self.consumer.register_provider(self)

    def stop(self):
        self.consumer.unregister_provider(self)

    @property
    def consumer_name(self) -> str:
        return f"{self.container.service_name}.{self.method_name}"

    def note_redelivery(self, envelope) -> None:
        metrics.REDELIVERED.labels(self.container.service_name, envelope.type).inc()
        log.info("%s had already applied %s %s; acked again without running",
                 self.consumer_name, envelope.type, envelope.id)

    def handle(self, envelope, shared_uow=None):
        """Run the handler once in a worker; return None on commit (or when the event was
        applied before), else the exc_info. Given a group's unit of work, the handler writes
        into it and the group commits."""
        uow = shared_uow or _ClaimingUnitOfWork(self.database, self.consumer_name, envelope.id)
        outcome = threading.Event()
        box = {}

        def handle_result(worker_ctx, result, exc_info):
            try:
                if exc_info is not None and issubclass(exc_info[0], AlreadyApplied):
                    exc_info = None  # a redelivery, acked without running again
                    self.note_redelivery(envelope)
                elif exc_info is None and shared_uow is None:
                    uow.commit_if_opened()
            except Exception:
                exc_info = sys.exc_info()
            finally:
                if shared_uow is None:
                    uow.close()
                box["exc_info"] = exc_info
                outcome.set()
            return result, exc_info

        self.container.spawn_worker(
            self, (envelope, uow), {}, handle_result=handle_result,
            context_data={"correlation_id": envelope.correlationid, "event_id": envelope.id})
        outcome.wait()
        return box["exc_info"]


class AlreadyApplied(Exception):
    """The event's id is in the consumer's inbox: it was applied before."""


class _ClaimingUnitOfWork:
    """The handler's unit of work, opened and claimed in the worker at first use.

    Opening it in the worker, not before, matters: a delivery waiting for a free worker must not
    hold a database connection meanwhile. Otherwise, with a backlog (a restart), waiting
    deliveries hold every pooled connection while the workers that hold every slot (RPC calls)
    wait for a connection: a deadlock until the pool's timeout. The fault suite found it."""

    def __init__(self, database, consumer: str, event_id: str):
        self._database, self._consumer, self._event_id = database, consumer, event_id
        self._uow = None

    def __getattr__(self, name):
        if self._uow is None:
            self._uow = self._database.unit_of_work().__enter__()
            if not self._uow.claim(self._consumer, self._event_id):
                raise AlreadyApplied(self._event_id)
        return getattr(self._uow, name)

    def commit_if_opened(self) -> None:
        if self._uow is not None:
            self._uow.commit()

    def close(self) -> None:
        if self._uow is not None:
            self._uow.__exit__(None, None, None)


_KILLED = object()  # a try cut short by the container being killed


def _case_of(envelope) -> str:
    return envelope.subject or envelope.id


class _GroupUnitOfWork:
    """A group's unit of work as one handler sees it: the group commits, not the handler."""

    def __init__(self, uow):
        self._uow = uow

    def __getattr__(self, name):
        return getattr(self._uow, name)

    def commit(self) -> None:
        raise RuntimeError("a handler must not commit its unit of work; the consumer does")


subscribe = EventSubscriber.decorator
