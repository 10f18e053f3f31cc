"""Docs that match the code, and layers that keep the domain free of the transport."""
import ast
from pathlib import Path

import pytest

from shared.config import describe

pytestmark = pytest.mark.unit
ROOT = Path(__file__).resolve().parents[2]


def test_the_readme_configuration_table_matches_the_settings():
    readme = (ROOT / "README.md").read_text()
    for variable, default, meaning in describe():
        assert f"| `{variable}` | `{default}` | {meaning} |" in readme, variable


def test_the_readme_opens_with_the_two_commands_and_they_exist():
    readme = (ROOT / "README.md").read_text()
    first_block = readme.split("```sh", 1)[1].split("```", 1)[0].strip().splitlines()
    assert [line.split("#")[0].strip() for line in first_block] == ["bash scripts/up", "bash scripts/test"]
    assert (ROOT / "scripts" / "up").exists() and (ROOT / "scripts" / "test").exists()
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module.split(".")[0])
    return names


DOMAIN = [ROOT / "services" / name for name in (
    "intake/domain.py", "directory/domain.py", "referrals/lifecycle.py", "referrals/escalation.py",
    "referrals/meetings.py", "consent/policy.py", "consent/ledger.py", "consent/report.py",
    "notifications/audience.py", "notifications/webhooks.py", "notifications/preferences.py",
    "gateway/accounts.py", "gateway/problems.py", "gateway/i18n.py", "monitor/facts.py", "monitor/alerts.py",
    "directory/hsds.py", "referrals/fhir.py", "consent/fhir.py")]
# The gateway's request handling is plain Python too: only service.py and ports.py know nameko.
GATEWAY = [ROOT / "services" / "gateway" / name for name in (
    "api.py", "dispatch.py", "ui.py", "page.py", "staff_pages.py", "admin_pages.py", "openapi.py", "schemas.py",
    "handlers.py", "text.py")]
PURE = DOMAIN + GATEWAY + [ROOT / "shared" / "deadlines.py", ROOT / "shared" / "personal_data.py"] + [
    ROOT / "shared" / name for name in (
        "config.py", "vocabulary.py", "outbox.py", "inbox.py", "unit_of_work.py")
] + list((ROOT / "shared" / "events").rglob("*.py")) + list((ROOT / "shared" / "messaging").glob("*.py"))


@pytest.mark.parametrize("path", PURE, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_and_backbone_modules_import_neither_nameko_nor_eventlet(path):
    assert not _imports(path) & {"nameko", "eventlet", "psycogreen"}


@pytest.mark.parametrize("path", DOMAIN, ids=lambda p: str(p.relative_to(ROOT)))
def test_domain_modules_do_no_io(path):
    assert not _imports(path) & {"sqlalchemy", "amqp", "kombu", "requests", "socket", "nameko"}
