"""Backbone benchmark: raw kombu next to tsunagu's outbox → relay → handler, same broker, same run.

    .venv/bin/python benchmarks/backbone.py [--events 20000] [--rate 200] [--seconds 5] [--postgresql]

Prints events/s for bursts and p50/p99 latency at a steady rate, and the ratios. Each run uses
a throwaway RabbitMQ vhost (management API) and throwaway databases, removed afterwards.
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()

import argparse  # noqa: E402
import json  # noqa: E402
import os  # noqa: E402
import platform  # noqa: E402
import statistics  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import kombu  # noqa: E402
import sqlalchemy as sa  # noqa: E402

from services.intake.service import IntakeService  # noqa: E402
from services.monitor.service import MonitorService  # noqa: E402
from services.monitor.tables import event_log  # noqa: E402
from shared.events import Envelope  # noqa: E402
from shared.events.catalog import REGISTRY  # noqa: E402
from harness import percentile, progress, throwaway  # noqa: E402
from shared.messaging.publisher import ConfirmingPublisher, connect  # noqa: E402
from shared.messaging.topology import declare_service_queues, queue_arguments  # noqa: E402
from shared.outbox import OutboxRelay, pending_count  # noqa: E402
from shared.persistence.engine import make_engine  # noqa: E402
from shared.persistence.migrations import upgrade  # noqa: E402
from shared.runtime import Database  # noqa: E402
from shared.runtime.settings import nameko_config  # noqa: E402
from shared.unit_of_work import UnitOfWork  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INTAKE_MIGRATIONS = os.path.join(ROOT, "services", "intake", "migrations")


def consultation_event(i):
    return Envelope(type="consultation.recorded", version=1, source="/tsunagu/bench",
                    subject=f"c-bench-{i % 1000}", data={
                        "consultation_id": f"c-bench-{i}", "person_ref": f"p-bench-{i}",
                        "desk_id": "wakaba-life-independence-center", "ward": "wakaba",
                        "channel": "walk_in", "concerns": ["employment"], "urgency": "normal",
                        "recorded_at": datetime.now(timezone.utc).isoformat()})


# ---------------------------------------------------------------- raw kombu baseline
def raw_kombu(amqp_uri, queue_type, events, rate, seconds):
    """Persistent publish → consume with ack on a queue like tsunagu's: burst rate and latency."""
    queue = kombu.Queue("bench.raw", kombu.Exchange("bench.raw", "direct", durable=True),
                        routing_key="bench", durable=True,
                        queue_arguments=queue_arguments(queue_type))
    received = []

    def on_message(body, message):
        received.append((time.perf_counter(), body["sent"]))
        message.ack()

    with kombu.Connection(amqp_uri) as publish_conn, kombu.Connection(amqp_uri) as consume_conn:
        producer = publish_conn.Producer(serializer="json")
        queue(publish_conn.default_channel).declare()
        consumer = consume_conn.Consumer([queue], callbacks=[on_message], prefetch_count=50)
        consumer.consume()
        stop = [False]

        def drain():
            while not stop[0]:
                try:
                    consume_conn.drain_events(timeout=0.2)
                except TimeoutError:
                    pass

        drainer = eventlet.spawn(drain)
        # Burst.
        start = time.perf_counter()
        for _ in range(events):
            producer.publish({"sent": time.perf_counter()}, exchange=queue.exchange, routing_key="bench",
                             delivery_mode=2, declare=[])
        while len(received) < events:
            eventlet.sleep(0.01)
        burst = events / (received[-1][0] - start)
        # Steady rate.
        received.clear()
        latencies = steady(rate, seconds, lambda: producer.publish(
            {"sent": time.perf_counter()}, exchange=queue.exchange, routing_key="bench",
            delivery_mode=2, declare=[]), lambda: [r - s for r, s in received])
        stop[0] = True
        drainer.wait()
    return burst, latencies


def steady(rate, seconds, send, latencies_so_far):
    total = int(rate * seconds)
    interval = 1.0 / rate
    start = time.perf_counter()
    for i in range(total):
        delay = start + i * interval - time.perf_counter()
        if delay > 0:
            eventlet.sleep(delay)
        send()
    deadline = time.perf_counter() + 30
    while len(latencies_so_far()) < total and time.perf_counter() < deadline:
        eventlet.sleep(0.01)
    latencies = latencies_so_far()
    if len(latencies) < total:
        raise SystemExit(f"only {len(latencies)} of {total} steady-rate events arrived")
    return [1000 * x for x in latencies]


# ---------------------------------------------------------------- tsunagu
def fill_outbox(engine, first, count):
    uow = UnitOfWork(engine, REGISTRY)
    start = time.perf_counter()
    for chunk in range(first, first + count, 500):
        with uow:
            for i in range(chunk, min(chunk + 500, first + count)):
                uow.emit(consultation_event(i))
            uow.commit()
    return count / (time.perf_counter() - start)


def tsunagu_relay_alone(settings, engine, events):
    """Relay rate: outbox rows to confirmed broker messages (the handler is not running)."""
    connection = connect(settings.amqp_uri)
    declare_service_queues(connection.channel(), settings.exchange, "monitor", ["#"], settings.queue_type)
    fill_rate = fill_outbox(engine, 0, events)
    relay = OutboxRelay(engine, ConfirmingPublisher(settings.amqp_uri, settings.exchange),
                        settings.relay_batch_size)
    start = time.perf_counter()
    while relay.relay_once():
        pass
    relay_rate = events / (time.perf_counter() - start)
    relay.publisher.close()
    connection.channel().queue_purge("tsunagu.monitor")
    connection.close()
    return fill_rate, relay_rate


def count_logged(settings):
    engine = make_engine(settings.database_url_for("monitor"))
    try:
        with engine.connect() as conn:
            return conn.scalar(sa.select(sa.func.count()).select_from(event_log))
    finally:
        engine.dispose()


def tsunagu_full_path(settings, engine, events, rate, seconds):
    """Outbox → relay → monitor handler (inbox + event log): burst rate, then steady latency."""
    from nameko.runners import ServiceRunner
    fill_outbox(engine, events, events)
    runner = ServiceRunner(nameko_config(settings))
    runner.add_service(IntakeService)
    runner.add_service(MonitorService)
    start = time.perf_counter()
    runner.start()
    while count_logged(settings) < events:
        eventlet.sleep(0.05)
    burst = events / (time.perf_counter() - start)

    intake = next(c for c in runner.containers if c.service_name == "intake")
    database = next(d for d in intake.dependencies if isinstance(d, Database))
    committed = {}  # event id -> wall-clock time its producer transaction committed

    def send():
        with database.unit_of_work() as uow:
            event = uow.emit(consultation_event(10_000_000 + len(committed)))
            uow.commit()
        committed[event.id] = datetime.now(timezone.utc)

    monitor_engine = make_engine(settings.database_url_for("monitor"))

    def latencies():
        with monitor_engine.connect() as conn:
            rows = conn.execute(sa.select(event_log.c.event_id, event_log.c.received_at)
                                .where(event_log.c.event_id.in_(list(committed)))).all()
        return [(_aware(r.received_at) - committed[r.event_id]).total_seconds() for r in rows]

    steady_latencies = steady(rate, seconds, send, latencies)
    runner.stop()
    monitor_engine.dispose()
    with engine.connect() as conn:
        assert pending_count(conn) == 0
    return burst, steady_latencies


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--events", type=int, default=20000, help="events per burst")
    parser.add_argument("--rate", type=float, default=200, help="steady rate, events/s")
    parser.add_argument("--seconds", type=float, default=5, help="steady-rate duration")
    parser.add_argument("--postgresql", action="store_true", help="PostgreSQL instead of SQLite")
    parser.add_argument("--json", help="also write the figures to this file")
    args = parser.parse_args()

    with throwaway(args.postgresql) as (settings, management):
        engine = make_engine(settings.database_url_for("intake"))
        upgrade(engine, INTAKE_MIGRATIONS)
        try:
            progress(f"raw kombu: {args.events} persistent messages, then {args.rate:g}/s for {args.seconds:g}s")
            raw_burst, raw_latency = raw_kombu(settings.amqp_uri, settings.queue_type, args.events, args.rate,
                                               args.seconds)
            progress(f"tsunagu relay alone: {args.events} outbox rows")
            fill_rate, relay_rate = tsunagu_relay_alone(settings, engine, args.events)
            progress(f"tsunagu outbox → relay → handler: {args.events} events, then {args.rate:g}/s")
            full_burst, full_latency = tsunagu_full_path(settings, engine, args.events, args.rate, args.seconds)
        finally:
            engine.dispose()

    rabbit = management.overview().get("rabbitmq_version", "?")
    figures = {
        "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"), "cores": os.cpu_count(),
        "machine": platform.machine(), "python": platform.python_version(), "rabbitmq": rabbit,
        "database": "PostgreSQL" if args.postgresql else "SQLite", "queue_type": settings.queue_type,
        "raw_burst_per_s": raw_burst, "outbox_write_per_s": fill_rate, "relay_per_s": relay_rate,
        "full_path_burst_per_s": full_burst,
        "raw_p50_ms": percentile(raw_latency, 50), "raw_p99_ms": percentile(raw_latency, 99),
        "tsunagu_p50_ms": percentile(full_latency, 50), "tsunagu_p99_ms": percentile(full_latency, 99),
        "steady_rate": args.rate,
    }
    print(f"\nbackbone benchmark, {figures['date']}: {figures['cores']} cores {figures['machine']}, "
          f"Python {figures['python']}, RabbitMQ {rabbit} ({settings.queue_type} queues), {figures['database']}")
    print(f"{'path':52} {'events/s':>10} {'vs raw':>8}")
    for name, value in [("raw kombu persistent publish → consume (burst)", raw_burst),
                        ("tsunagu outbox write (500 per commit)", fill_rate),
                        ("tsunagu relay outbox → broker, confirmed", relay_rate),
                        ("tsunagu outbox → relay → handler + inbox (burst)", full_burst)]:
        print(f"{name:52} {value:>10,.0f} {value / raw_burst:>7.2f}×")
    print(f"\nlatency at {args.rate:g} events/s for {args.seconds:g}s   {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'raw kombu publish → consume':40} {figures['raw_p50_ms']:>8.2f} {figures['raw_p99_ms']:>8.2f}")
    print(f"{'tsunagu commit → handler':40} {figures['tsunagu_p50_ms']:>8.2f} {figures['tsunagu_p99_ms']:>8.2f}")
    print(f"{'ratio tsunagu / raw':40} {figures['tsunagu_p50_ms'] / figures['raw_p50_ms']:>7.2f}× "
          f"{figures['tsunagu_p99_ms'] / figures['raw_p99_ms']:>7.2f}×")
    print(f"\ntargets: relay ≥ 10,000 events/s ({'met' if relay_rate >= 10000 else 'NOT met'}); "
          f"handler path p50 within 3× raw ({'met' if figures['tsunagu_p50_ms'] <= 3 * figures['raw_p50_ms'] else 'NOT met'})")
    if args.json:
        with open(args.json, "w") as out:
            json.dump(figures, out, indent=2)


if __name__ == "__main__":
    main()
