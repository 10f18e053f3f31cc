"""Desks, the backbone tables, and the Chiba City demo directory.

Revision ID: directory_0001
"""
import sqlalchemy as sa
from alembic import op

from services.directory.handlers import desk_row
from services.directory.seed import chiba_directory
from shared.persistence.tables import create_backbone_tables

revision = "directory_0001"
down_revision = None


def upgrade():
    create_backbone_tables(op)
    desks = op.create_table(
        "desks",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("name", sa.String(200), nullable=False),
        sa.Column("name_en", sa.String(200), nullable=False),
        sa.Column("organization", sa.String(200), nullable=False),
        sa.Column("kind", sa.String(64), nullable=False),
        sa.Column("ward", sa.String(32)),
        sa.Column("concerns", sa.JSON, nullable=False),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("capacity", sa.String(16), nullable=False),
        sa.Column("capacity_confirmed_on", sa.Date, nullable=False),
        sa.Column("hours", sa.String(200), nullable=False),
        sa.Column("phone", sa.String(20), nullable=False),
        sa.Column("formal", sa.Boolean, nullable=False),
        sa.Column("accepts_referrals", sa.Boolean, nullable=False),
    )
    op.bulk_insert(desks, [desk_row(d) for d in chiba_directory()])
