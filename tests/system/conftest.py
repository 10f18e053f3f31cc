"""The system suite: tsunagu as a user runs it. Every service starts with ``tsunagu run`` in its
own process, on a throwaway vhost and data directory; tests speak only HTTP (and a real browser).

This suite runs in its own pytest process without eventlet (Playwright's sync API and
schemathesis want a plain interpreter): ``pytest tests/system --confcutdir=tests/system``, as
``scripts/test`` does."""
from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote

import pytest
import requests

from shared.messaging.management import Management
from shared.net import free_port

def pytest_configure(config):
    from eventlet import patcher
    if patcher.is_monkey_patched("socket"):
        raise pytest.UsageError("the system suite runs without eventlet: "
                                "pytest tests/system --confcutdir=tests/system -p no:pytest_nameko (as scripts/test does)")


MANAGEMENT_URI = os.environ.get("TSUNAGU_TEST_MANAGEMENT_URI", "http://guest:guest@127.0.0.1:15672/")
BROKER = os.environ.get("TSUNAGU_TEST_BROKER", "127.0.0.1:5672")
TSUNAGU = str(Path(sys.executable).parent / "tsunagu")
PASSWORD = "correct horse battery"
START_TIMEOUT = 90


@dataclass
class System:
    base: str
    env: dict
    log: Path
    metrics: str = ""
    tokens: dict = field(default_factory=dict)

    def create_staff(self, username: str, desk_id: str, role: str = "staff", name: str = "") -> None:
        done = subprocess.run([TSUNAGU, "create-staff", username, "--desk", desk_id, "--role", role,
                               "--name", name or username, "--password-stdin", "--exist-ok"],
                              input=PASSWORD + "\n", env=self.env, capture_output=True, text=True, timeout=60)
        assert done.returncode == 0, done.stderr

    def sign_in(self, username: str) -> dict:
        if username not in self.tokens:
            answer = requests.post(f"{self.base}/api/v1/sessions",
                                   json={"username": username, "password": PASSWORD}, timeout=10)
            assert answer.status_code == 201, answer.text
            self.tokens[username] = answer.json()["token"]
        return {"Authorization": f"Bearer {self.tokens[username]}"}

    def api(self, method: str, path: str, who: str, **kwargs) -> requests.Response:
        return requests.request(method, f"{self.base}/api/v1{path}", headers=self.sign_in(who), timeout=30, **kwargs)


def _wait_until_serving(system: System, process: subprocess.Popen) -> None:
    """Until the directory answers through the gateway for a signed-in account."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"tsunagu run exited:\n{system.log.read_text()[-4000:]}")
        try:
            if "probe" not in system.tokens:
                system.create_staff("probe", "hikikomori-center")
            if system.api("GET", "/desks/hikikomori-center", "probe").status_code == 200:
                return
        except (requests.RequestException, AssertionError):
            pass
        time.sleep(0.5)
    raise RuntimeError(f"the services did not answer within {START_TIMEOUT}s:\n{system.log.read_text()[-4000:]}")


@pytest.fixture(scope="session")
def system(tmp_path_factory):
    management = Management(MANAGEMENT_URI)
    vhost = f"tsunagu-system-{uuid.uuid4().hex[:10]}"
    management.create_vhost(vhost)
    data = tmp_path_factory.mktemp("tsunagu")
    http = free_port()
    env = {**os.environ, "TSUNAGU_AMQP_URI": f"amqp://guest:guest@{BROKER}/{quote(vhost, safe='')}",
           "TSUNAGU_MANAGEMENT_URI": MANAGEMENT_URI, "TSUNAGU_DATA_DIR": str(data),
           "TSUNAGU_GATEWAY_ADDRESS": f"127.0.0.1:{free_port()}", "TSUNAGU_HTTP_ADDRESS": f"127.0.0.1:{http}",
           "TSUNAGU_NOTIFICATIONS_URL": f"http://127.0.0.1:{http}", "TSUNAGU_SMTP_PORT": str(free_port()),
           "TSUNAGU_LOG_LEVEL": "INFO", "TSUNAGU_LOG_FORMAT": "json", "TSUNAGU_LOGIN_ATTEMPTS": "1000",
           "TSUNAGU_METRICS_ADDRESS": f"127.0.0.1:{free_port()}", "TSUNAGU_FLOW_CHECK_INTERVAL": "1"}
    env.pop("TSUNAGU_CONFIG", None)
    system = System(base=f"http://{env['TSUNAGU_GATEWAY_ADDRESS']}", env=env, log=data / "run.log",
                    metrics=f"http://{env['TSUNAGU_METRICS_ADDRESS']}/metrics")
    with system.log.open("w") as log:
        process = subprocess.Popen([TSUNAGU, "run"], env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        _wait_until_serving(system, process)
        yield system
    finally:
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            process.kill()
        management.delete_vhost(vhost)
