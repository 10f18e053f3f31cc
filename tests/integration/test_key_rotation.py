"""Rotating the data key re-encrypts personal data so the old key can be dropped."""
import dataclasses
from pathlib import Path

import pytest
import sqlalchemy as sa
from cryptography.fernet import Fernet

from services.intake import handlers, tables
from shared import crypto
from shared.cli import rotate_keys
from shared.demo import DEMO_CONSULTATIONS
from shared.events.catalog import REGISTRY
from shared.persistence.engine import make_engine
from shared.persistence.migrations import upgrade
from shared.unit_of_work import UnitOfWork

pytestmark = pytest.mark.integration


def test_rotation_moves_every_encrypted_field_to_the_new_key(settings, capsys):
    old, new, lookup = Fernet.generate_key().decode(), Fernet.generate_key().decode(), "L" * 40
    before = dataclasses.replace(settings, data_keys=old, lookup_key=lookup)
    crypto.configure(before)
    engine = make_engine(before.database_url_for("intake"))
    upgrade(engine, Path(handlers.__file__).parent / "migrations")
    for case in DEMO_CONSULTATIONS:
        with UnitOfWork(engine, REGISTRY) as uow:
            handlers.record_consultation(case, uow)

    assert rotate_keys(dataclasses.replace(settings, data_keys=f"{new},{old}", lookup_key=lookup)) == 0
    assert "3 rows re-encrypted" in capsys.readouterr().out

    crypto.configure(dataclasses.replace(settings, data_keys=new, lookup_key=lookup))  # old key gone
    with engine.connect() as conn:
        names = sorted(conn.scalars(sa.select(tables.consultations.c.person_name)))
    assert names == sorted(c["person"]["name"] for c in DEMO_CONSULTATIONS)
    engine.dispose()
