"""Test fixtures on the real broker and the real databases.

Each test that needs the broker gets its own throwaway RabbitMQ vhost (created through the
management API), and each database test its own SQLite files or PostgreSQL databases, so runs
never collide. nameko's pytest plugin expects eventlet to be monkey-patched first.
"""
import warnings

warnings.filterwarnings("ignore", message=r"\s*Eventlet is deprecated")

import eventlet  # noqa: E402

eventlet.monkey_patch()  # noqa: E402  (before anything imports socket or threading)

from psycogreen.eventlet import patch_psycopg  # noqa: E402

patch_psycopg()

import os  # noqa: E402
import uuid  # noqa: E402
from urllib.parse import quote  # noqa: E402

import pytest  # noqa: E402

from shared import config  # noqa: E402
from shared.messaging.management import Management  # noqa: E402
from shared.persistence.engine import drop_database  # noqa: E402

MANAGEMENT_URI = os.environ.get("TSUNAGU_TEST_MANAGEMENT_URI", "http://guest:guest@127.0.0.1:15672/")
BROKER = os.environ.get("TSUNAGU_TEST_BROKER", "127.0.0.1:5672")
POSTGRES = os.environ.get("TSUNAGU_TEST_POSTGRES", "postgresql+psycopg2://postgres@127.0.0.1:5432")


@pytest.fixture
def vhost():
    """A fresh vhost for this test, deleted afterwards."""
    management = Management(MANAGEMENT_URI)
    name = f"tsunagu-test-{uuid.uuid4().hex[:12]}"
    management.create_vhost(name)
    yield name
    management.delete_vhost(name)


@pytest.fixture
def amqp_uri(vhost):
    return f"amqp://guest:guest@{BROKER}/{quote(vhost, safe='')}"


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """A URL template for the services' own databases, on SQLite files and on PostgreSQL."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path}/{{service}}.sqlite3"
        return
    prefix = f"tsunagu_test_{uuid.uuid4().hex[:10]}_"
    yield f"{POSTGRES}/{prefix}{{service}}"
    for name in _databases_starting_with(prefix):
        drop_database(f"{POSTGRES}/{name}")


def _databases_starting_with(prefix: str) -> list[str]:
    import sqlalchemy as sa
    engine = sa.create_engine(f"{POSTGRES}/postgres")
    try:
        with engine.connect() as conn:
            return list(conn.scalars(sa.text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
                                     {"p": prefix + "%"}))
    finally:
        engine.dispose()


@pytest.fixture
def settings(amqp_uri, database_url, tmp_path):
    return config.load(environ={}, amqp_uri=amqp_uri, database_url=database_url,
                       data_dir=str(tmp_path), retry_delays=[0.05, 0.1], max_attempts=3,
                       relay_poll_interval=0.05, prefetch=20)


@pytest.fixture
def nameko_config(settings):
    from shared.runtime.settings import nameko_config as build
    return build(settings)
