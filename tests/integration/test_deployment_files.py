"""docker-compose.yml is valid and every service it runs exists and imports."""
import os
import shutil
import subprocess
from pathlib import Path

import pytest
import yaml
from cryptography.fernet import Fernet

from shared.cli import SERVICES, service_class

pytestmark = pytest.mark.integration
ROOT = Path(__file__).resolve().parents[2]


def _compose_config(**environment):
    compose = shutil.which("docker-compose")
    assert compose, "docker-compose is needed to validate docker-compose.yml (scripts/test installs it)"
    env = {k: v for k, v in os.environ.items() if not k.startswith("TSUNAGU_")}
    env.update(environment)
    return subprocess.run([compose, "-f", str(ROOT / "docker-compose.yml"), "config", "-q"],
                          capture_output=True, text=True, env=env)


def test_docker_compose_validates_without_an_engine():
    result = _compose_config(TSUNAGU_DATA_KEYS=Fernet.generate_key().decode(), TSUNAGU_LOOKUP_KEY="k" * 40)
    assert result.returncode == 0, result.stderr


def test_docker_compose_refuses_to_run_without_the_data_keys():
    result = _compose_config()
    assert result.returncode != 0 and "TSUNAGU_DATA_KEYS" in result.stderr


def test_every_compose_service_runs_a_real_tsunagu_service_with_health_and_dependencies():
    spec = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    services = spec["services"]
    for name in ("rabbitmq", "postgres"):
        assert "healthcheck" in services[name]
    app = {n: s for n, s in services.items() if s.get("command", [None])[0] == "tsunagu"}
    assert set(app) == set(SERVICES), "docker-compose.yml must run every service, and nothing else"
    for name, service in app.items():
        assert service["command"] == ["tsunagu", "run", name]
        assert service["healthcheck"]["test"] == ["CMD", "tsunagu", "health", name]
        assert set(service["depends_on"]) == {"rabbitmq", "postgres"}
        assert "{service}" in service["environment"]["TSUNAGU_DATABASE_URL"]
        assert service_class(name).name == name


def test_the_image_installs_the_packages_the_services_import():
    dockerfile = (ROOT / "Dockerfile").read_text()
    for package in ("shared", "services"):
        assert f"COPY {package} ./{package}" in dockerfile
