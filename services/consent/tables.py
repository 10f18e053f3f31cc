"""The consent service's own tables. Free text that may identify someone is encrypted."""
import sqlalchemy as sa

from shared.crypto import Encrypted

metadata = sa.MetaData()
Moment = sa.DateTime(timezone=True)

# Every version of every consent: a change or withdrawal is a new version, history kept.
consents = sa.Table(
    "consents", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("version", sa.Integer, primary_key=True),
    sa.Column("person_ref", sa.String(64), nullable=False, index=True),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("granted_by", sa.String(16), nullable=False),
    sa.Column("guardian_name", Encrypted()),
    sa.Column("method", sa.String(32), nullable=False),
    sa.Column("witness", Encrypted()),
    sa.Column("purpose", sa.Text, nullable=False),
    sa.Column("valid_from", Moment, nullable=False),
    sa.Column("valid_until", Moment),
    sa.Column("provision", sa.JSON, nullable=False),
    sa.Column("recorded_by", sa.String(64), nullable=False),
    sa.Column("desk_id", sa.String(64), nullable=False),
    sa.Column("recorded_at", Moment, nullable=False),
)

# Support meetings (from meeting.convened): who may share under Article 9.
meeting_members = sa.Table(
    "meeting_members", metadata,
    sa.Column("meeting_id", sa.String(64), primary_key=True),
    sa.Column("consultation_id", sa.String(64), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("member_desk_ids", sa.JSON, nullable=False),
)

disclosures = sa.Table(
    "disclosures", metadata,
    sa.Column("seq", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("id", sa.String(64), nullable=False, unique=True),
    sa.Column("at", sa.String(40), nullable=False),  # ISO text: hashed exactly as stored
    sa.Column("person_ref", sa.String(64), nullable=False, index=True),
    sa.Column("subject_id", sa.String(64)),
    sa.Column("discloser_desk_id", sa.String(64), nullable=False),
    sa.Column("recipient_desk_id", sa.String(64), nullable=False, index=True),
    sa.Column("categories", sa.JSON, nullable=False),
    sa.Column("basis", sa.String(32), nullable=False),
    sa.Column("purpose", sa.String(32), nullable=False),
    sa.Column("consent_ref", sa.String(200)),
    sa.Column("meeting_id", sa.String(64)),
    sa.Column("justification", sa.Text),  # hashed as stored (ciphertext)
    sa.Column("review_status", sa.String(16)),  # emergency: pending → reviewed
    sa.Column("prev_hash", sa.String(64), nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

ledger_head = sa.Table(
    "disclosure_head", metadata,
    sa.Column("id", sa.Integer, primary_key=True),
    sa.Column("seq", sa.Integer, nullable=False),
    sa.Column("hash", sa.String(64), nullable=False),
)

deletion_requests = sa.Table(
    "deletion_requests", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("person_ref", sa.String(64), nullable=False, index=True),
    sa.Column("consent_id", sa.String(64), nullable=False),
    sa.Column("recipient_desk_id", sa.String(64), nullable=False, index=True),
    sa.Column("reason", sa.String(16), nullable=False),
    sa.Column("requested_at", Moment, nullable=False),
    sa.Column("acknowledged_at", Moment),
    sa.Column("acknowledged_by", sa.String(64)),
)
