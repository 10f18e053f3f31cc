"""Private RabbitMQ nodes beside the machine's own: distinct node names, ports and data
directories, so a run can stop, kill and cluster them freely."""
from __future__ import annotations

import os
import pwd
import shutil
import signal
import subprocess
import time
from pathlib import Path

import requests

PLUGINS = "[rabbitmq_management]."


def _ctl(node: str, *args: str, timeout: float = 120) -> subprocess.CompletedProcess:
    return subprocess.run(["rabbitmqctl", "-n", node, *args], capture_output=True, text=True, timeout=timeout)


class RabbitNode:
    """One node: ``amqp_port`` for clients, ``management_port`` for the HTTP API."""

    def __init__(self, name: str, amqp_port: int, management_port: int, dist_port: int, root: Path):
        self.node = f"{name}@localhost"
        self.amqp_port, self.management_port, self.dist_port = amqp_port, management_port, dist_port
        self.root = root / name
        self.root.mkdir(parents=True, exist_ok=True)
        (self.root / "rabbitmq.conf").write_text(
            f"listeners.tcp.default = 127.0.0.1:{amqp_port}\n"
            f"management.tcp.port = {management_port}\nmanagement.tcp.ip = 127.0.0.1\n"
            "loopback_users = none\n")
        (self.root / "enabled_plugins").write_text(PLUGINS)
        _own(self.root)

    @property
    def management_uri(self) -> str:
        return f"http://guest:guest@127.0.0.1:{self.management_port}/"

    def start(self, timeout: float = 90) -> None:
        env = {**os.environ, "RABBITMQ_NODENAME": self.node, "RABBITMQ_DIST_PORT": str(self.dist_port),
               "RABBITMQ_MNESIA_BASE": str(self.root / "mnesia"), "RABBITMQ_LOG_BASE": str(self.root / "log"),
               "RABBITMQ_ENABLED_PLUGINS_FILE": str(self.root / "enabled_plugins"),
               "RABBITMQ_CONFIG_FILE": str(self.root / "rabbitmq"), "RABBITMQ_PID_FILE": str(self.root / "pid")}
        subprocess.run(["rabbitmq-server", "-detached"], env=env, check=True, capture_output=True, timeout=60)
        self.wait_ready(timeout)

    def wait_ready(self, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if _ctl(self.node, "await_startup", "--timeout", "5", timeout=30).returncode == 0:
                try:
                    if requests.get(f"http://127.0.0.1:{self.management_port}/api/overview",
                                    auth=("guest", "guest"), timeout=5).ok:
                        return
                except requests.RequestException:
                    pass
            time.sleep(0.5)
        raise RuntimeError(f"RabbitMQ node {self.node} did not start in {timeout:.0f} s (see {self.root}/log)")

    def stop(self) -> None:
        """Graceful: the node closes its connections and writes its state."""
        _ctl(self.node, "stop", timeout=120)

    def kill(self) -> None:
        """SIGKILL the Erlang VM: no goodbye to clients, nothing flushed beyond what was synced."""
        pid = self.pid()
        if pid:
            os.kill(pid, signal.SIGKILL)
            deadline = time.monotonic() + 20
            while _alive(pid) and time.monotonic() < deadline:
                time.sleep(0.1)

    def pid(self) -> int | None:
        try:
            return int((self.root / "pid").read_text().strip())
        except (OSError, ValueError):
            return None

    def join(self, seed: "RabbitNode") -> None:
        for args in (("stop_app",), ("join_cluster", seed.node), ("start_app",)):
            done = _ctl(self.node, *args)
            if done.returncode != 0:
                raise RuntimeError(f"{self.node} {' '.join(args)}: {done.stderr or done.stdout}")

    def destroy(self) -> None:
        pid = self.pid()
        _ctl(self.node, "stop", timeout=60)
        if pid and _alive(pid):
            os.kill(pid, signal.SIGKILL)
        shutil.rmtree(self.root, ignore_errors=True)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    try:  # a zombie is dead too
        return "State:\tZ" not in Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False


def _own(path: Path) -> None:
    """The server scripts drop to the rabbitmq user when run as root: it must own the files."""
    if os.geteuid() != 0:
        return
    try:
        user = pwd.getpwnam("rabbitmq")
    except KeyError:
        return
    for directory, _, files in os.walk(path):
        os.chown(directory, user.pw_uid, user.pw_gid)
        for name in files:
            os.chown(os.path.join(directory, name), user.pw_uid, user.pw_gid)
