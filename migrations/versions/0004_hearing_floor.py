"""hearings: the speaker queue (floor requests and turns)

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

ACTIVE = "status IN ('waiting', 'speaking')"
SPEAKING = "status = 'speaking'"


def upgrade() -> None:
    op.create_table('hearing_floor_requests',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sector', sa.String(length=12), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('note', sa.String(length=200), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('requested_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('started_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ends_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('ended_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('given_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['given_by_id'], ['users.id'], name=op.f('fk_hearing_floor_requests_given_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_floor_requests_hearing_id_hearings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_hearing_floor_requests_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_floor_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_floor_requests'))
    )
    op.create_index('ix_hearing_floor_requests_hearing_id_status', 'hearing_floor_requests', ['hearing_id', 'status'], unique=False)
    op.create_index('uq_hearing_floor_requests_one_active', 'hearing_floor_requests', ['hearing_id', 'user_id'], unique=True, postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
    op.create_index('uq_hearing_floor_requests_one_speaker', 'hearing_floor_requests', ['hearing_id'], unique=True, postgresql_where=sa.text(SPEAKING), sqlite_where=sa.text(SPEAKING))


def downgrade() -> None:
    op.drop_index('uq_hearing_floor_requests_one_speaker', table_name='hearing_floor_requests', postgresql_where=sa.text(SPEAKING), sqlite_where=sa.text(SPEAKING))
    op.drop_index('uq_hearing_floor_requests_one_active', table_name='hearing_floor_requests', postgresql_where=sa.text(ACTIVE), sqlite_where=sa.text(ACTIVE))
    op.drop_index('ix_hearing_floor_requests_hearing_id_status', table_name='hearing_floor_requests')
    op.drop_table('hearing_floor_requests')
