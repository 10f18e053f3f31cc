"""Hand-off benchmark: a referral made through the service → the notice on the receiving desk's
live stream, next to raw kombu publish → consume on the same broker in the same run.

    .venv/bin/python benchmarks/handoff.py [--rates 25,50,100] [--seconds 5] [--warm-up 1] [--burst 1000]
                                           [--catch-up 10000] [--postgresql] [--processes LAYOUT]

Prints one table: p50/p99 latency at a steady rate and the sustained rate of a burst, each next
to raw kombu on the same broker in the same run with the ratio; each process's CPU and peak
memory under the burst (one process per service, or the services grouped as ``--processes``
says, as ``tsunagu run a b ...`` runs them); the outbox relays' rate and lag; and how long a desk
that was offline takes to catch up on missed notifications. Then two smaller tables: where a
hand-off's time goes at the last steady rate (stage by stage, from the rows it left), and the
CPU each process on the box (services, broker, database, this client) spent per hand-off under
the burst. Steady rates are measured once every service is idle, each after ``--warm-up``
seconds at that rate that are not counted. Uses a throwaway vhost and databases.
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402
import eventlet.queue  # noqa: E402

eventlet.monkey_patch()

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()

import argparse  # noqa: E402
import gc  # noqa: E402
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
TICKS = os.sysconf("SC_CLK_TCK")
WALL = time.time() - time.perf_counter()  # perf_counter readings + WALL = wall-clock seconds


class Resources:
    """CPU seconds and peak resident memory of each service process, read from /proc; CPU also
    of the broker, the database server (every process of it) and this client, which share the
    box with the services."""

    SHARING = {"RabbitMQ": ("beam.smp",), "PostgreSQL": ("postgres",)}

    def __init__(self, processes: dict):
        self.processes = processes  # label (the services it runs) -> process
        self.peak_mb = {name: 0.0 for name in self.processes}
        self._cpu0 = self._cpu()
        self._watch = eventlet.spawn(self._sample)

    def _cpu(self):
        seconds = {name: _cpu_seconds(process.pid) for name, process in self.processes.items()}
        seconds["this client"] = _cpu_seconds(os.getpid())
        for label, names in self.SHARING.items():
            seconds[label] = {}  # pid -> seconds: a database connection's process may come and go
            for pid in filter(str.isdigit, os.listdir("/proc")):
                try:
                    if open(f"/proc/{pid}/comm").read().strip() in names:
                        seconds[label][pid] = _cpu_seconds(pid)
                except OSError:  # ended meanwhile
                    continue
        return seconds

    def _sample(self):
        while True:
            for name, process in self.processes.items():
                status = open(f"/proc/{process.pid}/status").read()
                self.peak_mb[name] = max(self.peak_mb[name], int(status.split("VmRSS:")[1].split()[0]) / 1024)
            eventlet.sleep(0.25)

    def restart(self):
        self._cpu0, self._t0 = self._cpu(), time.perf_counter()

    def cpu_seconds(self):
        """CPU seconds each used since ``restart``, and the wall-clock seconds elapsed."""
        elapsed, now = time.perf_counter() - self._t0, self._cpu()
        used = {}
        for name, value in now.items():
            if isinstance(value, dict):
                used[name] = sum(v - self._cpu0[name].get(pid, 0.0) for pid, v in value.items())
            else:
                used[name] = value - self._cpu0[name]
        return used, elapsed

    def close(self):
        self._watch.kill()


def _cpu_seconds(pid) -> float:
    try:
        fields = open(f"/proc/{pid}/stat").read().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime + stime


def relay_figures(settings, since):
    """Outbox rows written since ``since`` in every service: how many, published per second,
    and the lag from commit to broker confirm (p50/p99 ms)."""
    from shared.persistence.tables import outbox
    lags, first, last = [], None, None
    for name in SERVICES:
        engine = make_engine(settings.database_url_for(name))
        with engine.connect() as conn:
            rows = conn.execute(sa.select(outbox.c.created_at, outbox.c.published_at)
                                .where(outbox.c.created_at >= since, outbox.c.published_at.is_not(None))).all()
        engine.dispose()
        for created, published in rows:
            created, published = _aware(created), _aware(published)
            lags.append(1000 * (published - created).total_seconds())
            first = min(first or created, created)
            last = max(last or published, published)
    rate = len(lags) / max((last - first).total_seconds(), 1e-3) if lags else 0.0
    return len(lags), rate, lags


def _aware(moment):
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)



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


def start_services(settings, layout: list[list[str]], processes: dict):
    """One ``tsunagu run`` process per group of services in ``layout``, filling ``processes``
    (so the caller stops whatever started); returns once every one is consuming."""
    env = dict(os.environ, **{f"TSUNAGU_{k.upper()}": (",".join(map(str, v)) if isinstance(v, tuple) else str(v))
                              for k, v in vars(settings).items()})
    tsunagu = os.path.join(os.path.dirname(sys.executable), "tsunagu")
    for group in layout:
        processes["+".join(group)] = subprocess.Popen([tsunagu, "run", *group], env=env, stdout=subprocess.PIPE,
                                                      stderr=subprocess.STDOUT, text=True)
    for label, process in processes.items():
        log = []
        for line in process.stdout:
            if line.startswith("tsunagu: running"):
                break
            log.append(line)
        else:
            raise SystemExit(f"{label} did not start:\n{''.join(log[-20:])}")
        eventlet.spawn(lambda p=process: [None for _ in p.stdout])  # keep draining its log


def parse_layout(spec: str | None) -> list[list[str]]:
    """``a,b/c``: services a and b in one process, c in another; every service exactly once."""
    if not spec:
        return [[name] for name in SERVICES]
    layout = [[name.strip() for name in group.split(",") if name.strip()] for group in spec.split("/")]
    named = [name for group in layout for name in group]
    if sorted(named) != sorted(SERVICES):
        raise SystemExit(f"--processes must name each of {', '.join(SERVICES)} exactly once")
    return layout


def refer_payload(consultation_id):
    return {"consultation_id": consultation_id, "from_desk_id": "wakaba-life-independence-center",
            "actor": "bench", "referrals": [{"to_desk_id": DESK, "reason": "benchmark"}]}


def handoffs(proxy, consultations, rate=None):
    """Refer each consultation (paced at ``rate``/s, or as fast as possible); return start times.
    Replies are read as they come, beside the pacing: read all at the end, they kept this
    client busy for tens of ms while the last notices arrived, and their clock readings waited."""
    started, pending = {}, eventlet.queue.LightQueue()

    def read_replies():
        for _ in consultations:
            began, reply = pending.get()
            [referral] = reply.result()
            started[referral["referral_id"]] = began

    replies = eventlet.spawn(read_replies)
    start = time.perf_counter()
    for i, consultation_id in enumerate(consultations):
        if rate:
            delay = start + i / rate - time.perf_counter()
            if delay > 0:
                eventlet.sleep(delay)
        pending.put((time.perf_counter(), proxy.referrals.refer.call_async(refer_payload(consultation_id))))
    replies.wait()
    return started, time.perf_counter() - start


def wait_arrivals(stream, started, timeout=120):
    deadline = time.perf_counter() + timeout
    while any(r not in stream.arrived for r in started) and time.perf_counter() < deadline:
        eventlet.sleep(0.01)
    missing = [r for r in started if r not in stream.arrived]
    if missing:
        raise SystemExit(f"{len(missing)} hand-offs never reached the stream")
    return [1000 * (stream.arrived[r] - started[r]) for r in started]


def stages(settings, started, arrived):
    """Where each hand-off's time went, from the rows it left: RPC → referral staged in the
    outbox → confirmed by the broker → notice written by the notifications service → on the
    stream. Returns {stage: [ms, ...]}."""
    from shared.persistence.tables import outbox
    engine = make_engine(settings.database_url_for("referrals"))
    deadline = time.perf_counter() + 10
    while True:  # a confirm is recorded when the relay is next idle, or a second later
        with engine.connect() as conn:
            relayed = {json.loads(body)["data"]["referral_id"]: (created, published)
                       for created, published, body in
                       conn.execute(sa.select(outbox.c.created_at, outbox.c.published_at, outbox.c.body)
                                    .where(outbox.c.event_type == "referral.requested"))}
        if all(relayed[r][1] for r in started) or time.perf_counter() > deadline:
            break
        eventlet.sleep(0.2)
    engine.dispose()
    engine = make_engine(settings.database_url_for("notifications"))
    with engine.connect() as conn:
        written = dict(conn.execute(sa.select(notifications.c.referral_id, notifications.c.created_at)
                                    .where(notifications.c.desk_id == DESK)).all())
    engine.dispose()
    figures = {"RPC → referral staged": [], "staged → broker confirm": [], "confirm → notice written": [],
               "notice written → on the stream": []}
    for referral_id, began in started.items():
        staged, confirmed = (_aware(t).timestamp() for t in relayed[referral_id])
        noticed = _aware(written[referral_id]).timestamp()
        moments = [began + WALL, staged, confirmed, noticed, arrived[referral_id] + WALL]
        for stage, (a, b) in zip(figures, zip(moments, moments[1:])):
            figures[stage].append(1000 * (b - a))
    return figures


def quiesce(settings, timeout=300):
    """Wait until every service is idle: no outbox row waiting and no event waiting in any
    service's queue, three checks in a row, half a second apart (what a consumer has prefetched
    is applied within that). Measuring latency over a backlog would measure the backlog."""
    from shared.messaging.publisher import connect
    from shared.messaging.topology import ServiceQueues
    from shared.outbox import pending_count
    engines = [make_engine(settings.database_url_for(name)) for name in SERVICES]
    connection = connect(settings.amqp_uri)
    deadline, calm = time.perf_counter() + timeout, 0
    try:
        while calm < 3:
            if time.perf_counter() > deadline:
                raise SystemExit(f"the services did not become idle in {timeout} s")
            waiting = 0
            for engine in engines:
                with engine.connect() as conn:
                    waiting += pending_count(conn)
            for name in SERVICES:
                channel = connection.channel()
                try:
                    waiting += channel.queue_declare(ServiceQueues(name).events, passive=True).message_count
                    channel.close()
                except Exception:  # a service that consumes no events has no queue
                    pass
            calm = calm + 1 if waiting == 0 else 0
            eventlet.sleep(0.5)
    finally:
        connection.close()
        for engine in engines:
            engine.dispose()


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
    gc.freeze()  # the client's own collections would pause its clock readings, as in the services
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rates", default="25,50,100", help="steady rates to measure, comma-separated")
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--warm-up", type=float, default=1.0,
                        help="seconds at each rate before its measured seconds, not counted")
    parser.add_argument("--burst", type=int, default=1000)
    parser.add_argument("--catch-up", type=int, default=10000)
    parser.add_argument("--postgresql", action="store_true")
    parser.add_argument("--processes", metavar="LAYOUT",
                        help="services per process, such as directory,intake,consent,referrals,gateway/"
                             "notifications,monitor (default: one process per service)")
    args = parser.parse_args()
    layout = parse_layout(args.processes)

    overrides = {"http_address": f"127.0.0.1:{free_port()}", "gateway_address": f"127.0.0.1:{free_port()}",
                 "max_workers": 50}
    with throwaway(args.postgresql, **overrides) as (settings, management):
        processes = {}
        try:
            rates = [float(r) for r in args.rates.split(",")]
            args.rate = rates[-1]  # the target's rate comes last
            progress(f"raw kombu baseline at {args.rate:g}/s")
            raw_burst, raw_latency = raw_kombu(settings.amqp_uri, settings.queue_type, 1000, args.rate, args.seconds)
            progress(f"starting every service, in {len(layout)} processes")
            start_services(settings, layout, processes)
            warm = [int(r * args.warm_up) for r in rates]
            per_rate = [int(r * args.seconds) + w for r, w in zip(rates, warm)]
            steady_n = sum(per_rate)
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
                quiesce(settings)
                progress(f"  every service caught up in {time.perf_counter() - settle:.1f} s")
                stream = Stream(f"http://{settings.http_address}/desks/{DESK}/stream")
                latencies, first = {}, 0
                for rate, n, w in zip(rates, per_rate, warm):
                    progress(f"{n} hand-offs at {rate:g}/s, the first {w} to warm up")
                    started, _ = handoffs(proxy, cases[first:first + n], rate)
                    wait_arrivals(stream, started)
                    started = dict(list(started.items())[w:])  # paced without a break; measured after
                    latencies[rate] = wait_arrivals(stream, started)
                    first += n
                steady_stages = stages(settings, started, stream.arrived)
                latency = latencies[args.rate]
                progress(f"burst of {args.burst} hand-offs")
                resources = Resources(processes)
                resources.restart()
                burst_since = datetime.now(timezone.utc)
                burst_start = time.perf_counter()
                started, _ = handoffs(proxy, cases[steady_n:])
                wait_arrivals(stream, started)
                sustained = args.burst / (time.perf_counter() - burst_start)
                cpu, cpu_elapsed = resources.cpu_seconds()
                eventlet.sleep(1.0)  # the last relays' confirms are recorded
                resources.close()
                relayed, relay_rate, relay_lag = relay_figures(settings, burst_since)
                reconnects = stream.reconnects
                stream.close()
            progress(f"catch-up of {args.catch_up} missed notifications")
            catch_up_seconds = catch_up(settings, args.catch_up)
        finally:
            for process in processes.values():
                process.terminate()
            for process in processes.values():
                try:
                    process.wait(30)
                except subprocess.TimeoutExpired:
                    process.kill()
    p50, p99 = percentile(latency, 50), percentile(latency, 99)
    raw50, raw99 = percentile(raw_latency, 50), percentile(raw_latency, 99)
    print(f"\nbenchmark table, {datetime.now(timezone.utc):%Y-%m-%d}: {os.cpu_count()} cores, "
          f"{os.sysconf('SC_PAGE_SIZE') * os.sysconf('SC_PHYS_PAGES') / 2**30:.0f} GiB, "
          f"RabbitMQ {management.overview().get('rabbitmq_version', '?')} ({settings.queue_type} queues), "
          f"{'PostgreSQL' if args.postgresql else 'SQLite'}, "
          f"{'one process per service' if len(layout) == len(SERVICES) else f'services in {len(layout)} processes'}\n")
    print("| measure | tsunagu | raw kombu | ratio | target |\n|---|---:|---:|---:|---|")
    for rate in rates[:-1]:
        print(f"| p50 / p99 latency at {rate:g}/s (referral RPC → notice on the desk's stream) "
              f"| {percentile(latencies[rate], 50):.1f} / {percentile(latencies[rate], 99):.1f} ms | | | |")
    print(f"| p50 latency at {args.rate:g}/s (referral RPC → notice on the desk's stream) | {p50:.1f} ms "
          f"| {raw50:.2f} ms | {p50 / raw50:.0f}× | |")
    print(f"| p99 latency at {args.rate:g}/s | {p99:.1f} ms | {raw99:.2f} ms | {p99 / raw99:.0f}× "
          f"| ≤ 50 ms: {'met' if p99 <= 50 else 'NOT met'} |")
    print(f"| sustained hand-offs/s (burst of {args.burst}) | {sustained:,.0f} | {raw_burst:,.0f} msg/s "
          f"| {raw_burst / sustained:.0f}× | ≥ 500/s: {'met' if sustained >= 500 else 'NOT met'} |")
    print(f"| outbox relay under the burst: rows/s, all services | {relay_rate:,.0f} ({relayed:,} rows) "
          f"| {raw_burst:,.0f} msg/s | {raw_burst / max(relay_rate, 1):.0f}× | |")
    if relay_lag:
        print(f"| outbox lag, commit → broker confirm, p50 / p99 | {percentile(relay_lag, 50):.0f} / "
              f"{percentile(relay_lag, 99):.0f} ms | | | |")
    print(f"| catch-up of {args.catch_up:,} missed notifications | {catch_up_seconds:.2f} s | | "
          f"| ≤ 2 s: {'met' if catch_up_seconds <= 2 else 'NOT met'} |")
    total_mb = sum(resources.peak_mb.values())
    for label in processes:
        print(f"| {label.replace('+', ' + ')}: CPU under the burst / peak memory | "
              f"{100 * cpu[label] / cpu_elapsed:.0f}% of a core / {resources.peak_mb[label]:.0f} MB | | | |")
    print(f"| all services ({len(processes)} processes): peak memory (sum of peaks) | {total_mb:.0f} MB | | "
          f"| ≤ 500 MB: {'met' if total_mb <= 500 else 'NOT met'} |")
    print(f"\nstream reconnects during the run: {reconnects}\n")
    print(f"| CPU per hand-off under the burst | ms | share of a core |\n|---|---:|---:|")
    for label, seconds in sorted(cpu.items(), key=lambda kv: -kv[1]):
        print(f"| {label.replace('+', ' + ')} | {1000 * seconds / args.burst:.2f} | {100 * seconds / cpu_elapsed:.0f}% |")
    print(f"| all of them ({os.cpu_count()} cores) | {1000 * sum(cpu.values()) / args.burst:.2f} "
          f"| {100 * sum(cpu.values()) / cpu_elapsed:.0f}% |\n")
    print(f"| where the time goes at {args.rate:g}/s | p50 | p99 |\n|---|---:|---:|")
    for stage, figures in steady_stages.items():
        print(f"| {stage} | {percentile(figures, 50):.1f} ms | {percentile(figures, 99):.1f} ms |")


if __name__ == "__main__":
    main()
