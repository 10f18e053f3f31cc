"""Event log, and the backbone outbox and inbox.

Revision ID: monitor_0001
"""
import sqlalchemy as sa
from alembic import op

from shared.persistence.tables import create_backbone_tables

revision = "monitor_0001"
down_revision = None


def upgrade():
    create_backbone_tables(op)
    op.create_table(
        "event_log",
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("type", sa.String(128), nullable=False, index=True),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("source", sa.String(256), nullable=False),
        sa.Column("subject", sa.String(128), index=True),
        sa.Column("correlationid", sa.String(64), index=True),
        sa.Column("causationid", sa.String(64)),
        sa.Column("time", sa.DateTime(timezone=True), nullable=False, index=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
    )
