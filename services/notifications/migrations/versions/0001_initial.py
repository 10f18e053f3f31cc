"""Notifications, webhook subscriptions and deliveries, and the backbone tables.

Revision ID: notifications_0001
"""
import sqlalchemy as sa
from alembic import op

from shared.persistence.tables import create_backbone_tables

revision = "notifications_0001"
down_revision = None
Moment = sa.DateTime(timezone=True)


def upgrade():
    create_backbone_tables(op)
    op.create_table(
        "notifications",
        sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("id", sa.String(64), nullable=False, unique=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("desk_id", sa.String(64), nullable=False, index=True),
        sa.Column("seq", sa.Integer, nullable=False),  # per desk, committed in order: the resume point
        sa.Column("role", sa.String(16), nullable=False),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("title", sa.Text, nullable=False),
        sa.Column("urgency", sa.String(32), nullable=False),
        sa.Column("case_id", sa.String(64)),
        sa.Column("referral_id", sa.String(64)),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("read_at", Moment),
        sa.Column("acknowledged_at", Moment),
        sa.Column("acknowledged_by", sa.String(64)),
        sa.UniqueConstraint("event_id", "desk_id", "role", name="uq_notification_once"),
    )
    op.create_table(
        "webhook_subscriptions",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("desk_id", sa.String(64), nullable=False, index=True),
        sa.Column("url", sa.Text, nullable=False),
        sa.Column("secret", sa.Text, nullable=False),
        sa.Column("active", sa.Boolean, nullable=False),
        sa.Column("created_at", Moment, nullable=False),
    )
    op.create_table(
        "webhook_deliveries",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("subscription_id", sa.String(64), nullable=False, index=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("next_attempt_at", Moment, nullable=False),
        sa.Column("last_error", sa.Text),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("delivered_at", Moment),
        sa.UniqueConstraint("subscription_id", "event_id", name="uq_delivery_once"),
    )
    op.create_table(
        "staff_preferences",
        sa.Column("staff_id", sa.String(64), primary_key=True),
        sa.Column("desk_id", sa.String(64), nullable=False, index=True),
        sa.Column("email", sa.String(254)),
        sa.Column("channels", sa.JSON, nullable=False),
        sa.Column("quiet_start", sa.String(5)),
        sa.Column("quiet_end", sa.String(5)),
        sa.Column("supervisor", sa.Boolean, nullable=False),
    )
    op.create_table(
        "email_outbox",
        sa.Column("id", sa.String(64), primary_key=True),
        sa.Column("staff_id", sa.String(64), nullable=False, index=True),
        sa.Column("notification_id", sa.String(64)),
        sa.Column("kind", sa.String(16), nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("created_at", Moment, nullable=False),
        sa.Column("sent_at", Moment),
    )
    op.create_table(
        "desk_sequences",
        sa.Column("desk_id", sa.String(64), primary_key=True),
        sa.Column("last_seq", sa.Integer, nullable=False),
    )
