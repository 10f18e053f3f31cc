"""The monitor's event log: metadata only, never payloads (they may hold personal data)."""
import sqlalchemy as sa

metadata = sa.MetaData()

event_log = sa.Table(
    "event_log", metadata,
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
