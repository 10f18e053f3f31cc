"""Ledger and the backbone tables.

Revision ID: ledger_0001
"""
import sqlalchemy as sa
from alembic import op

from shared.persistence.tables import create_backbone_tables

revision = "ledger_0001"
down_revision = None


def upgrade():
    create_backbone_tables(op)
    op.create_table(
        "ledger",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("case_id", sa.String(64), nullable=False),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("note_language", sa.String(8), nullable=False),
    )
