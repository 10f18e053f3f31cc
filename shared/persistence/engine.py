"""Engines for a service's own database: an SQLite file by default, PostgreSQL by URL.

SQLite runs in WAL mode with a busy timeout so the relay and handlers of one process can share
the file. A missing PostgreSQL database is created, so one URL template is all set-up needs.
"""
from __future__ import annotations

import contextlib
import hashlib
import threading
import time
import weakref
from pathlib import Path

import sqlalchemy as sa
from sqlalchemy.engine import make_url


def make_engine(url: str) -> sa.Engine:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = sa.create_engine(parsed, connect_args={"check_same_thread": False, "timeout": 30})
        sa.event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql":
        if parsed.drivername == "postgresql":
            parsed = parsed.set(drivername="postgresql+psycopg2")
        create_database_if_missing(parsed)
        # No pre-ping: it costs a round trip per unit of work. After a database restart the
        # first use fails instead, and handlers and the relay retry.
        return sa.create_engine(parsed, pool_size=10, max_overflow=10, pool_recycle=3600)
    raise ValueError(f"unsupported database URL {parsed.render_as_string(hide_password=True)}")


def autocommit(engine: sa.Engine) -> sa.Connection:
    """A connection for reads outside any transaction: no BEGIN and ROLLBACK round trips around
    each (the outbox relay's reads and lease, live streams)."""
    return engine.connect().execution_options(isolation_level="AUTOCOMMIT")


_INSERT_NEW: dict = {}


def insert_new(table: sa.Table, dialect: str):
    """``INSERT … ON CONFLICT DO NOTHING`` for ``table`` (PostgreSQL and SQLite), built once:
    rows whose key is already there are skipped without an error, so the transaction goes on."""
    statement = _INSERT_NEW.get((table, dialect))
    if statement is None:
        from sqlalchemy.dialects import postgresql, sqlite
        insert = {"postgresql": postgresql.insert, "sqlite": sqlite.insert}[dialect]
        statement = _INSERT_NEW[(table, dialect)] = insert(table).on_conflict_do_nothing()
    return statement


def writer_lock(engine: sa.Engine):
    """A lock around write transactions for SQLite, which has one writer at a time.

    Waiting on SQLite's own busy handler would block the whole process under eventlet (it
    sleeps inside C), deadlocking with the green thread that holds the write lock. Taking
    turns on this (green) lock first keeps every other green thread running. PostgreSQL has
    row locks and needs none of this.
    """
    lock = _writer_locks.get(engine)
    if lock is None:
        lock = threading.Lock() if engine.dialect.name == "sqlite" else contextlib.nullcontext()
        _writer_locks[engine] = lock
    return lock


_writer_locks: "weakref.WeakKeyDictionary[sa.Engine, object]" = weakref.WeakKeyDictionary()


def _sqlite_pragmas(dbapi_connection, _record):
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def create_database_if_missing(url, attempts: int = 10) -> None:
    """Services start together (compose, the benchmarks): another one creating its database from
    the same template at that moment, or a second instance creating this one, is waited out."""
    admin = sa.create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        for attempt in range(1, attempts + 1):
            try:
                with admin.connect() as conn:
                    exists = conn.scalar(sa.text("SELECT 1 FROM pg_database WHERE datname = :n"),
                                         {"n": url.database})
                    if not exists:
                        conn.execute(sa.text(f'CREATE DATABASE "{url.database}"'))
                return
            except sa.exc.DBAPIError as exc:
                if "already exists" in str(exc.orig):
                    return
                if attempt == attempts or "being accessed by other users" not in str(exc.orig):
                    raise
                time.sleep(0.2 * attempt)
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    """For tests: remove a throwaway PostgreSQL database."""
    parsed = make_url(url)
    if parsed.get_backend_name() != "postgresql":
        return
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)'))
    finally:
        admin.dispose()


def advisory_key(name: str) -> int:
    """A PostgreSQL advisory-lock key (signed 64-bit) for a name: leases and serialized checks."""
    return int.from_bytes(hashlib.sha256(name.encode()).digest()[:8], "big", signed=True)
