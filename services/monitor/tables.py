"""The monitor's tables: the event log and facts for the plan's indicators (metadata and codes,
never payloads or free text, which may hold personal data), captured dead letters, alerts, and
the audit of what admins did."""
import sqlalchemy as sa

metadata = sa.MetaData()
Moment = sa.DateTime(timezone=True)

event_log = sa.Table(
    "event_log", metadata,
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("type", sa.String(128), nullable=False, index=True),
    sa.Column("version", sa.Integer, nullable=False),
    sa.Column("source", sa.String(256), nullable=False),
    sa.Column("subject", sa.String(128), index=True),
    sa.Column("correlationid", sa.String(64), index=True),
    sa.Column("causationid", sa.String(64), index=True),
    sa.Column("time", Moment, nullable=False, index=True),
    sa.Column("received_at", Moment, nullable=False),
)

consultation_facts = sa.Table(
    "consultation_facts", metadata,
    sa.Column("consultation_id", sa.String(64), primary_key=True),
    sa.Column("desk_id", sa.String(64), nullable=False),
    sa.Column("ward", sa.String(32), nullable=False, index=True),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("concerns", sa.JSON, nullable=False),
    sa.Column("urgency", sa.String(16), nullable=False),
    sa.Column("recorded_at", Moment, nullable=False, index=True),
)

referral_facts = sa.Table(
    "referral_facts", metadata,
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

dead_letters = sa.Table(
    "dead_letters", metadata,
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
    sa.Column("status", sa.String(16), nullable=False, index=True),  # open, replayed, discarded
    sa.Column("captured_at", Moment, nullable=False),
)

admin_actions = sa.Table(
    "admin_actions", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("at", Moment, nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("action", sa.String(32), nullable=False),
    sa.Column("dead_letter_id", sa.Integer),
    sa.Column("note", sa.Text, nullable=False),
)

alerts = sa.Table(
    "alerts", metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("subject", sa.String(200), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("raised_at", Moment, nullable=False),
    sa.Column("cleared_at", Moment),
)
