"""sponsor profiles (asar.sponsors); an index on projects (status, updated_at) for matching's
freshness check (asar.matching.models)

Revision ID: 0013
Revises: 0012
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('sponsor_profiles',
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('budget_min', sa.BigInteger(), nullable=False),
    sa.Column('budget_max', sa.BigInteger(), nullable=False),
    sa.Column('yearly_budget', sa.BigInteger(), nullable=True),
    sa.Column('prefers_rural', sa.Boolean(), nullable=False),
    sa.Column('min_completed_projects', sa.Integer(), nullable=False),
    sa.Column('min_verified_months', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('budget_min >= 1 AND budget_max >= budget_min', name=op.f('ck_sponsor_profiles_budget_in_order')),
    sa.CheckConstraint('min_completed_projects >= 0 AND min_verified_months >= 0', name=op.f('ck_sponsor_profiles_minimums_not_negative')),
    sa.CheckConstraint('yearly_budget IS NULL OR yearly_budget >= budget_max', name=op.f('ck_sponsor_profiles_yearly_covers_max')),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_sponsor_profiles_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_sponsor_profiles_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('organization_id', name=op.f('pk_sponsor_profiles'))
    )
    op.create_index(op.f('ix_sponsor_profiles_updated_at'), 'sponsor_profiles', ['updated_at'])
    op.create_table('sponsor_profile_areas',
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('area_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('weight', sa.Integer(), nullable=False),
    sa.CheckConstraint('weight BETWEEN 1 AND 3', name=op.f('ck_sponsor_profile_areas_weight_1_to_3')),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_sponsor_profile_areas_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['sponsor_profiles.organization_id'], name=op.f('fk_sponsor_profile_areas_organization_id_sponsor_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'area_id', name=op.f('pk_sponsor_profile_areas'))
    )
    op.create_table('sponsor_profile_regions',
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['sponsor_profiles.organization_id'], name=op.f('fk_sponsor_profile_regions_organization_id_sponsor_profiles'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_sponsor_profile_regions_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'region_id', name=op.f('pk_sponsor_profile_regions'))
    )
    op.create_table('sponsor_profile_target_groups',
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['sponsor_profiles.organization_id'], name=op.f('fk_sponsor_profile_target_groups_organization_id_sponsor_profiles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('organization_id', 'code', name=op.f('pk_sponsor_profile_target_groups'))
    )
    op.create_index('ix_projects_status_updated_at', 'projects', ['status', 'updated_at'])


def downgrade() -> None:
    op.drop_index('ix_projects_status_updated_at', table_name='projects')
    op.drop_table('sponsor_profile_target_groups')
    op.drop_table('sponsor_profile_regions')
    op.drop_table('sponsor_profile_areas')
    op.drop_index(op.f('ix_sponsor_profiles_updated_at'), table_name='sponsor_profiles')
    op.drop_table('sponsor_profiles')
