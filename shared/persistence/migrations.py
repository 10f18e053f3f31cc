"""Alembic migrations, applied when a service starts.

Each service keeps its own migration scripts (``services/<name>/migrations``) and its own
``alembic_version`` table in its own database; their ``env.py`` is the two lines that call
:func:`run_in_alembic_env`.
"""
from __future__ import annotations

import threading
from pathlib import Path

import sqlalchemy as sa
from alembic import command, context
from alembic.config import Config


# Alembic's ``context`` is process-global: services starting side by side take turns.
_one_at_a_time = threading.Lock()


def upgrade(engine: sa.Engine, script_location: str | Path) -> None:
    config = Config()
    config.set_main_option("script_location", str(script_location))
    with _one_at_a_time, engine.begin() as connection:
        config.attributes["connection"] = connection
        command.upgrade(config, "head")


def run_in_alembic_env() -> None:
    connection = context.config.attributes["connection"]
    context.configure(connection=connection, render_as_batch=connection.dialect.name == "sqlite")
    with context.begin_transaction():
        context.run_migrations()
