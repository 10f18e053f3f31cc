"""The directory's own table."""
import sqlalchemy as sa

metadata = sa.MetaData()

desks = sa.Table(
    "desks", metadata,
    sa.Column("id", sa.String(64), primary_key=True),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("name_en", sa.String(200), nullable=False),
    sa.Column("organization", sa.String(200), nullable=False),
    sa.Column("kind", sa.String(64), nullable=False),
    sa.Column("ward", sa.String(32)),
    sa.Column("concerns", sa.JSON, nullable=False),
    sa.Column("channels", sa.JSON, nullable=False),
    sa.Column("capacity", sa.String(16), nullable=False),
    sa.Column("capacity_confirmed_on", sa.Date, nullable=False),
    sa.Column("hours", sa.String(200), nullable=False),
    sa.Column("phone", sa.String(20), nullable=False),
    sa.Column("formal", sa.Boolean, nullable=False),
    sa.Column("accepts_referrals", sa.Boolean, nullable=False),
)
