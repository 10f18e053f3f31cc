"""A consultation remembers the client's idempotency key, so a retried request records it once.

Revision ID: intake_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "intake_0002"
down_revision = "intake_0001"


def upgrade():
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(sa.Column("request_key", sa.String(64)))
        batch.create_index("consultations_request_key", ["desk_id", "request_key"], unique=True)
