"""Re-encrypt every encrypted column under the newest data key, batch by batch.

Run with the new key first in TSUNAGU_DATA_KEYS and the old ones after it; once it reports
done, the old keys can be removed. Rows are rotated in place; a row already under the newest
key is rotated again harmlessly, so an interrupted run can simply be repeated.
"""
from __future__ import annotations

import sqlalchemy as sa

from .crypto import Encrypted, keyring


def encrypted_columns(metadata: sa.MetaData) -> list[tuple[sa.Table, list[str]]]:
    found = []
    for table in metadata.sorted_tables:
        names = [c.name for c in table.columns if isinstance(c.type, Encrypted)]
        if names:
            found.append((table, names))
    return found


def rotate(engine: sa.Engine, metadata: sa.MetaData, batch: int = 500, progress=print) -> int:
    ring, rotated = keyring(), 0
    for table, names in encrypted_columns(metadata):
        key = list(table.primary_key.columns)
        raw = [sa.type_coerce(table.c[n], sa.Text).label(n) for n in names]
        offset = 0
        while True:
            with engine.begin() as conn:
                rows = conn.execute(sa.select(*key, *raw).order_by(*key).offset(offset).limit(batch)).all()
                for row in rows:
                    values = {n: ring.rotate(getattr(row, n)) for n in names if getattr(row, n) is not None}
                    if values:
                        conn.execute(sa.update(table).where(*[c == getattr(row, c.name) for c in key])
                                     .values({table.c[n]: sa.type_coerce(v, sa.Text) for n, v in values.items()}))
            rotated += len(rows)
            offset += batch
            progress(f"  {table.name}: {offset if rows else rotated} rows")
            if len(rows) < batch:
                break
    return rotated
