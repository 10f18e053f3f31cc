"""Database dependency provider: the service's own database, its migrations and its outbox relay.

Migrations run when the container is set up. Each worker gets units of work that commit or roll
back explicitly. The relay runs beside the workers, woken as soon as a unit of work commits
events, and polls as a fallback; it keeps retrying while the broker is away, so committed
events wait in the outbox instead of being lost.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone
from pathlib import Path

from nameko.extensions import DependencyProvider

from .. import crypto, logs
from ..messaging.publisher import RECONNECT_LONGEST_SECONDS, ConfirmingPublisher
from ..clock import as_utc
from ..outbox import OutboxRelay, outbox_backlog
from ..persistence.engine import autocommit, make_engine
from ..persistence.migrations import upgrade
from ..unit_of_work import UnitOfWork
from . import metrics
from .settings import event_registry_of, settings_of

log = logging.getLogger(__name__)

CORRELATION_KEY = "correlation_id"  # nameko context data: travels with RPC calls
LAG_MEASURE_SECONDS = 5.0


class _WorkerDatabase:
    """The database as one worker sees it: events it emits carry the caller's correlation id."""

    def __init__(self, provider: "Database", correlation_id: str | None):
        self._provider, self._correlation_id = provider, correlation_id

    def unit_of_work(self) -> UnitOfWork:
        return self._provider.unit_of_work(self._correlation_id)

    def __getattr__(self, name):
        return getattr(self._provider, name)


class Database(DependencyProvider):
    def __init__(self, migrations: str | Path):
        self.migrations = Path(migrations)
        self.commit_listeners = []  # called after a commit that emitted events (live streams)

    def setup(self):
        self.registry = event_registry_of(self.container)
        self.settings = settings_of(self.container)
        crypto.configure(self.settings)
        self.engine = make_engine(self.settings.database_url_for(self.container.service_name))
        upgrade(self.engine, self.migrations)
        self.relay = OutboxRelay(
            self.engine, ConfirmingPublisher(self.settings.amqp_uri, self.settings.exchange),
            self.settings.relay_batch_size, name=self.container.service_name)
        self._wake = threading.Event()
        self._stopping = False

    def start(self):
        self._relay_thread = self.container.spawn_managed_thread(self._relay_forever,
                                                                 identifier="outbox-relay")

    def stop(self):
        self._stopping = True
        self._wake.set()
        self._relay_thread.wait()
        try:
            self.relay.mark_published()  # else the next relay sends them again (dropped as repeats)
        except Exception as exc:  # the database is away
            log.info("confirms of the last outbox rows not recorded (%s); they will be sent again", exc)
        self.relay.lease.release()
        self.relay.publisher.close()
        self.engine.dispose()

    def kill(self):
        self._stopping = True
        self.relay.lease.close()  # a container killed in a living process must not keep the lease
        self.relay.publisher.close()

    def unit_of_work(self, correlation_id: str | None = None) -> UnitOfWork:
        return UnitOfWork(self.engine, self.registry, on_commit=self._on_commit,
                          correlation_id=correlation_id)

    def reading(self):
        """A connection for reads only, for paths that read often (a live stream after every commit)."""
        return autocommit(self.engine)

    def get_dependency(self, worker_ctx):
        logs.bind(worker_ctx.data.get(CORRELATION_KEY), worker_ctx.data.get("event_id"))
        return _WorkerDatabase(self, worker_ctx.data.get(CORRELATION_KEY))

    def _on_commit(self, emitted: int) -> None:
        self._wake.set()
        for listener in self.commit_listeners:
            listener(emitted)

    def _measure_outbox(self, service: str) -> None:
        """Measured before each relay attempt, so the figures keep moving while the broker is away."""
        try:
            self.relay.mark_published()  # confirms not yet recorded are not pending
            pending, oldest = outbox_backlog(self.engine)
        except Exception as exc:  # the database is away: the relay's own error says so
            log.debug("outbox not measured: %s", exc)
            return
        metrics.OUTBOX_PENDING.labels(service).set(pending)
        metrics.OUTBOX_LAG.labels(service).set(
            0.0 if oldest is None else max(0.0, (datetime.now(timezone.utc) - as_utc(oldest)).total_seconds()))

    def _relay_forever(self):
        backoff, measured = 0.2, 0.0
        service = self.container.service_name
        while True:
            try:
                if time.monotonic() - measured >= LAG_MEASURE_SECONDS:
                    measured = time.monotonic()
                    self._measure_outbox(service)
                relayed = self.relay.relay_once()
                metrics.RELAYED.labels(service).inc(relayed)
                metrics.CONNECTED.labels(service, "relay").set(1)
                backoff = 0.2
            except Exception as exc:  # broker or database away: keep the rows, try again
                if self._stopping:
                    return
                metrics.CONNECTED.labels(service, "relay").set(0)
                log.warning("outbox relay of %s paused: %s; retrying in %.1fs",
                            self.container.service_name, exc, backoff)
                time.sleep(backoff)
                backoff = min(backoff * 2, RECONNECT_LONGEST_SECONDS)
                continue
            if self._stopping and relayed == 0:
                return
            if relayed < self.relay.batch_size:
                self._wake.wait(self.settings.relay_poll_interval)
                self._wake.clear()
