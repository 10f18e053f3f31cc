"""The referral service's own tables."""
import sqlalchemy as sa

metadata = sa.MetaData()
Moment = sa.DateTime(timezone=True)

# What this service knows of each consultation (from consultation.recorded): no personal data.
consultations = sa.Table(
    "consultations", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("desk_id", sa.String(64), nullable=False),
    sa.Column("ward", sa.String(32), nullable=False),
    sa.Column("concerns", sa.JSON, nullable=False),
    sa.Column("urgency", sa.String(32), nullable=False),
    sa.Column("recorded_at", Moment, nullable=False),
    sa.Column("outreach_desk_id", sa.String(64)),  # assigned by a concern report: on the case too
)

referrals = sa.Table(
    "referrals", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("consultation_id", sa.String(64), nullable=False, index=True),
    sa.Column("from_desk_id", sa.String(64), nullable=False, index=True),
    sa.Column("to_desk_id", sa.String(64), nullable=False, index=True),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("urgency", sa.String(32), nullable=False),
    sa.Column("status", sa.String(32), nullable=False, index=True),
    sa.Column("meeting_id", sa.String(64)),
    sa.Column("created_at", Moment, nullable=False),
    sa.Column("updated_at", Moment, nullable=False),
    sa.Column("pickup_deadline", Moment, nullable=False),
    sa.Column("escalation_deadline", Moment, nullable=False),
    sa.Column("escalation_level", sa.Integer, nullable=False, server_default="0"),
    sa.Column("outcome", sa.Text),
    sa.Column("share_categories", sa.JSON, nullable=False),
)

meetings = sa.Table(
    "meetings", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("consultation_id", sa.String(64), nullable=False, index=True),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("legal_basis", sa.String(64), nullable=False),
    sa.Column("member_desk_ids", sa.JSON, nullable=False),
    sa.Column("agenda", sa.Text, nullable=False),
    sa.Column("convened_by_desk_id", sa.String(64), nullable=False),
    sa.Column("convened_at", Moment, nullable=False),
)

decisions = sa.Table(
    "meeting_decisions", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("meeting_id", sa.String(64), nullable=False, index=True),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column("referral_id", sa.String(64)),
    sa.Column("decided_at", Moment, nullable=False),
)

# The case timeline: one row per event of the case, with who may see it.
timeline = sa.Table(
    "timeline", metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("case_id", sa.String(64), nullable=False, index=True),
    sa.Column("event_id", sa.String(64), nullable=False, unique=True),
    sa.Column("event_type", sa.String(128), nullable=False),
    sa.Column("at", Moment, nullable=False),
    sa.Column("audience", sa.JSON),  # desk ids; null = every desk entitled to the case
    sa.Column("entry", sa.JSON, nullable=False),
)
