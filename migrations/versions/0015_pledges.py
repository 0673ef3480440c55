"""pledges: pledges with their tranches, interest threads with their messages

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('interest_threads',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_message_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_interest_threads_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_interest_threads_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_threads')),
    sa.UniqueConstraint('project_id', 'organization_id', name=op.f('uq_interest_threads_project_id_organization_id'))
    )
    with op.batch_alter_table('interest_threads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_threads_organization_id'), ['organization_id'], unique=False)

    op.create_table('pledges',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('conditions', sa.Text(), nullable=False),
    sa.Column('idempotency_key', sa.String(length=64), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('answered_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('answered_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('decline_reason', sa.String(length=500), nullable=False),
    sa.Column('withdrawn_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pledges_amount_positive')),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_pledges_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_pledges_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_pledges_organization_id_organizations')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_pledges_project_id_projects')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledges')),
    sa.UniqueConstraint('organization_id', 'idempotency_key', name=op.f('uq_pledges_organization_id_idempotency_key'))
    )
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_pledges_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('ix_pledges_project_id_state', ['project_id', 'state'], unique=False)

    op.create_table('interest_messages',
    sa.Column('thread_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('author_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('side', sa.String(length=8), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_interest_messages_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['thread_id'], ['interest_threads.id'], name=op.f('fk_interest_messages_thread_id_interest_threads'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_interest_messages'))
    )
    with op.batch_alter_table('interest_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_interest_messages_thread_id'), ['thread_id'], unique=False)

    op.create_table('pledge_tranches',
    sa.Column('pledge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('milestone_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('milestone_title', sa.String(length=200), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('disbursed_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('disbursed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_pledge_tranches_amount_positive')),
    sa.ForeignKeyConstraint(['disbursed_by_id'], ['users.id'], name=op.f('fk_pledge_tranches_disbursed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['milestone_id'], ['project_milestones.id'], name=op.f('fk_pledge_tranches_milestone_id_project_milestones'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_pledge_tranches_pledge_id_pledges'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_pledge_tranches')),
    sa.UniqueConstraint('pledge_id', 'position', name=op.f('uq_pledge_tranches_pledge_id_position'))
    )


def downgrade() -> None:
    op.drop_table('pledge_tranches')
    with op.batch_alter_table('interest_messages', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_messages_thread_id'))

    op.drop_table('interest_messages')
    with op.batch_alter_table('pledges', schema=None) as batch_op:
        batch_op.drop_index('ix_pledges_project_id_state')
        batch_op.drop_index(batch_op.f('ix_pledges_organization_id'))

    op.drop_table('pledges')
    with op.batch_alter_table('interest_threads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_interest_threads_organization_id'))

    op.drop_table('interest_threads')
