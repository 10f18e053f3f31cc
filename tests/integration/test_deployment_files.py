"""docker-compose.yml is valid and every service it runs exists and imports."""
import os
import shutil
import subprocess
import sys
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


# ---------------------------------------------------------------- Kubernetes
def _manifests():
    return [d for d in yaml.safe_load_all((ROOT / "deploy" / "kubernetes" / "tsunagu.yaml").read_text()) if d]


def test_the_kubernetes_manifests_are_generated_from_the_current_compose_file():
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "kubernetes-manifests"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_every_kubernetes_manifest_validates_against_the_kubernetes_schema():
    import kubernetes_validate
    documents = _manifests()
    for document in documents:
        kubernetes_validate.validate(document, "1.33.0", strict=True)  # raises on any error
    kinds = sorted({d["kind"] for d in documents})
    assert kinds == ["ConfigMap", "Deployment", "Namespace", "Role", "RoleBinding", "Service", "ServiceAccount",
                     "StatefulSet"]


def test_each_deployment_runs_what_docker_compose_runs_with_probes_limits_and_secrets_from_the_environment():
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
    deployments = {d["metadata"]["name"]: d for d in _manifests() if d["kind"] == "Deployment"}
    assert set(deployments) == {f"tsunagu-{name}" for name in SERVICES}
    for name in SERVICES:
        [container] = deployments[f"tsunagu-{name}"]["spec"]["template"]["spec"]["containers"]
        assert container["image"] == compose["x-service"]["image"]
        assert container["command"] == compose["services"][name]["command"]
        health = compose["services"][name]["healthcheck"]["test"][1:]
        assert container["readinessProbe"]["exec"]["command"] == health
        assert container["livenessProbe"]["exec"]["command"] == health
        assert container["resources"]["limits"]["memory"] and container["resources"]["requests"]["cpu"]
        env = {e["name"]: e for e in container["env"]}
        for secret in ("TSUNAGU_DATA_KEYS", "TSUNAGU_LOOKUP_KEY", "RABBITMQ_PASSWORD", "POSTGRES_PASSWORD"):
            assert env[secret]["valueFrom"]["secretKeyRef"]["name"] == "tsunagu-secrets"
        assert "$(RABBITMQ_PASSWORD)" in env["TSUNAGU_AMQP_URI"]["value"]
        names = [e["name"] for e in container["env"]]
        assert names.index("RABBITMQ_PASSWORD") < names.index("TSUNAGU_AMQP_URI")  # $(VAR) sees earlier ones only
    rabbitmq = next(d for d in _manifests() if d["kind"] == "StatefulSet" and d["metadata"]["name"] == "rabbitmq")
    assert rabbitmq["spec"]["replicas"] == 3
    assert rabbitmq["spec"]["template"]["spec"]["containers"][0]["image"] == compose["services"]["rabbitmq"]["image"]
    config = next(d for d in _manifests() if d["kind"] == "ConfigMap" and d["metadata"]["name"] == "rabbitmq-config")
    assert "default_queue_type = quorum" in config["data"]["rabbitmq.conf"]
