"""Hand-off benchmark: a referral made through the service → the notice on the receiving desk's
live stream, next to raw kombu publish → consume on the same broker in the same run.

    .venv/bin/python benchmarks/handoff.py [--rate 100] [--seconds 5] [--burst 1000] [--catch-up 10000] [--postgresql]

Prints p50/p99 latency at a steady rate, the sustained rate of a burst, and how long a desk that
was offline takes to catch up on missed notifications. Uses a throwaway vhost and databases.
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
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from datetime import datetime, timezone  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import requests  # noqa: E402
import sqlalchemy as sa  # noqa: E402
from nameko.standalone.rpc import ClusterRpcProxy  # noqa: E402

from backbone import raw_kombu  # noqa: E402
from harness import percentile, progress, throwaway  # noqa: E402
from services.notifications.tables import notifications  # noqa: E402
from shared.cli import SERVICES  # noqa: E402
from shared.demo import DEMO_CONSULTATIONS  # noqa: E402
from shared.net import free_port  # noqa: E402
from shared.persistence.engine import make_engine  # noqa: E402
from shared.runtime.settings import nameko_config  # noqa: E402

DESK = "hikikomori-center"




class Stream:
    """Reads a desk's Server-Sent Events; remembers when each referral's notice arrived."""

    def __init__(self, url, after=0):
        self.url, self.last_id, self.arrived, self.count, self.reconnects = url, after, {}, 0, 0
        self.response = None
        self.thread = eventlet.spawn(self._read)

    def _read(self):
        """Like a browser's EventSource: on a dropped connection, reconnect with Last-Event-ID."""
        while True:
            try:
                self.response = requests.get(self.url, stream=True, timeout=60,
                                             headers={"Last-Event-ID": str(self.last_id)})
                for line in self.response.iter_lines(chunk_size=65536, decode_unicode=True):
                    if line.startswith("id: "):
                        self.last_id = int(line[4:])
                    elif line.startswith("data: "):
                        notice = json.loads(line[6:])
                        self.count += 1
                        if notice.get("referral_id"):
                            self.arrived.setdefault(notice["referral_id"], time.perf_counter())
            except requests.RequestException:
                pass
            self.reconnects += 1
            eventlet.sleep(0.1)

    def close(self):
        self.thread.kill()
        if self.response is not None:
            self.response.close()


def start_services(settings):
    """Each service in its own process, as deployed; returns once every one is consuming."""
    env = dict(os.environ, **{f"TSUNAGU_{k.upper()}": (",".join(map(str, v)) if isinstance(v, tuple) else str(v))
                              for k, v in vars(settings).items()})
    tsunagu = os.path.join(os.path.dirname(sys.executable), "tsunagu")
    processes = [subprocess.Popen([tsunagu, "run", name], env=env, stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True) for name in SERVICES]
    for process in processes:
        for line in process.stdout:
            if line.startswith("tsunagu: running"):
                break
        else:
            raise SystemExit("a service did not start")
        eventlet.spawn(lambda p=process: [None for _ in p.stdout])  # keep draining its log
    return processes


def refer_payload(consultation_id):
    return {"consultation_id": consultation_id, "from_desk_id": "wakaba-life-independence-center",
            "actor": "bench", "referrals": [{"to_desk_id": DESK, "reason": "benchmark"}]}


def handoffs(proxy, consultations, rate=None):
    """Refer each consultation (paced at ``rate``/s, or as fast as possible); return start times."""
    started, pending = {}, []
    start = time.perf_counter()
    for i, consultation_id in enumerate(consultations):
        if rate:
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                eventlet.sleep(delay)
        pending.append((time.perf_counter(), proxy.referrals.refer.call_async(refer_payload(consultation_id))))
    for began, reply in pending:
        [referral] = reply.result()
        started[referral["referral_id"]] = began
    return started, time.perf_counter() - start


def wait_arrivals(stream, started, timeout=120):
    deadline = time.perf_counter() + timeout
    while any(r not in stream.arrived for r in started) and time.perf_counter() < deadline:
        eventlet.sleep(0.01)
    missing = [r for r in started if r not in stream.arrived]
    if missing:
        raise SystemExit(f"{len(missing)} hand-offs never reached the stream")
    return [1000 * (stream.arrived[r] - started[r]) for r in started]


def catch_up(settings, count):
    """Write ``count`` notices for an offline desk, then time a reconnect that replays them all."""
    engine = make_engine(settings.database_url_for("notifications"))
    now = datetime.now(timezone.utc)
    rows = [{"id": f"n-bench-{i}", "event_id": f"e-bench-{i}", "event_type": "referral.requested",
             "desk_id": "catch-up-desk", "seq": i + 1, "role": "desk", "kind": "new_referral", "title": "benchmark",
             "urgency": "normal", "case_id": f"c-{i}", "referral_id": None, "created_at": now}
            for i in range(count)]
    with engine.begin() as conn:
        conn.execute(notifications.insert(), rows)
    engine.dispose()
    url = f"http://{settings.http_address}/desks/catch-up-desk/stream"
    start = time.perf_counter()
    stream = Stream(url)
    while stream.count < count:
        eventlet.sleep(0.005)
        if time.perf_counter() - start > 60:
            raise SystemExit(f"catch-up stalled at {stream.count} of {count}")
    elapsed = time.perf_counter() - start
    stream.close()
    return elapsed


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=100)
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--catch-up", type=int, default=10000)
    parser.add_argument("--postgresql", action="store_true")
    args = parser.parse_args()

    overrides = {"http_address": f"127.0.0.1:{free_port()}", "gateway_address": f"127.0.0.1:{free_port()}",
                 "max_workers": 50}
    with throwaway(args.postgresql, **overrides) as (settings, management):
        processes = []
        try:
            progress(f"raw kombu baseline at {args.rate:g}/s")
            _, raw_latency = raw_kombu(settings.amqp_uri, settings.queue_type, 1000, args.rate, args.seconds)
            progress("starting every service, one process each")
            processes = start_services(settings)
            steady_n = int(args.rate * args.seconds)
            with ClusterRpcProxy(nameko_config(settings), timeout=60) as proxy:
                progress(f"recording {steady_n + args.burst} consultations")
                cases = [proxy.intake.record_consultation(DEMO_CONSULTATIONS[0])["consultation_id"]
                         for i in range(steady_n + args.burst)]
                settle = time.perf_counter()
                while True:  # every consultation event has reached the referral service
                    try:
                        proxy.referrals.timeline(cases[-1], "wakaba-life-independence-center")
                        break
                    except Exception:
                        if time.perf_counter() - settle > 300:
                            raise SystemExit("the referral service did not catch up in 300 s")
                        eventlet.sleep(0.2)
                progress(f"  the referral service caught up in {time.perf_counter() - settle:.1f} s")
                stream = Stream(f"http://{settings.http_address}/desks/{DESK}/stream")
                progress(f"{steady_n} hand-offs at {args.rate:g}/s")
                started, _ = handoffs(proxy, cases[:steady_n], args.rate)
                latency = wait_arrivals(stream, started)
                progress(f"burst of {args.burst} hand-offs")
                burst_start = time.perf_counter()
                started, _ = handoffs(proxy, cases[steady_n:])
                wait_arrivals(stream, started)
                sustained = args.burst / (time.perf_counter() - burst_start)
                reconnects = stream.reconnects
                stream.close()
            progress(f"catch-up of {args.catch_up} missed notifications")
            catch_up_seconds = catch_up(settings, args.catch_up)
        finally:
            for process in processes:
                process.terminate()
            for process in processes:
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
    print(f"\nhand-off benchmark, {datetime.now(timezone.utc):%Y-%m-%d}: {os.cpu_count()} cores, "
          f"RabbitMQ {management.overview().get('rabbitmq_version', '?')}, "
          f"{'PostgreSQL' if args.postgresql else 'SQLite'}, one process per service")
    print(f"{'at ' + format(args.rate, 'g') + '/s':44} {'p50 ms':>8} {'p99 ms':>8}")
    print(f"{'raw kombu publish → consume':44} {percentile(raw_latency, 50):>8.2f} {percentile(raw_latency, 99):>8.2f}")
    print(f"{'referral RPC → notice on the desk stream':44} {percentile(latency, 50):>8.2f} "
          f"{percentile(latency, 99):>8.2f}")
    print(f"{'ratio':44} {percentile(latency, 50) / percentile(raw_latency, 50):>7.1f}× "
          f"{percentile(latency, 99) / percentile(raw_latency, 99):>7.1f}×")
    print(f"\nsustained hand-offs/s (burst of {args.burst}): {sustained:,.0f}; stream reconnects: {reconnects}")
    print(f"catch-up of {args.catch_up:,} missed notifications: {catch_up_seconds:.2f} s")
    print(f"targets: p99 ≤ 50 ms at 100/s ({'met' if percentile(latency, 99) <= 50 else 'NOT met'}); "
          f"≥ 500 hand-offs/s ({'met' if sustained >= 500 else 'NOT met'}); "
          f"catch-up ≤ 2 s ({'met' if catch_up_seconds <= 2 else 'NOT met'})")


if __name__ == "__main__":
    main()
