"""Trace look-up with a large event log: p50/p99 of the monitor's trace of a case or correlation
id, on PostgreSQL (default) or SQLite, next to a primary-key read of one event measured in the
same run (the cheapest query the same table answers).

    python benchmarks/trace.py                 # 1,000,000 events on PostgreSQL (about two minutes)
    python benchmarks/trace.py --events 20000  # the CI-sized run
"""
import argparse
import io
import itertools
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import sqlalchemy as sa  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from harness import percentile, progress  # noqa: E402
from services.monitor.handlers import trace  # noqa: E402
from services.monitor.tables import event_log  # noqa: E402
from shared.persistence.engine import drop_database, make_engine  # noqa: E402
from shared.persistence.migrations import upgrade  # noqa: E402

MIGRATIONS = Path(__file__).resolve().parents[1] / "services" / "monitor" / "migrations"
TYPES = ["consultation.recorded", "referral.requested", "notification.acknowledged", "referral.received",
         "referral.accepted", "referral.started", "referral.completed", "meeting.convened", "consent.recorded",
         "disclosure.recorded"]
EVENTS_PER_CASE = 10


def rows(events: int):
    """Cases of ten events each, three requests (correlation ids) per case, a day apart."""
    start = datetime(2026, 1, 1, tzinfo=timezone.utc)
    for n in range(events):
        case, hop = divmod(n, EVENTS_PER_CASE)
        at = start + timedelta(minutes=case * 3, seconds=hop)
        yield (f"e-{n:09d}", TYPES[hop], 1, "/tsunagu/bench", f"c-{case:08d}", f"r-{case:08d}-{hop // 4}",
               f"e-{n - 1:09d}" if hop else None, at, at + timedelta(milliseconds=3))


def load(engine, events: int) -> None:
    if engine.dialect.name != "postgresql":
        names = ("event_id", "type", "version", "source", "subject", "correlationid", "causationid", "time",
                 "received_at")
        with engine.begin() as conn:
            conn.execute(event_log.insert(), [dict(zip(names, r)) for r in rows(events)])
        return
    raw = engine.raw_connection()
    try:
        cursor, generated, loaded = raw.cursor(), rows(events), 0
        while chunk := list(itertools.islice(generated, 200_000)):
            buffer = io.StringIO("".join(
                "\t".join("\\N" if v is None else (v.isoformat() if isinstance(v, datetime) else str(v)) for v in row)
                + "\n" for row in chunk))
            cursor.copy_expert("COPY event_log (event_id, type, version, source, subject, correlationid, "
                               "causationid, time, received_at) FROM STDIN", buffer)
            raw.commit()
            loaded += len(chunk)
            progress(f"loaded {loaded:,} events")
        cursor.execute("ANALYZE event_log")
        raw.commit()
    finally:
        raw.close()


def timed(fn, keys) -> list[float]:
    out = []
    for key in keys:
        started = time.perf_counter()
        fn(key)
        out.append((time.perf_counter() - started) * 1000)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=1_000_000)
    parser.add_argument("--lookups", type=int, default=2000)
    parser.add_argument("--sqlite", action="store_true", help="an SQLite file instead of PostgreSQL")
    args = parser.parse_args()
    name = f"tsunagu_bench_trace_{uuid.uuid4().hex[:8]}"
    sqlite_file = Path(tempfile.gettempdir()) / f"{name}.sqlite3"
    url = f"sqlite:///{sqlite_file}" if args.sqlite else f"postgresql+psycopg2://postgres@127.0.0.1/{name}"
    engine = make_engine(url)
    try:
        upgrade(engine, MIGRATIONS)
        progress(f"loading {args.events:,} events into {engine.dialect.name}")
        load(engine, args.events)
        cases = args.events // EVENTS_PER_CASE
        rng = random.Random(7)
        subjects = [f"c-{rng.randrange(cases):08d}" for _ in range(args.lookups)]
        correlations = [f"r-{rng.randrange(cases):08d}-{rng.randrange(3)}" for _ in range(args.lookups)]
        events = [f"e-{rng.randrange(args.events):09d}" for _ in range(args.lookups)]
        with Session(engine) as session:
            point = lambda key: session.execute(sa.select(event_log).where(event_log.c.event_id == key)).one()  # noqa: E731
            lookup = lambda key: trace(session, key)  # noqa: E731
            timed(lookup, subjects[:50])  # warm the cache and the connection
            progress(f"{args.lookups:,} look-ups of each kind")
            baseline = timed(point, events)
            by_case = timed(lookup, subjects)
            by_request = timed(lookup, correlations)
            assert len(trace(session, subjects[0])) == EVENTS_PER_CASE
    finally:
        engine.dispose()
        if not args.sqlite:
            drop_database(url)
        else:
            sqlite_file.unlink(missing_ok=True)
    print(f"\ntrace look-up, {args.events:,} logged events on {engine.dialect.name} "
          f"({datetime.now().date()}, {args.lookups:,} look-ups each)")
    print(f"{'query':34} {'p50 ms':>8} {'p99 ms':>8} {'p50 × baseline':>15}")
    b50 = percentile(baseline, 50)
    for label, values in (("baseline: one event by id", baseline), ("trace of a case (10 events)", by_case),
                          ("trace of a correlation id", by_request)):
        print(f"{label:34} {percentile(values, 50):8.3f} {percentile(values, 99):8.3f} "
              f"{percentile(values, 50) / b50:15.2f}")
    print(f"target: trace p99 <= 20 ms: {'met' if max(percentile(by_case, 99), percentile(by_request, 99)) <= 20 else 'NOT met'}")


if __name__ == "__main__":
    main()
