"""The benchmark scripts run in CI at a small size, so they keep working; their figures are
read by people (README, issue notes), never asserted."""
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def test_the_trace_benchmark_runs_at_ci_size_and_prints_its_table():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "trace.py"), "--events", "20000",
                          "--lookups", "100"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "trace look-up, 20,000 logged events on postgresql" in run.stdout
    for row in ("baseline: one event by id", "trace of a case", "trace of a correlation id"):
        assert row in run.stdout


@pytest.mark.parametrize("layout, process_rows", [
    (None, ["notifications: CPU under the burst / peak memory", "all services (7 processes): peak memory"]),
    ("directory,intake,consent,referrals,gateway/notifications,monitor",
     ["notifications + monitor: CPU under the burst / peak memory", "all services (2 processes): peak memory"]),
], ids=["one-process-per-service", "two-processes"])
def test_the_handoff_benchmark_runs_at_ci_size_and_prints_its_table(layout, process_rows):
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "handoff.py"), "--rates", "10,20",
                          "--seconds", "1", "--burst", "40", "--catch-up", "200",
                          *(["--processes", layout] if layout else [])],
                         capture_output=True, text=True, timeout=600, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "| measure | tsunagu | raw kombu | ratio | target |" in run.stdout
    for row in ["p50 / p99 latency at 10/s", "p99 latency at 20/s", "sustained hand-offs/s (burst of 40)",
                "outbox lag, commit → broker confirm", "catch-up of 200 missed notifications",
                "| where the time goes at 20/s |", "| staged → broker confirm |", "| notice written → on the stream |",
                "| CPU per hand-off under the burst |", "| RabbitMQ |", "| this client |", *process_rows]:
        assert row in run.stdout, row


def test_the_handoff_benchmark_refuses_a_layout_that_misses_a_service():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "handoff.py"), "--processes", "referrals/gateway"],
                         capture_output=True, text=True, timeout=60, cwd=ROOT)
    assert run.returncode != 0
    assert "--processes must name each of directory" in run.stderr
