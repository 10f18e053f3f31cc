"""Intake's own tables."""
import sqlalchemy as sa

from shared.crypto import Encrypted

metadata = sa.MetaData()
Moment = sa.DateTime(timezone=True)

consultations = sa.Table(
    "consultations", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("person_ref", sa.String(64), nullable=False, index=True),
    # Personal data: encrypted field by field; look-ups through keyed hashes.
    sa.Column("person_name", Encrypted(), nullable=False),
    sa.Column("person_name_kana", Encrypted()),
    sa.Column("person_birth_date", Encrypted()),
    sa.Column("person_phone", Encrypted()),
    sa.Column("person_address", Encrypted()),
    sa.Column("household", Encrypted(json=True), nullable=False),
    sa.Column("identity_key", sa.String(64), index=True),  # HMAC of kana + birth date
    sa.Column("phone_key", sa.String(64), index=True),  # HMAC of the phone digits
    sa.Column("desk_id", sa.String(64), nullable=False, index=True),
    sa.Column("ward", sa.String(32), nullable=False),
    sa.Column("channel", sa.String(32), nullable=False),
    sa.Column("concerns", sa.JSON, nullable=False),
    sa.Column("urgency", sa.String(32), nullable=False),
    sa.Column("summary", Encrypted(), nullable=False),
    sa.Column("reporter_kind", sa.String(32)),
    sa.Column("reporter_desk_id", sa.String(64)),
    sa.Column("outreach_desk_id", sa.String(64)),
    sa.Column("consent_status", sa.String(32), nullable=False),
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("recorded_at", Moment, nullable=False),
    sa.Column("request_key", sa.String(64)),  # the client's Idempotency-Key, unique per desk
    sa.Index("consultations_request_key", "desk_id", "request_key", unique=True),
)

person_links = sa.Table(
    "person_links", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("consultation_id_a", sa.String(64), nullable=False, index=True),
    sa.Column("consultation_id_b", sa.String(64), nullable=False, index=True),
    sa.Column("active", sa.Boolean, nullable=False),
)

# Append-only: every link and unlink, who did it and why.
link_audit = sa.Table(
    "person_link_audit", metadata,
    sa.Column("position", sa.Integer, primary_key=True, autoincrement=True),
    sa.Column("link_id", sa.String(64), nullable=False, index=True),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("actor", sa.String(64), nullable=False),
    sa.Column("desk_id", sa.String(64), nullable=False),
    sa.Column("reason", sa.Text, nullable=False),
    sa.Column("at", Moment, nullable=False),
)
