"""calls: when scoring started (the scoring deadline counts working days from it)

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('scoring_started_at', asar.db.UTCDateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('scoring_started_at')
