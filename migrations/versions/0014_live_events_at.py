"""live: an index on live_events.at for the prune job (asar.live.jobs)

Revision ID: 0014
Revises: 0013
"""

from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_live_events_at", "live_events", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_live_events_at", table_name="live_events")
