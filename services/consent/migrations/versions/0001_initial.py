"""Consents, meeting members, the disclosure log with its head, deletion requests, backbone.

Revision ID: consent_0001
"""
import sqlalchemy as sa
from alembic import op

from shared.persistence.tables import create_backbone_tables

revision = "consent_0001"
down_revision = None
Moment = sa.DateTime(timezone=True)


def upgrade():
    create_backbone_tables(op)
    op.create_table(
        "consents",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("version", sa.Integer, primary_key=True),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("status", sa.String(16), nullable=False),
        sa.Column("granted_by", sa.String(16), nullable=False),
        sa.Column("guardian_name", sa.Text),
        sa.Column("method", sa.String(32), nullable=False),
        sa.Column("witness", sa.Text),
        sa.Column("purpose", sa.Text, nullable=False),
        sa.Column("valid_from", Moment, nullable=False),
        sa.Column("valid_until", Moment),
        sa.Column("provision", sa.JSON, nullable=False),
        sa.Column("recorded_by", sa.String(64), nullable=False),
        sa.Column("desk_id", sa.String(64), nullable=False),
        sa.Column("recorded_at", Moment, nullable=False),
    )
    op.create_table(
        "meeting_members",
        sa.Column("meeting_id", sa.String(64), primary_key=True),
        sa.Column("consultation_id", sa.String(64), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("member_desk_ids", sa.JSON, nullable=False),
    )
    op.create_table(
        "disclosures",
        sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("at", sa.String(40), nullable=False),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("subject_id", sa.String(64)),
        sa.Column("discloser_desk_id", sa.String(64), nullable=False),
        sa.Column("recipient_desk_id", sa.String(64), nullable=False, index=True),
        sa.Column("categories", sa.JSON, nullable=False),
        sa.Column("basis", sa.String(32), nullable=False),
        sa.Column("purpose", sa.String(32), nullable=False),
        sa.Column("consent_ref", sa.String(200)),
        sa.Column("meeting_id", sa.String(64)),
        sa.Column("justification", sa.Text),
        sa.Column("review_status", sa.String(16)),
        sa.Column("prev_hash", sa.String(64), nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "disclosure_head",
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("seq", sa.Integer, nullable=False),
        sa.Column("hash", sa.String(64), nullable=False),
    )
    op.create_table(
        "deletion_requests",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("person_ref", sa.String(64), nullable=False, index=True),
        sa.Column("consent_id", sa.String(64), nullable=False),
        sa.Column("recipient_desk_id", sa.String(64), nullable=False, index=True),
        sa.Column("reason", sa.String(16), nullable=False),
        sa.Column("requested_at", Moment, nullable=False),
        sa.Column("acknowledged_at", Moment),
        sa.Column("acknowledged_by", sa.String(64)),
    )
