"""Consultations, and the backbone outbox and inbox.

Revision ID: intake_0001
"""
import sqlalchemy as sa
from alembic import op

from shared.persistence.tables import create_backbone_tables

revision = "intake_0001"
down_revision = None


def upgrade():
    create_backbone_tables(op)
    op.create_table(
        "consultations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("person_name", sa.String(100), nullable=False),
        sa.Column("person_name_kana", sa.String(100)),
        sa.Column("person_birth_date", sa.Date),
        sa.Column("person_phone", sa.String(20)),
        sa.Column("desk_id", sa.String(64), nullable=False, index=True),
        sa.Column("ward", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("concerns", sa.JSON, nullable=False),
        sa.Column("urgency", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False, server_default=""),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
    )
