"""Consultations, person links and their audit, and the backbone outbox and inbox.

Revision ID: intake_0001
"""
import sqlalchemy as sa
from alembic import op

from shared.persistence.tables import create_backbone_tables

revision = "intake_0001"
down_revision = None
Moment = sa.DateTime(timezone=True)


def upgrade():
    create_backbone_tables(op)
    op.create_table(
        "consultations",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("person_name", sa.Text, nullable=False),
        sa.Column("person_name_kana", sa.Text),
        sa.Column("person_birth_date", sa.Text),
        sa.Column("person_phone", sa.Text),
        sa.Column("person_address", sa.Text),
        sa.Column("household", sa.Text, nullable=False),
        sa.Column("identity_key", sa.String(64), index=True),
        sa.Column("phone_key", sa.String(64), index=True),
        sa.Column("desk_id", sa.String(64), nullable=False, index=True),
        sa.Column("ward", sa.String(32), nullable=False),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("concerns", sa.JSON, nullable=False),
        sa.Column("urgency", sa.String(32), nullable=False),
        sa.Column("summary", sa.Text, nullable=False),
        sa.Column("reporter_kind", sa.String(32)),
        sa.Column("reporter_desk_id", sa.String(64)),
        sa.Column("outreach_desk_id", sa.String(64)),
        sa.Column("consent_status", sa.String(32), nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("recorded_at", Moment, nullable=False),
    )
    op.create_table(
        "person_links",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("consultation_id_a", sa.String(64), nullable=False, index=True),
        sa.Column("consultation_id_b", sa.String(64), nullable=False, index=True),
        sa.Column("active", sa.Boolean, nullable=False),
    )
    op.create_table(
        "person_link_audit",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("link_id", sa.String(64), nullable=False, index=True),
        sa.Column("action", sa.String(16), nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("desk_id", sa.String(64), nullable=False),
        sa.Column("reason", sa.Text, nullable=False),
        sa.Column("at", Moment, nullable=False),
    )
