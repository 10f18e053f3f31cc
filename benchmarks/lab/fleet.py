"""tsunagu's services as separate ``tsunagu run`` processes that can be killed and restarted."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

TSUNAGU = str(Path(sys.executable).parent / "tsunagu")
READY = "tsunagu: running"


class Fleet:
    def __init__(self, env: dict, log_dir: Path):
        self.env, self.log_dir = env, log_dir
        self.processes: dict[str, subprocess.Popen] = {}
        self.how: dict[str, tuple[str, dict]] = {}
        self.crashes: list[str] = []  # instances that exited on their own and were restarted
        self._lock = threading.RLock()
        self._supervising = True
        threading.Thread(target=self._supervise, daemon=True, name="supervisor").start()

    def _supervise(self):
        """Like Docker's restart policy or Kubernetes: an instance that exits is started again."""
        while self._supervising:
            time.sleep(0.5)
            with self._lock:
                exited = [i for i, p in self.processes.items() if p.poll() is not None]
                for instance in exited:
                    self.crashes.append(f"{instance} (status {self.processes[instance].returncode})")
                    service, env = self.how[instance]
                    try:
                        self.start(service, instance, env)
                    except RuntimeError:
                        pass  # tried again on the next round

    def log(self, instance: str) -> Path:
        return self.log_dir / f"{instance}.log"

    def start(self, service: str, instance: str | None = None, env: dict | None = None, timeout: float = 90) -> None:
        """Start one instance and return once it consumes (its log says it runs)."""
        instance = instance or service
        self.how[instance] = (service, env or {})
        log = self.log(instance)
        offset = log.stat().st_size if log.exists() else 0
        with log.open("a") as out:
            self.processes[instance] = subprocess.Popen([TSUNAGU, "run", service], env={**self.env, **(env or {})},
                                                        stdout=out, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with log.open() as text:
                text.seek(offset)
                if READY in text.read():
                    return
            if self.processes[instance].poll() is not None:
                raise RuntimeError(f"{instance} exited at start:\n{log.read_text()[-3000:]}")
            time.sleep(0.1)
        raise RuntimeError(f"{instance} did not start within {timeout:.0f} s:\n{log.read_text()[-3000:]}")

    def kill(self, instance: str) -> None:
        with self._lock:
            process = self.processes.pop(instance)
            process.send_signal(signal.SIGKILL)
            process.wait(30)

    def restart(self, instance: str) -> None:
        """SIGKILL, then start again as the supervisor would."""
        with self._lock:
            self.kill(instance)
            time.sleep(0.5)
            self.start(*self.how[instance][:1], instance, self.how[instance][1])

    def stop_all(self) -> None:
        self._supervising = False
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(30)
            except subprocess.TimeoutExpired:
                process.kill()
        self.processes.clear()

    def memory_mb(self) -> dict[str, float]:
        """Resident memory of each running instance (from /proc)."""
        sizes = {}
        for instance, process in self.processes.items():
            try:
                status = Path(f"/proc/{process.pid}/status").read_text()
                sizes[instance] = int(status.split("VmRSS:")[1].split()[0]) / 1024
            except (OSError, IndexError):
                pass
        return sizes

    def count_in_logs(self, needle: str) -> int:
        return sum(path.read_text(errors="replace").count(needle) for path in self.log_dir.glob("*.log"))


def env_for(settings: dict) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
    env.update({f"TSUNAGU_{k.upper()}": str(v) for k, v in settings.items()})
    return env
