"""live: the shared event log of streams without their own (live_streams, live_events)

Revision ID: 0009
Revises: 0008
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "live_streams",
        sa.Column("key", sa.String(length=120), nullable=False),
        sa.Column("last_seq", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_live_streams")),
    )
    op.create_table(
        "live_events",
        sa.Column("stream", sa.String(length=120), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("type", sa.String(length=60), nullable=False),
        sa.Column("payload", sa.JSON(), nullable=False),
        sa.Column("private", sa.JSON(), nullable=True),
        sa.Column("at", asar.db.UTCDateTime(timezone=True), nullable=False),
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_live_events")),
        sa.UniqueConstraint("stream", "seq", name=op.f("uq_live_events_stream_seq")),
    )


def downgrade() -> None:
    op.drop_table("live_events")
    op.drop_table("live_streams")
