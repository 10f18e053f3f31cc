"""The backbone tables every service database holds beside its own: the outbox (events waiting
to be published, written in the same transaction as the change that caused them) and the inbox
(ids of events a consumer has applied, so a redelivery changes nothing)."""
import sqlalchemy as sa

backbone = sa.MetaData()

# BIGINT on PostgreSQL, INTEGER on SQLite (only INTEGER PRIMARY KEY autoincrements there).
Position = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

outbox = sa.Table(
    "outbox", backbone,
    sa.Column("position", Position, primary_key=True, autoincrement=True),
    sa.Column("event_id", sa.String(64), nullable=False),
    sa.Column("event_type", sa.String(128), nullable=False),
    sa.Column("subject", sa.String(128)),
    sa.Column("body", sa.Text, nullable=False),
    sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
    sa.Column("published_at", sa.DateTime(timezone=True)),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("last_error", sa.Text),
    sa.Column("exchange", sa.String(128)),  # null: the events exchange
    sa.Column("routing_key", sa.String(255), nullable=False),
    sa.UniqueConstraint("event_id", "routing_key", name="uq_outbox_event_route"),
    sa.Index("ix_outbox_pending", "position",
             postgresql_where=sa.text("published_at IS NULL"),
             sqlite_where=sa.text("published_at IS NULL")),
)

inbox = sa.Table(
    "inbox", backbone,
    sa.Column("consumer", sa.String(128), primary_key=True),
    sa.Column("event_id", sa.String(64), primary_key=True),
    sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
)


def create_backbone_tables(op) -> None:
    """Backbone tables as of revision 1, called from each service's first migration.

    Written out (not copied from the tables above) so a later change to the tables is a new
    migration, and a fresh database still upgrades step by step.
    """
    op.create_table(
        "outbox",
        sa.Column("position", Position, primary_key=True, autoincrement=True),
        sa.Column("event_id", sa.String(64), nullable=False),
        sa.Column("event_type", sa.String(128), nullable=False),
        sa.Column("subject", sa.String(128)),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text),
        sa.Column("exchange", sa.String(128)),
        sa.Column("routing_key", sa.String(255), nullable=False),
        sa.UniqueConstraint("event_id", "routing_key", name="uq_outbox_event_route"),
    )
    op.create_index("ix_outbox_pending", "outbox", ["position"],
                    postgresql_where=sa.text("published_at IS NULL"),
                    sqlite_where=sa.text("published_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(128), primary_key=True),
        sa.Column("event_id", sa.String(64), primary_key=True),
        sa.Column("applied_at", sa.DateTime(timezone=True), nullable=False),
    )
