"""calls: calls for applications (state social order, state grants, grant programmes) with their lots,
criteria, required documents, commission members, amendments, areas, regions and followers

Revision ID: 0019
Revises: 0018
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('calls',
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('title_kk', sa.String(length=300), nullable=False),
    sa.Column('title_ru', sa.String(length=300), nullable=False),
    sa.Column('title_en', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('total_budget', sa.BigInteger(), nullable=False),
    sa.Column('opens_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('closes_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('languages', sa.JSON(), nullable=False),
    sa.Column('eligibility', sa.JSON(), nullable=False),
    sa.Column('appeal_days', sa.Integer(), nullable=False),
    sa.Column('mci_year', sa.Integer(), nullable=True),
    sa.Column('mci_value', sa.Integer(), nullable=True),
    sa.Column('published_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rules_locked_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('amendments_count', sa.Integer(), nullable=False),
    sa.Column('followers_count', sa.Integer(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('appeal_days >= 0', name=op.f('ck_calls_appeal_days_not_negative')),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_calls_window_in_order')),
    sa.CheckConstraint('total_budget > 0', name=op.f('ck_calls_total_budget_positive')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calls_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_calls_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calls'))
    )
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_kind'), ['kind'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_status'), ['status'], unique=False)
        batch_op.create_index('ix_calls_status_published_at', ['status', 'published_at'], unique=False)

    op.create_table('call_amendments',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('parts', sa.JSON(), nullable=False),
    sa.Column('before', sa.JSON(), nullable=False),
    sa.Column('after', sa.JSON(), nullable=False),
    sa.Column('affects_applicants', sa.Boolean(), nullable=False),
    sa.Column('closes_at_before', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at_after', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_amendments_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_call_amendments_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_amendments')),
    sa.UniqueConstraint('call_id', 'number', name=op.f('uq_call_amendments_call_id_number'))
    )
    with op.batch_alter_table('call_amendments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_amendments_call_id'), ['call_id'], unique=False)

    op.create_table('call_areas',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('area_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_call_areas_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_areas_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', 'area_id', name=op.f('pk_call_areas'))
    )
    with op.batch_alter_table('call_areas', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_areas_area_id'), ['area_id'], unique=False)

    op.create_table('call_commission_members',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.Column('role', sa.String(length=10), nullable=False),
    sa.Column('invited_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_commission_members_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_call_commission_members_user_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_commission_members')),
    sa.UniqueConstraint('call_id', 'email', name=op.f('uq_call_commission_members_call_id_email'))
    )
    with op.batch_alter_table('call_commission_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_commission_members_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_commission_members_user_id'), ['user_id'], unique=False)

    op.create_table('call_criteria',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.Column('max_points', sa.Integer(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('max_points > 0', name=op.f('ck_call_criteria_max_points_positive')),
    sa.CheckConstraint('weight > 0', name=op.f('ck_call_criteria_weight_positive')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_criteria_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_criteria')),
    sa.UniqueConstraint('call_id', 'position', name=op.f('uq_call_criteria_call_id_position'))
    )
    op.create_table('call_documents',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_documents_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_documents')),
    sa.UniqueConstraint('call_id', 'position', name=op.f('uq_call_documents_call_id_position'))
    )
    op.create_table('call_followers',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_followers_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_call_followers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_followers')),
    sa.UniqueConstraint('call_id', 'user_id', name=op.f('uq_call_followers_call_id_user_id'))
    )
    with op.batch_alter_table('call_followers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_followers_user_id'), ['user_id'], unique=False)

    op.create_table('call_lots',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('expected_results', sa.Text(), nullable=False),
    sa.Column('indicators', sa.Text(), nullable=False),
    sa.Column('duration_months', sa.Integer(), nullable=False),
    sa.Column('size_class', sa.String(length=16), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('budget > 0', name=op.f('ck_call_lots_budget_positive')),
    sa.CheckConstraint('duration_months > 0', name=op.f('ck_call_lots_duration_positive')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_lots_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_lots')),
    sa.UniqueConstraint('call_id', 'position', name=op.f('uq_call_lots_call_id_position'))
    )
    op.create_table('call_regions',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_regions_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_call_regions_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', 'region_id', name=op.f('pk_call_regions'))
    )
    with op.batch_alter_table('call_regions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_regions_region_id'), ['region_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('call_regions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_regions_region_id'))

    op.drop_table('call_regions')
    op.drop_table('call_lots')
    with op.batch_alter_table('call_followers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_followers_user_id'))

    op.drop_table('call_followers')
    op.drop_table('call_documents')
    op.drop_table('call_criteria')
    with op.batch_alter_table('call_commission_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_commission_members_user_id'))
        batch_op.drop_index(batch_op.f('ix_call_commission_members_email'))

    op.drop_table('call_commission_members')
    with op.batch_alter_table('call_areas', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_areas_area_id'))

    op.drop_table('call_areas')
    with op.batch_alter_table('call_amendments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_amendments_call_id'))

    op.drop_table('call_amendments')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index('ix_calls_status_published_at')
        batch_op.drop_index(batch_op.f('ix_calls_status'))
        batch_op.drop_index(batch_op.f('ix_calls_organization_id'))
        batch_op.drop_index(batch_op.f('ix_calls_kind'))

    op.drop_table('calls')
