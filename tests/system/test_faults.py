"""The small fault run CI makes on every change: 500 hand-offs through the HTTP API while
RabbitMQ is stopped gracefully, then SIGKILLed, and two services are SIGKILLed, each restarted.
Nothing confirmed may be lost, and staff may see no hand-off twice (benchmarks/faults.py)."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_no_hand_off_is_lost_or_shown_twice_through_broker_restarts_and_service_kills(tmp_path):
    report = tmp_path / "faults.json"
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "faults.py"), "ci", "--handoffs", "500",
                           "--rate", "25", "--watchdog", "600", "--json", str(report)],
                          capture_output=True, text=True, timeout=900)
    assert report.exists(), done.stdout + done.stderr[-4000:]
    [run] = json.loads(report.read_text())
    print(done.stdout)
    assert run["attempted"] == 500
    assert run["confirmed"] == 500, run  # the client's retries (with an Idempotency-Key) got every one through
    assert run["lost"] == 0 and run["delivered"] == 500, run
    assert run["duplicates_visible"] == 0, run
    assert run["recovery_s"] <= 20, run
    assert len(run["faults"]) == 4, run
    assert done.returncode == 0, done.stdout
