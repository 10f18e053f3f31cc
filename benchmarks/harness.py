"""What every benchmark needs: settings on a throwaway vhost and databases, and the figures."""
import shutil
import sys
import tempfile
import uuid
from contextlib import contextmanager
from urllib.parse import quote

from shared import config
from shared.cli import SERVICES
from shared.messaging.management import Management
from shared.persistence.engine import drop_database


def progress(message):
    print(f"  … {message}", file=sys.stderr, flush=True)


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


@contextmanager
def throwaway(postgresql: bool, **overrides):
    """(settings, management API) on a fresh vhost and fresh SQLite files or PostgreSQL
    databases, all removed afterwards, whatever happens in between."""
    base = config.load()
    management = Management(base.management_uri)
    vhost = f"tsunagu-bench-{uuid.uuid4().hex[:8]}"
    management.create_vhost(vhost)
    data_dir = tempfile.mkdtemp(prefix="tsunagu-bench-")
    database_url = (f"postgresql+psycopg2://postgres@127.0.0.1/tsunagu_bench_{uuid.uuid4().hex[:8]}_{{service}}"
                    if postgresql else f"sqlite:///{data_dir}/{{service}}.sqlite3")
    settings = config.load(amqp_uri=f"{base.amqp_uri.rsplit('/', 1)[0]}/{quote(vhost, safe='')}",
                           database_url=database_url, data_dir=data_dir, **overrides)
    try:
        yield settings, management
    finally:
        management.delete_vhost(vhost)
        if postgresql:
            for name in SERVICES:
                drop_database(settings.database_url_for(name))
        shutil.rmtree(data_dir, ignore_errors=True)
