"""Facts for the plan's indicators, captured dead letters, admin actions and alerts.

Revision ID: monitor_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "monitor_0002"
down_revision = "monitor_0001"
Moment = sa.DateTime(timezone=True)


def upgrade():
    op.create_index("ix_event_log_causationid", "event_log", ["causationid"])
    op.create_table(
        "consultation_facts",
        sa.Column("consultation_id", sa.String(64), primary_key=True),
        sa.Column("desk_id", sa.String(64), nullable=False),
        sa.Column("ward", sa.String(32), nullable=False, index=True),
        sa.Column("channel", sa.String(32), nullable=False),
        sa.Column("concerns", sa.JSON, nullable=False),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("recorded_at", Moment, nullable=False, index=True),
    )
    op.create_table(
        "referral_facts",
        sa.Column("referral_id", sa.String(64), primary_key=True),
        sa.Column("consultation_id", sa.String(64), nullable=False),
        sa.Column("from_desk_id", sa.String(64), nullable=False),
        sa.Column("to_desk_id", sa.String(64), nullable=False, index=True),
        sa.Column("urgency", sa.String(16), nullable=False),
        sa.Column("status", sa.String(32), nullable=False, index=True),
        sa.Column("requested_at", Moment, nullable=False),
        sa.Column("pickup_deadline", Moment, nullable=False),
        sa.Column("picked_up_at", Moment),
        sa.Column("closed_at", Moment),
        sa.Column("escalation_level", sa.Integer, nullable=False),
        sa.Column("updated_at", Moment, nullable=False),
    )
    op.create_table(
        "dead_letters",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("queue", sa.String(200), nullable=False, index=True),
        sa.Column("original_queue", sa.String(200), nullable=False),
        sa.Column("message_id", sa.String(200), nullable=False),
        sa.Column("event_type", sa.String(128)),
        sa.Column("reason", sa.String(64), nullable=False),
        sa.Column("error", sa.Text, nullable=False),
        sa.Column("attempts", sa.Integer, nullable=False),
        sa.Column("failed_at", Moment, nullable=False),
        sa.Column("body", sa.LargeBinary, nullable=False),
        sa.Column("headers", sa.JSON, nullable=False),
        sa.Column("status", sa.String(16), nullable=False, index=True),
        sa.Column("captured_at", Moment, nullable=False),
    )
    op.create_table(
        "admin_actions",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("at", Moment, nullable=False),
        sa.Column("actor", sa.String(64), nullable=False),
        sa.Column("action", sa.String(32), nullable=False),
        sa.Column("dead_letter_id", sa.Integer),
        sa.Column("note", sa.Text, nullable=False),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("kind", sa.String(32), nullable=False),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("detail", sa.Text, nullable=False),
        sa.Column("raised_at", Moment, nullable=False),
        sa.Column("cleared_at", Moment),
    )
