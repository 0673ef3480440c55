"""pledges: offers lapse unanswered: pledges.expires_at (the offers open now get 14 days from when
they were made, the default of ASAR_PLEDGE_OFFER_DAYS) and an index for the job that finds them

Revision ID: 0018
Revises: 0017
"""

from datetime import timedelta

import sqlalchemy as sa
from alembic import op

import asar.db

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None

DAYS = 14


def upgrade() -> None:
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.add_column(sa.Column("expires_at", asar.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index("ix_pledges_state_expires_at", ["state", "expires_at"], unique=False)
    pledges = sa.table("pledges", sa.column("id", sa.BigInteger()), sa.column("state", sa.String()),
                       sa.column("created_at", asar.db.UTCDateTime(timezone=True)),
                       sa.column("expires_at", asar.db.UTCDateTime(timezone=True)))
    conn = op.get_bind()
    rows = conn.execute(sa.select(pledges.c.id, pledges.c.created_at).where(pledges.c.state == "offered")).all()
    for pledge_id, created_at in rows:
        conn.execute(pledges.update().where(pledges.c.id == pledge_id)
                     .values(expires_at=created_at + timedelta(days=DAYS)))


def downgrade() -> None:
    op.execute("UPDATE pledges SET state = 'offered' WHERE state = 'expired'")
    with op.batch_alter_table("pledges", schema=None) as batch_op:
        batch_op.drop_index("ix_pledges_state_expires_at")
        batch_op.drop_column("expires_at")
