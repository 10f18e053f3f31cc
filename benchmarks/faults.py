"""Fault-injection suite: hand-offs flow end to end through the real services while the broker,
the services, the database and the network fail, and every hand-off is counted.

    .venv/bin/python benchmarks/faults.py [broker services postgresql network cluster | ci] \\
        [--handoffs N] [--rate 25] [--faults N] [--json FILE]

A hand-off is what a desk does through the HTTP API, as an outside client would: record a
consultation (with an Idempotency-Key), then refer it to another desk, retrying on timeouts,
5xx and dropped connections. It is *confirmed* when the referral is answered 201 (or 409: an
earlier, unanswered try took effect). The receiving desk reads its live stream (resuming with
Last-Event-ID) and, at the end, its inbox. Each run prints: attempted, confirmed, delivered,
lost (confirmed, never delivered), duplicates delivered (redeliveries the consumers' inboxes
dropped), duplicates visible to staff (a second notice of one hand-off in the inbox or on the
stream), longest stall (gap between arrivals), and recovery (from a fault's end until every
hand-off confirmed before that end has arrived). A run passes with 0 lost, 0 visible duplicates
and recovery within 20 s.

Every run gets its own RabbitMQ node(s), PostgreSQL server and ports, all removed afterwards;
a watchdog ends a run that hangs. Scenarios:

* broker      RabbitMQ stopped gracefully and SIGKILLed in turn, and started again
* services    each service SIGKILLed mid-flow and restarted, round the list twice
* postgresql  PostgreSQL restarted (fast, then immediate: a crash)
* network     broker connections cut, then black-holed, through a TCP proxy
* cluster     3 RabbitMQ nodes, quorum queues, two instances of every service; a node killed
* ci          the small CI run: two broker restarts and two service kills
"""
from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

import requests  # noqa: E402

from lab.fleet import Fleet, env_for  # noqa: E402
from lab.postgres import PostgresServer  # noqa: E402
from lab.proxy import FaultyLink  # noqa: E402
from lab.rabbit import RabbitNode  # noqa: E402
from shared.cli import SERVICES  # noqa: E402
from shared.net import free_port  # noqa: E402

FROM_DESK, TO_DESK = "wakaba-life-independence-center", "hikikomori-center"
PASSWORD = "fault-suite-password"
RECOVERY_LIMIT = 20.0
DUPLICATE_LOG = "had already applied"
KILL_ORDER = ["referrals", "notifications", "intake", "gateway", "directory", "consent", "monitor"]


def progress(message):
    print(f"  … {message}", file=sys.stderr, flush=True)


@dataclass
class Handoff:
    key: str
    case_id: str | None = None
    confirmed_at: float | None = None
    tries: int = 0


@dataclass
class Outcome:
    scenario: str
    faults: list[str] = field(default_factory=list)
    attempted: int = 0
    confirmed: int = 0
    delivered: int = 0
    lost: int = 0
    duplicates_delivered: int = 0
    duplicates_visible: int = 0
    longest_stall_s: float = 0.0
    recovery_s: float = 0.0
    crashes: list[str] = field(default_factory=list)
    seconds: float = 0.0
    note: str = ""

    @property
    def passed(self) -> bool:
        return (self.lost == 0 and self.duplicates_visible == 0 and self.recovery_s <= RECOVERY_LIMIT
                and self.attempted > 0 and not self.note)


class Desk:
    """One signed-in desk speaking to the gateway, retrying what a careful client retries."""

    def __init__(self, base: str, username: str):
        self.base, self.username = base, username
        self.session = requests.Session()
        self.token = None

    def sign_in(self, deadline: float):
        while time.monotonic() < deadline:
            try:
                answer = self.session.post(f"{self.base}/api/v1/sessions", timeout=10,
                                           json={"username": self.username, "password": PASSWORD})
                if answer.status_code == 201:
                    self.token = answer.json()["token"]
                    return
            except requests.RequestException:
                pass
            time.sleep(0.5)
        raise RuntimeError(f"{self.username} could not sign in")

    def call(self, method, path, deadline, retry_on=(), **kwargs):
        """The answer once it is not a transient failure; None when the deadline passes."""
        pause = 0.2
        while time.monotonic() < deadline:
            try:
                answer = self.session.request(method, f"{self.base}/api/v1{path}", timeout=10,
                                              headers={"Authorization": f"Bearer {self.token}",
                                                       **kwargs.pop("headers", {})}, **kwargs)
                if answer.status_code < 500 and answer.status_code not in retry_on:
                    return answer
            except requests.RequestException:
                pass
            time.sleep(pause)
            pause = min(pause * 2, 2.0)
        return None


class LiveStream:
    """The receiving desk's live stream, reconnecting with Last-Event-ID like a browser."""

    def __init__(self, desk: Desk):
        self.desk, self.last_id = desk, 0
        self.arrivals: dict[str, float] = {}  # case id → first arrival
        self.seen: dict[str, int] = {}  # notification id → times shown
        self.times: list[float] = []
        self._stop = threading.Event()
        self._response = None
        threading.Thread(target=self._read, daemon=True, name="live-stream").start()

    def _read(self):
        while not self._stop.is_set():
            try:
                self._response = requests.get(
                    f"{self.desk.base}/api/v1/inbox/stream", stream=True, timeout=(5, 30),
                    headers={"Authorization": f"Bearer {self.desk.token}", "Last-Event-ID": str(self.last_id)})
                for raw in self._response.iter_lines():
                    line = raw.decode()
                    if line.startswith("id: "):
                        self.last_id = int(line[4:])
                    elif line.startswith("data: "):
                        notice = json.loads(line[6:])
                        self.seen[notice["id"]] = self.seen.get(notice["id"], 0) + 1
                        if notice["kind"] == "new_referral" and notice.get("case_id"):
                            now = time.monotonic()
                            self.times.append(now)
                            self.arrivals.setdefault(notice["case_id"], now)
            except (requests.RequestException, ValueError, AttributeError):
                pass
            time.sleep(0.2)

    def close(self):
        self._stop.set()
        if self._response is not None:
            self._response.close()


class Run:
    """Services, broker and database for one scenario, torn down on exit."""

    def __init__(self, scenario: str, nodes: int, instances: int):
        self.scenario, self.instances = scenario, instances
        self.root = Path(tempfile.mkdtemp(prefix=f"tsunagu-faults-{scenario}-"))
        os.chmod(self.root, 0o755)  # the broker and database run as their own users
        tag = uuid.uuid4().hex[:6]
        self.nodes = [RabbitNode(f"tsunagu-{tag}-{i}", free_port(), free_port(), free_port(), self.root)
                      for i in range(nodes)]
        self.postgres = PostgresServer(self.root, free_port())
        self.link = None
        self.fleet = None
        self.gateway = f"127.0.0.1:{free_port()}"

    def __enter__(self):
        progress(f"{self.scenario}: starting {len(self.nodes)} RabbitMQ node(s) and PostgreSQL")
        self.postgres.init()
        self.nodes[0].start()
        for node in self.nodes[1:]:
            node.start()
            node.join(self.nodes[0])
        self.link = FaultyLink(free_port(), [n.amqp_port for n in self.nodes])
        http = free_port()
        self.fleet = Fleet(env_for({
            "amqp_uri": f"amqp://guest:guest@127.0.0.1:{self.link.listen_port}/%2F",
            "management_uri": self.nodes[-1].management_uri, "database_url": self.postgres.url,
            "data_dir": self.root / "data", "gateway_address": self.gateway, "http_address": f"127.0.0.1:{http}",
            "notifications_url": f"http://127.0.0.1:{http}", "smtp_port": free_port(), "log_level": "INFO",
            "log_format": "json", "login_attempts": 1000, "queue_type": "quorum", "max_workers": 20,
            "flow_check_interval": 5}), self.root)
        progress(f"{self.scenario}: starting {len(SERVICES)} services × {self.instances}, one process each")
        for service in SERVICES:
            for n in range(self.instances):
                self.fleet.start(service, self.instance(service, n), self._own_addresses(service, n))
        for username, desk_id in (("sender", FROM_DESK), ("receiver", TO_DESK)):
            self._create_staff(username, desk_id)
        return self

    def instance(self, service: str, n: int) -> str:
        return service if n == 0 else f"{service}-{n + 1}"

    def _own_addresses(self, service: str, n: int) -> dict:
        """A second instance listens on ports of its own (its web server, the gateway's API)."""
        if n == 0:
            return {}
        return {"TSUNAGU_HTTP_ADDRESS": f"127.0.0.1:{free_port()}", "TSUNAGU_GATEWAY_ADDRESS": f"127.0.0.1:{free_port()}"}

    def _create_staff(self, username: str, desk_id: str):
        import subprocess
        from lab.fleet import TSUNAGU
        done = subprocess.run([TSUNAGU, "create-staff", username, "--desk", desk_id, "--password-stdin", "--exist-ok"],
                              input=PASSWORD + "\n", env=self.fleet.env, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"create-staff {username}: {done.stderr}")

    def __exit__(self, *exc):
        if self.fleet:
            self.fleet.stop_all()
        if self.link:
            self.link.close()
        for node in self.nodes:
            node.destroy()
        self.postgres.destroy()
        if not os.environ.get("TSUNAGU_KEEP_FAULT_LOGS"):
            shutil.rmtree(self.root, ignore_errors=True)
        else:
            progress(f"logs kept in {self.root}")


# ---------------------------------------------------------------- faults
def broker_restart(run: Run, i: int) -> str:
    node = run.nodes[0]
    if i % 2 == 0:
        node.stop()
        how = "stopped"
    else:
        node.kill()
        how = "SIGKILLed"
    time.sleep(1.0)
    node.start()
    return f"RabbitMQ {how}, restarted"


def service_kill(run: Run, i: int) -> str:
    victim = KILL_ORDER[i % len(KILL_ORDER)]
    run.fleet.restart(victim)
    return f"{victim} SIGKILLed, restarted"


def postgresql_restart(run: Run, i: int) -> str:
    mode = "fast" if i % 2 == 0 else "immediate"
    run.postgres.stop(mode)
    time.sleep(1.0)
    run.postgres.start()
    return f"PostgreSQL {mode} stop, restarted"


def network_fault(run: Run, i: int) -> str:
    if i % 2 == 0:
        cut = run.link.cut()
        time.sleep(2.0)
        run.link.cut()  # and whatever reconnected in between
        return f"{cut} broker connections cut twice, 2 s apart"
    run.link.black_hole()
    time.sleep(8.0)
    run.link.heal()
    return "broker connections black-holed for 8 s"


def node_kill(run: Run, i: int) -> str:
    node = run.nodes[1 + i % (len(run.nodes) - 1)]  # never the seed the others joined
    node.kill()
    time.sleep(5.0)
    node.start()
    return f"cluster node {node.node.split('@')[0][-1]} SIGKILLed mid-burst, restarted"


def ci_fault(run: Run, i: int) -> str:
    return (broker_restart if i < 2 else service_kill)(run, i if i < 2 else i - 2)


SCENARIOS = {  # name: (fault, RabbitMQ nodes, instances of each service, faults by default)
    "broker": (broker_restart, 1, 1, 4),
    "services": (service_kill, 1, 1, 2 * len(KILL_ORDER)),  # every service, twice
    "postgresql": (postgresql_restart, 1, 1, 4),
    "network": (network_fault, 1, 1, 4),
    "cluster": (node_kill, 3, 2, 4),
    "ci": (ci_fault, 1, 1, 4),
}


# ---------------------------------------------------------------- one run
def handoff(sender: Desk, h: Handoff, run_id: str, deadline: float) -> Handoff:
    h.tries += 1
    consultation = {"ward": "wakaba", "channel": "walk_in", "concerns": ["housing"],
                    "summary": f"fault suite {run_id}", "person": {"name": "試験 太郎"}}
    answer = sender.call("POST", "/consultations", deadline, json=consultation,
                         headers={"Idempotency-Key": h.key})
    if answer is None or answer.status_code != 201:
        return h
    h.case_id = answer.json()["consultation_id"]
    referral = {"consultation_id": h.case_id, "referrals": [{"to_desk_id": TO_DESK, "reason": "fault suite"}]}
    # 404 until the consultation's event has reached the referral service: wait for it.
    answer = sender.call("POST", "/referrals", deadline, retry_on=(404,), json=referral)
    if answer is not None and answer.status_code in (201, 409):
        h.confirmed_at = time.monotonic()
    return h


def final_inbox(receiver: Desk, deadline: float) -> dict[str, int]:
    """New-referral notices per case in the receiving desk's inbox."""
    per_case, after = {}, 0
    while True:
        answer = receiver.call("GET", "/inbox", deadline, params={"after": after})
        if answer is None:
            raise RuntimeError("the inbox did not answer")
        page = answer.json()
        for notice in page:
            if notice["kind"] == "new_referral":
                per_case[notice["case_id"]] = per_case.get(notice["case_id"], 0) + 1
        if len(page) < 1000:
            return per_case
        after = page[-1]["position"]


def explain_doubles(run: Run, cases: list[str]) -> None:
    """Print what the databases hold for a doubled hand-off, to find which step repeated."""
    import sqlalchemy as sa
    for service, sql in (("referrals", "SELECT id, status, created_at FROM referrals WHERE consultation_id = ANY(:c)"),
                         ("notifications", "SELECT id, event_id, event_type, referral_id, created_at FROM notifications "
                                           "WHERE case_id = ANY(:c) AND kind = 'new_referral'")):
        engine = sa.create_engine(run.postgres.url.format(service=service))
        with engine.connect() as conn:
            for row in conn.execute(sa.text(sql), {"c": cases}):
                progress(f"  {service}: {tuple(row)}")
        engine.dispose()


def run_scenario(name: str, handoffs: int, rate: float, faults: int, watchdog: float) -> Outcome:
    fault, nodes, instances, _ = SCENARIOS[name]
    outcome = Outcome(name)
    started = time.monotonic()
    hard_deadline = started + watchdog
    with Run(name, nodes, instances) as run:
        sender, receiver = Desk(f"http://{run.gateway}", "sender"), Desk(f"http://{run.gateway}", "receiver")
        sender.sign_in(time.monotonic() + 60)
        receiver.sign_in(time.monotonic() + 60)
        stream = LiveStream(receiver)
        run_id = uuid.uuid4().hex[:8]
        flow_seconds = handoffs / rate
        windows = []  # (fault end, hand-offs confirmed by then)
        items = [Handoff(f"{run_id}-{i}") for i in range(handoffs)]

        def inject():
            gap = flow_seconds / (faults + 1)
            for i in range(faults):
                time.sleep(max(0.0, started_flow + gap * (i + 1) - time.monotonic()))
                if time.monotonic() > hard_deadline:
                    return
                began = time.monotonic()
                what = fault(run, i)
                ended = time.monotonic()
                windows.append((ended, [h for h in items if h.confirmed_at is not None and h.confirmed_at <= ended]))
                outcome.faults.append(f"{what} ({ended - began:.1f} s)")
                progress(f"{name}: {what}")

        progress(f"{name}: {handoffs} hand-offs at {rate:g}/s with {faults} faults")
        started_flow = time.monotonic()
        injector = threading.Thread(target=inject, name="faults")
        injector.start()
        with ThreadPoolExecutor(max_workers=max(8, int(rate * 2))) as pool:
            futures = []
            for i, h in enumerate(items):
                time.sleep(max(0.0, started_flow + i / rate - time.monotonic()))
                futures.append(pool.submit(handoff, sender, h, run_id, min(hard_deadline, time.monotonic() + 180)))
            for future in futures:
                future.result()
        injector.join()
        confirmed = [h for h in items if h.confirmed_at is not None]
        progress(f"{name}: {len(confirmed)} confirmed; waiting for every one on the desk's stream")
        drain_deadline = min(hard_deadline, time.monotonic() + 120)
        while any(h.case_id not in stream.arrivals for h in confirmed) and time.monotonic() < drain_deadline:
            time.sleep(0.2)
        inbox = final_inbox(receiver, time.monotonic() + 60)
        stream.close()
        outcome.attempted = len(items)
        outcome.confirmed = len(confirmed)
        delivered = {h.case_id for h in confirmed if inbox.get(h.case_id) and h.case_id in stream.arrivals}
        outcome.delivered = len(delivered)
        outcome.lost = len(confirmed) - len(delivered)
        doubled = {case: n for case, n in inbox.items() if n > 1}
        shown_twice = {notice: n for notice, n in stream.seen.items() if n > 1}
        if doubled or shown_twice:
            progress(f"{name}: doubled in the inbox {doubled}; shown twice on the stream {shown_twice}")
            explain_doubles(run, list(doubled))
        outcome.duplicates_visible = sum(n - 1 for n in doubled.values()) + sum(n - 1 for n in shown_twice.values())
        outcome.duplicates_delivered = run.fleet.count_in_logs(DUPLICATE_LOG)
        times = sorted(stream.times)
        gaps = [(b - a, a - started_flow) for a, b in zip(times, times[1:])]
        if gaps:
            stall, at = max(gaps)
            outcome.longest_stall_s = round(stall, 2)
            progress(f"{name}: longest stall {stall:.1f} s from {at:.1f} s into the flow; faults ended at "
                     + ", ".join(f"{ended - started_flow:.1f} s" for ended, _ in windows))
        recoveries = [recovery(ended, [stream.arrivals.get(h.case_id) for h in due], times,
                               any(h.confirmed_at and h.confirmed_at > ended for h in items))
                      for ended, due in windows]
        outcome.recovery_s = round(max(recoveries, default=0.0), 2)
        outcome.crashes = list(run.fleet.crashes)
        if time.monotonic() > hard_deadline:
            outcome.note = f"watchdog: the run passed {watchdog:.0f} s"
    outcome.seconds = round(time.monotonic() - started, 1)
    return outcome


def recovery(ended: float, backlog: list[float | None], arrivals: list[float], flow_goes_on: bool) -> float:
    """Seconds from a fault's end until every hand-off confirmed before it has arrived (their
    arrival times are ``backlog``) and, while hand-offs are still being made, the flow moves
    again (an arrival after the end); infinite if either never happens."""
    if any(a is None for a in backlog):
        return float("inf")
    waits = [a - ended for a in backlog]
    if flow_goes_on:
        after = [a for a in arrivals if a >= ended]
        waits.append(after[0] - ended if after else float("inf"))
    return max([0.0] + waits)


def table(outcomes: list[Outcome]) -> str:
    head = ("| run | faults | attempted | confirmed | delivered | lost | duplicates delivered | duplicates visible "
            "| longest stall | recovery | result |\n|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|")
    rows = [f"| {o.scenario} | {len(o.faults)} | {o.attempted} | {o.confirmed} | {o.delivered} | {o.lost} | {o.duplicates_delivered} "
            f"| {o.duplicates_visible} | {o.longest_stall_s:.1f} s | {o.recovery_s:.1f} s | "
            f"{'pass' if o.passed else 'FAIL ' + o.note} |" for o in outcomes]
    return "\n".join([head, *rows])


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("scenarios", nargs="*", metavar="scenario",
                        help=f"any of {', '.join(SCENARIOS)} (default: all but ci)")
    parser.add_argument("--handoffs", type=int, help="hand-offs per run (default: 2500 for services, so its 14 "
                        "kills are ~7 s apart; else 1500)")
    parser.add_argument("--rate", type=float, default=25.0, help="hand-offs started per second")
    parser.add_argument("--faults", type=int, help="faults per run (default: 14 for services, else 4; ci: always 4)")
    parser.add_argument("--watchdog", type=float, default=900, help="seconds before a run is abandoned")
    parser.add_argument("--json", help="also write the outcomes to this file")
    args = parser.parse_args(argv)
    unknown = [name for name in args.scenarios if name not in SCENARIOS]
    if unknown:
        parser.error(f"no scenario {', '.join(unknown)}; choose from {', '.join(SCENARIOS)}")
    args.scenarios = args.scenarios or [name for name in SCENARIOS if name != "ci"]
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # tear down the nodes and servers on the way out
    random.seed(0)
    outcomes = []
    for name in args.scenarios:
        faults = SCENARIOS[name][3] if name == "ci" or args.faults is None else args.faults
        handoffs = args.handoffs or (2500 if name == "services" else 1500)
        outcome = run_scenario(name, handoffs, args.rate, faults, args.watchdog)
        outcomes.append(outcome)
        for line in outcome.faults:
            print(f"  {name}: {line}")
        for line in outcome.crashes:
            print(f"  {name}: exited on its own and was restarted: {line}")
    print(f"\nfault suite, {datetime.now(timezone.utc):%Y-%m-%d}: {os.cpu_count()} cores, "
          f"hand-offs at {args.rate:g}/s, PostgreSQL, one process per service instance\n")
    print(table(outcomes))
    if args.json:
        Path(args.json).write_text(json.dumps([{**asdict(o), "passed": o.passed} for o in outcomes], indent=2))
    return 0 if all(o.passed for o in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
