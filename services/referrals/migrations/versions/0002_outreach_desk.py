"""The desk a concern report assigned for outreach is on the case too.

Revision ID: referrals_0002
"""
import sqlalchemy as sa
from alembic import op

revision = "referrals_0002"
down_revision = "referrals_0001"


def upgrade():
    with op.batch_alter_table("consultations") as batch:
        batch.add_column(sa.Column("outreach_desk_id", sa.String(64)))
