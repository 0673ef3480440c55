"""call reminders: the sent log (once per call, kind and person; a call's own moments with no person),
and when a call's decision stage started (the decision's deadline counts working days from it)

Revision ID: 0027
Revises: 0026
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_started_at', asar.db.UTCDateTime(timezone=True), nullable=True))
    op.create_table('call_reminders',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('sent_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_reminders_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_call_reminders_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_reminders')),
    sa.UniqueConstraint('call_id', 'kind', 'user_id', name=op.f('uq_call_reminders_call_id_kind_user_id'))
    )
    with op.batch_alter_table('call_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_reminders_user_id'), ['user_id'], unique=False)
        batch_op.create_index('uq_call_reminders_call_moment', ['call_id', 'kind'], unique=True,
                              postgresql_where=sa.text('user_id IS NULL'), sqlite_where=sa.text('user_id IS NULL'))


def downgrade() -> None:
    with op.batch_alter_table('call_reminders', schema=None) as batch_op:
        batch_op.drop_index('uq_call_reminders_call_moment')
        batch_op.drop_index(batch_op.f('ix_call_reminders_user_id'))

    op.drop_table('call_reminders')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('decision_started_at')
