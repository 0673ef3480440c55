"""hearings: minutes, decisions, follow-up commitments and their status history, reminders sent

Revision ID: 0003
Revises: 0002
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hearing_commitments',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('deadline', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hearing_commitments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_commitments_hearing_id_hearings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_hearing_commitments_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_commitments'))
    )
    op.create_index(op.f('ix_hearing_commitments_hearing_id'), 'hearing_commitments', ['hearing_id'], unique=False)
    op.create_index(op.f('ix_hearing_commitments_organization_id'), 'hearing_commitments', ['organization_id'], unique=False)
    op.create_table('hearing_decisions',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_decisions_hearing_id_hearings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_decisions'))
    )
    op.create_index('ix_hearing_decisions_hearing_id_position', 'hearing_decisions', ['hearing_id', 'position'], unique=False)
    op.create_table('hearing_minutes',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('produced_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('published_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_minutes_hearing_id_hearings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_hearing_minutes_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_minutes')),
    sa.UniqueConstraint('hearing_id', name=op.f('uq_hearing_minutes_hearing_id'))
    )
    op.create_table('hearing_reminders_sent',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('sent_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_reminders_sent_hearing_id_hearings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_reminders_sent_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_reminders_sent')),
    sa.UniqueConstraint('hearing_id', 'user_id', 'kind', name=op.f('uq_hearing_reminders_sent_hearing_id_user_id_kind'))
    )
    op.create_table('hearing_commitment_changes',
    sa.Column('commitment_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('from_status', sa.String(length=12), nullable=False),
    sa.Column('to_status', sa.String(length=12), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('changed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notified_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_hearing_commitment_changes_changed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['commitment_id'], ['hearing_commitments.id'], name=op.f('fk_hearing_commitment_changes_commitment_id_hearing_commitments'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_commitment_changes'))
    )
    op.create_index(op.f('ix_hearing_commitment_changes_commitment_id'), 'hearing_commitment_changes', ['commitment_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_hearing_commitment_changes_commitment_id'), table_name='hearing_commitment_changes')
    op.drop_table('hearing_commitment_changes')
    op.drop_table('hearing_reminders_sent')
    op.drop_table('hearing_minutes')
    op.drop_index('ix_hearing_decisions_hearing_id_position', table_name='hearing_decisions')
    op.drop_table('hearing_decisions')
    op.drop_index(op.f('ix_hearing_commitments_organization_id'), table_name='hearing_commitments')
    op.drop_index(op.f('ix_hearing_commitments_hearing_id'), table_name='hearing_commitments')
    op.drop_table('hearing_commitments')
