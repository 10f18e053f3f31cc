"""Intake's own tables."""
import sqlalchemy as sa

metadata = sa.MetaData()

consultations = sa.Table(
    "consultations", metadata,
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
