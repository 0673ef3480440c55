"""competition rules set by the admin: one row per number changed from its default; the numbers a
call was announced with (calls.rule_numbers; calls announced before this revision keep the defaults,
which were the only rules then: '{}')

Revision ID: 0028
Revises: 0027
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('competition_rule_overrides',
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('value', sa.String(length=40), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_competition_rule_overrides_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_competition_rule_overrides'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('rule_numbers', sa.JSON(), nullable=True))
    op.execute("UPDATE calls SET rule_numbers = '{}' WHERE status <> 'draft'")


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('rule_numbers')
    op.drop_table('competition_rule_overrides')
