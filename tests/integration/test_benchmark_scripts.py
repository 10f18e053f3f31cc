"""The benchmark scripts run in CI at a small size, so they keep working; their figures are
read by people (README, issue notes), never asserted."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).parents[2]


def test_the_trace_benchmark_runs_at_ci_size_and_prints_its_table():
    run = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "trace.py"), "--events", "20000",
                          "--lookups", "100"], capture_output=True, text=True, timeout=300, cwd=ROOT)
    assert run.returncode == 0, run.stderr[-3000:]
    assert "trace look-up, 20,000 logged events on postgresql" in run.stdout
    for row in ("baseline: one event by id", "trace of a case", "trace of a correlation id"):
        assert row in run.stdout
