"""Transactional outbox: events are rows written with the state change that caused them, and a
relay publishes them afterwards with publisher confirms.

A row is marked published only after the broker has confirmed it, so a crash anywhere between
commit and confirm means the event is sent again on restart (consumers drop the repeat by id),
never lost. Rows are read in position order and published on one channel, so the events of one
case reach every queue in the order they were committed.
"""
from __future__ import annotations

import logging
import threading
import time
from datetime import datetime, timezone

import sqlalchemy as sa

from .events import Envelope
from .messaging.publisher import OutgoingMessage
from .persistence.engine import advisory_key, autocommit, writer_lock
from .persistence.tables import outbox

log = logging.getLogger(__name__)
STAGE = outbox.insert()  # built once: parameters passed at execution skip rebuilding the statement
_MARK_ALL = sa.text(  # PostgreSQL: each position gets the moment of its own confirm
    "UPDATE outbox SET published_at = confirmed.moment "
    "FROM unnest(CAST(:positions AS bigint[]), CAST(:moments AS timestamptz[])) AS confirmed(position, moment) "
    "WHERE outbox.position = confirmed.position")


def row(envelope: Envelope, exchange: str | None = None, routing_key: str | None = None) -> dict:
    """The outbox row of an (already validated) event, for ``STAGE`` in the caller's
    transaction; by default on the events exchange, routed by its type."""
    return raw_row(envelope.id, envelope.type, envelope.subject, envelope.to_json(), exchange,
                   routing_key or envelope.type)


def raw_row(message_id: str, event_type: str, subject: str | None, body: str,
            exchange: str | None, routing_key: str) -> dict:
    """The row of a message staged exactly as it is (a dead letter replayed to its queue)."""
    return {"event_id": message_id, "event_type": event_type, "subject": subject, "body": body,
            "created_at": datetime.now(timezone.utc), "exchange": exchange, "routing_key": routing_key}


def outbox_backlog(engine) -> tuple[int, datetime | None]:
    """How many rows wait, and when the oldest was written (for the lag metric)."""
    with engine.connect() as conn:
        row = conn.execute(sa.select(sa.func.count(), sa.func.min(outbox.c.created_at))
                           .where(outbox.c.published_at.is_(None))).one()
    return row[0], row[1]


def pending_count(connection) -> int:
    return connection.scalar(sa.select(sa.func.count()).select_from(outbox)
                             .where(outbox.c.published_at.is_(None)))


class RelayLease:
    """Only one relay of a service publishes at a time, so two instances of a service keep its
    events in commit order. On PostgreSQL the lease is a session advisory lock, which the server
    frees the moment the holder's connection ends (a killed process included); the other
    instance's relay takes over on its next poll. A SQLite file has one process anyway."""

    CHECK_SECONDS = 1.0
    CHECK = "SELECT 1"  # still ours while the session lives

    def __init__(self, engine: sa.Engine, name: str):
        self.engine = engine
        self.key = advisory_key(f"outbox-relay:{name}")
        self._connection = None
        self._checked = float("-inf")
        self._closed = False
        # Held while the relay's thread uses the connection. Closing a psycopg2 connection from
        # another green thread while a query on it waits blocks the whole process for good (the
        # driver's lock is held by the waiting thread, which can no longer run): a test run hung
        # that way when a container was killed in the middle of the lease check.
        self._in_use = threading.Lock()

    def held(self) -> bool:
        if self._closed:
            return False
        if self.engine.dialect.name != "postgresql":
            return True
        if self._connection is not None and time.monotonic() - self._checked < self.CHECK_SECONDS:
            return True
        with self._in_use:
            try:
                if self._connection is None:
                    self._connection = autocommit(self.engine)
                    if not self._connection.scalar(sa.select(sa.func.pg_try_advisory_lock(self.key))):
                        self._release()
                        return False
                    log.info("this instance's outbox relay holds the lease")
                else:
                    self._connection.exec_driver_sql(self.CHECK)
                self._checked = time.monotonic()
            except Exception:
                self._release()
                raise
            if self._closed:  # closed while the check ran: let it go now
                self._release()
                return False
            return True

    def close(self) -> None:
        """For good: a relay thread still running after its container was killed must not take
        the lease again. If that thread is using the connection right now, it lets it go itself
        as its query returns."""
        self._closed = True
        if self._in_use.acquire(blocking=False):
            try:
                self._release()
            finally:
                self._in_use.release()

    def release(self) -> None:
        with self._in_use:
            self._release()

    def _release(self) -> None:
        connection, self._connection = self._connection, None
        if connection is not None:
            try:
                connection.invalidate()  # ends the session, and with it the lock
            except Exception:  # already gone
                pass


class OutboxRelay:
    """Moves committed outbox rows to the broker; one ``relay_once`` call is one batch.

    Confirmed rows are marked published later, not before the next batch goes out: when the
    relay next finds nothing new, before its once-a-second full read, or a second after the
    confirm at the latest. The hand-off path thus waits for a read and a publish, not for an
    update and its commit as well. A crash before the mark sends those rows again on restart,
    which consumers drop by event id; ``published_at`` keeps the moment of the confirm."""

    SWEEP_SECONDS = 1.0
    MARK_SECONDS = 1.0
    GAPS_TRACKED = 1000  # skipped positions read again by key; a bigger jump is left to the full read

    def __init__(self, engine: sa.Engine, publisher, batch_size: int = 500, name: str = "outbox"):
        self.engine = engine
        self.publisher = publisher
        self.batch_size = batch_size
        self.lease = RelayLease(engine, name)
        self._cursor = 0  # the highest position this relay has seen confirmed
        self._gaps: dict[int, float] = {}  # positions below it not seen yet -> since when (monotonic)
        self._last_sweep = float("-inf")
        self._unmarked: dict[datetime, list[int]] = {}  # confirm moment -> positions confirmed then
        self._first_unmarked = 0.0  # when the oldest of them was confirmed (monotonic)

    def relay_once(self) -> int:
        """Publish the next batch; return how many rows were confirmed (0 when idle).

        Most reads start after the highest position already confirmed, so they never wade
        through the index entries of published rows (on PostgreSQL those stay until vacuum and
        made each read slower as the outbox grew). Once a second, and at start, a full read
        also picks up any row that committed after a higher position did.
        """
        if not self.lease.held():  # another instance relays; stand by
            self._last_sweep = float("-inf")  # and read from the start once this one takes over
            return 0
        try:
            return self._publish_batch()
        except Exception:
            self.lease.release()  # whatever broke may have ended the lease's session too
            raise

    def mark_published(self) -> None:
        """Record every confirm not yet recorded (also called as the relay stops). On PostgreSQL
        in one statement: a second of confirms under steady load is a hundred batches, and one
        update each held the relay up for 50-75 ms (the hand-offs staged meanwhile waited)."""
        if not self._unmarked:
            return
        with writer_lock(self.engine), self.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                confirms = [(position, moment) for moment, positions in self._unmarked.items()
                            for position in positions]
                conn.execute(_MARK_ALL, {"positions": [p for p, _ in confirms], "moments": [m for _, m in confirms]})
            else:  # a local file: a statement costs no round trip
                for moment, positions in self._unmarked.items():
                    conn.execute(outbox.update().where(outbox.c.position.in_(positions)).values(published_at=moment))
        self._unmarked = {}

    def _note_gaps(self, confirmed: set[int], failed: set[int]) -> None:
        """Move the cursor past the confirmed rows, remembering the positions it skips.

        Transactions commit out of position order: a referral committing a moment after a later
        one has its row below the cursor when it becomes visible. Until the next full read such
        a row waited up to a second (a tenth of a burst did). The positions skipped are read
        again, by key, in every read for a while: a transaction still committing shows up
        there; a position whose transaction rolled back never does and is let go."""
        for position in confirmed | failed:  # a failed row waits for the full read, as before
            self._gaps.pop(position, None)
        highest = max(confirmed)
        if highest > self._cursor:
            if highest - self._cursor <= self.GAPS_TRACKED:
                now = time.monotonic()
                self._gaps.update((position, now) for position in range(self._cursor + 1, highest)
                                  if position not in confirmed and position not in failed)
            self._cursor = highest

    def _open_gaps(self) -> list[int]:
        """Positions skipped less than a full read ago (older ones the full read covers)."""
        horizon = time.monotonic() - self.SWEEP_SECONDS
        self._gaps = {position: since for position, since in self._gaps.items() if since > horizon}
        return sorted(self._gaps)[-self.GAPS_TRACKED:]

    def _publish_batch(self) -> int:
        query = (sa.select(outbox.c.position, outbox.c.event_id, outbox.c.routing_key, outbox.c.exchange,
                           outbox.c.body)
                 .where(outbox.c.published_at.is_(None)).order_by(outbox.c.position).limit(self.batch_size))
        if time.monotonic() - self._last_sweep >= self.SWEEP_SECONDS:
            self.mark_published()  # a full read must not take confirmed rows for pending ones
            self._last_sweep = time.monotonic()
        elif self._gaps:
            query = query.where(sa.or_(outbox.c.position > self._cursor, outbox.c.position.in_(self._open_gaps())))
        else:
            query = query.where(outbox.c.position > self._cursor)
        with autocommit(self.engine) as conn:
            rows = conn.execute(query).all()
            if rows:  # published before the connection goes back to the pool (a round trip)
                result = self.publisher.publish_batch([
                    OutgoingMessage(message_id=r.event_id, routing_key=r.routing_key, exchange=r.exchange,
                                    body=r.body.encode(), key=str(r.position)) for r in rows])
        if not rows:
            self.mark_published()  # idle: the moment to record confirms
            return 0
        by_key = {str(r.position): r.position for r in rows}
        if result.confirmed:
            self._note_gaps({by_key[k] for k in result.confirmed}, {by_key[k] for k in result.failed})
            if not self._unmarked:
                self._first_unmarked = time.monotonic()
            self._unmarked[datetime.now(timezone.utc)] = [by_key[k] for k in result.confirmed]
        if result.failed:
            with writer_lock(self.engine), self.engine.begin() as conn:
                for key, reason in result.failed.items():
                    log.error("outbox row %s was not accepted by the broker: %s; it stays pending", key, reason)
                    conn.execute(outbox.update().where(outbox.c.position == by_key[key])
                                 .values(attempts=outbox.c.attempts + 1, last_error=reason))
        if self._unmarked and time.monotonic() - self._first_unmarked >= self.MARK_SECONDS:
            self.mark_published()  # under steady load the relay is never idle
        return len(result.confirmed)
