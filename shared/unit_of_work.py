"""Unit of work: one database transaction holding a service's changes and the events they
cause. It rolls back unless ``commit()`` is called, so a handler that fails half-way leaves
nothing behind, and events leave only with the state they describe."""
from __future__ import annotations

import dataclasses
from typing import Callable

import sqlalchemy as sa


from . import inbox, outbox
from .events import Envelope, EventRegistry
from .persistence.engine import advisory_key, writer_lock


_XACT_LOCK = sa.select(sa.func.pg_advisory_xact_lock(sa.bindparam("key", type_=sa.BigInteger)))


class UnitOfWork:
    """``session`` is the transaction's Core connection (``execute``, ``scalar``, ``scalars``):
    the services write with Core statements only, and an ORM session would cost every one of
    them its bookkeeping on the hot paths.

    Rows given to ``insert`` wait and go to the database together: before the next statement
    run through ``session`` (so a read sees them) or at commit. A group of events applied in
    one transaction thus writes each table's rows in one statement, not one per event, and a
    handler that only inserts makes no round trip at all."""

    def __init__(self, engine: sa.Engine, registry: EventRegistry,
                 on_commit: Callable[[int], None] | None = None, correlation_id: str | None = None):
        self._correlation_id = correlation_id  # the request that caused this work (from the gateway)
        self._engine = engine
        self._registry = registry
        self._on_commit = on_commit
        self._emitted = 0
        self._connection: sa.Connection | None = None
        self._inserts: dict = {}  # statement -> rows waiting, in the order statements first came
        self._collected: dict = {}  # key -> (items, how to write them before the commit)
        self._memo: dict = {}

    def __enter__(self) -> "UnitOfWork":
        self._lock = writer_lock(self._engine)
        self._lock.__enter__()
        self._connection = self._engine.connect()
        self._emitted = 0
        return self

    def __exit__(self, *exc_info) -> None:
        self._inserts, self._collected, self._memo = {}, {}, {}
        try:
            self._connection.rollback()
            self._connection.close()
        finally:
            self._lock.__exit__(None, None, None)

    @property
    def session(self) -> sa.Connection:
        if self._inserts:
            self._write_inserts()
        return self._connection

    @property
    def dialect(self) -> str:
        """``postgresql`` or ``sqlite``, without writing what waits (as ``session`` would)."""
        return self._engine.dialect.name

    def insert(self, statement, row: dict) -> None:
        """Stage a row for ``statement`` (an INSERT built once): written with the others of the
        same statement before the next read or at commit."""
        self._inserts.setdefault(statement, []).append(row)

    def collect(self, key: str, item, write: Callable[["UnitOfWork", list], None]) -> None:
        """Gather ``item`` under ``key`` across every handler of this transaction;
        ``write(uow, items)`` runs once, just before the commit (numbering a desk's
        notifications there locks its counter only until the commit)."""
        self._collected.setdefault(key, ([], write))[0].append(item)

    def memo(self, key, read: Callable[[], object]):
        """``read()`` once per transaction for ``key`` (what every event of a group asks alike)."""
        if key not in self._memo:
            self._memo[key] = read()
        return self._memo[key]

    def execute_apart(self, statement, params: dict):
        """Run a statement that reads none of the staged rows without writing them first, so
        they still go out together with the rows staged after it."""
        return self._connection.execute(statement, params)

    def _write_inserts(self) -> None:
        inserts, self._inserts = self._inserts, {}
        if len(inserts) > 1 and self.dialect == "postgresql":
            self._connection.exec_driver_sql(_one_round_trip(self._connection, inserts).replace("%", "%%"))
            return
        for statement, rows in inserts.items():  # one statement each, its rows together
            self._connection.execute(statement, rows[0] if len(rows) == 1 else rows)

    def serialize_on(self, key: str) -> None:
        """Hold this transaction until others serialized on the same key have finished, so a
        check-then-insert (no open referral to that desk yet) cannot pass twice when a retried
        request runs beside the original. PostgreSQL: a transaction advisory lock. SQLite: the
        writer lock this unit of work already holds does it."""
        if self.dialect == "postgresql":
            self.session.execute(_XACT_LOCK, {"key": advisory_key(key)})

    def emit(self, envelope: Envelope, exchange: str | None = None, routing_key: str | None = None) -> Envelope:
        """Validate the event against its schema and stage it in the outbox (by default on the
        events exchange under its type; agency feeds name their own exchange and key)."""
        if self._correlation_id and envelope.correlationid in (envelope.id, envelope.causationid):
            # a root event of this request, or one caused by such a root (made before it was emitted)
            envelope = dataclasses.replace(envelope, correlationid=self._correlation_id)
        self._registry.check(envelope)
        self.insert(outbox.STAGE, outbox.row(envelope, exchange, routing_key))
        self._emitted += 1
        return envelope

    def replay(self, replay_id: str, event_type: str | None, body: str, queue: str) -> None:
        """Stage a dead letter's original body for the queue it failed on, as it was (no schema
        check: it goes back to the same consumer, whose inbox drops it if applied before).
        ``replay_id`` names this replay (the event keeps its own id inside the body)."""
        self.insert(outbox.STAGE, outbox.raw_row(replay_id, event_type or "unknown", None, body, "", queue))
        self._emitted += 1

    def claim(self, consumer: str, event_id: str) -> bool:
        """Record that this transaction applies the event; False if it was applied before."""
        return inbox.claim(self.session, consumer, event_id)

    def commit(self) -> None:
        while self._collected:
            key = next(iter(self._collected))
            items, write = self._collected.pop(key)
            write(self, items)
        self.session.commit()
        self._memo = {}
        emitted, self._emitted = self._emitted, 0
        if emitted and self._on_commit:
            self._on_commit(emitted)


_COMPILED: dict = {}  # (statement, its columns) -> (SQL, bind processors)


def _one_round_trip(connection: sa.Connection, inserts: dict) -> str:
    """PostgreSQL: the staged rows of several tables as one string of INSERT statements, sent in
    one round trip instead of one per table. Each statement is compiled once for its columns, and
    psycopg2 quotes every value, with the same type processing (JSON) as a statement of its own."""
    cursor = connection.connection.cursor()
    parts = []
    for statement, rows in inserts.items():
        for row in rows:
            key = (statement, tuple(row))
            if key not in _COMPILED:
                compiled = statement.compile(dialect=connection.dialect, column_keys=list(row))
                _COMPILED[key] = (compiled, compiled._bind_processors)
            compiled, processors = _COMPILED[key]
            params = compiled.construct_params(row)
            for name, process in processors.items():
                if name in params:
                    params[name] = process(params[name])
            parts.append(cursor.mogrify(compiled.string, params).decode())
    cursor.close()
    return ";\n".join(parts)
