"""projects: projects with regions, areas, target groups, milestones, versions, updates, followers;
stored files (asar.storage)

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_files',
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('purpose', sa.String(length=20), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_stored_files_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_stored_files')),
    sa.UniqueConstraint('token', name=op.f('uq_stored_files_token'))
    )
    op.create_table('projects',
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('social_enterprise', sa.Boolean(), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('title_kk', sa.String(length=200), nullable=False),
    sa.Column('title_ru', sa.String(length=200), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('summary_kk', sa.String(length=600), nullable=False),
    sa.Column('summary_ru', sa.String(length=600), nullable=False),
    sa.Column('summary_en', sa.String(length=600), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('beneficiaries', sa.Integer(), nullable=False),
    sa.Column('starts_on', sa.Date(), nullable=False),
    sa.Column('ends_on', sa.Date(), nullable=False),
    sa.Column('budget', sa.BigInteger(), nullable=False),
    sa.Column('own_contribution', sa.BigInteger(), nullable=False),
    sa.Column('state_funding', sa.BigInteger(), nullable=False),
    sa.Column('sponsorship_goal', sa.BigInteger(), nullable=False),
    sa.Column('committed', sa.BigInteger(), nullable=False),
    sa.Column('allow_overfunding', sa.Boolean(), nullable=False),
    sa.Column('cover_file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('followers_count', sa.Integer(), nullable=False),
    sa.Column('published_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('funded_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('started_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancelled_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cancel_reason', sa.String(length=500), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('beneficiaries >= 0', name=op.f('ck_projects_beneficiaries_not_negative')),
    sa.CheckConstraint('budget > 0', name=op.f('ck_projects_budget_positive')),
    sa.CheckConstraint('committed >= 0', name=op.f('ck_projects_committed_not_negative')),
    sa.CheckConstraint('ends_on >= starts_on', name=op.f('ck_projects_dates_in_order')),
    sa.CheckConstraint('own_contribution + state_funding + sponsorship_goal = budget', name=op.f('ck_projects_stack_adds_up')),
    sa.CheckConstraint('own_contribution >= 0 AND state_funding >= 0 AND sponsorship_goal >= 0', name=op.f('ck_projects_stack_not_negative')),
    sa.ForeignKeyConstraint(['cover_file_id'], ['stored_files.id'], name=op.f('fk_projects_cover_file_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_projects_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_projects_organization_id_organizations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_projects'))
    )
    op.create_index(op.f('ix_projects_kind'), 'projects', ['kind'])
    op.create_index(op.f('ix_projects_organization_id'), 'projects', ['organization_id'])
    op.create_index(op.f('ix_projects_starts_on'), 'projects', ['starts_on'])
    op.create_index(op.f('ix_projects_status'), 'projects', ['status'])
    op.create_index('ix_projects_status_published_at', 'projects', ['status', 'published_at'])
    op.create_table('project_areas',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('area_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['area_id'], ['areas.id'], name=op.f('fk_project_areas_area_id_areas'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_areas_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'area_id', name=op.f('pk_project_areas'))
    )
    op.create_index(op.f('ix_project_areas_area_id'), 'project_areas', ['area_id'])
    op.create_table('project_followers',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_followers_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_project_followers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_followers')),
    sa.UniqueConstraint('project_id', 'user_id', name=op.f('uq_project_followers_project_id_user_id'))
    )
    op.create_index(op.f('ix_project_followers_user_id'), 'project_followers', ['user_id'])
    op.create_table('project_milestones',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('deliverable', sa.String(length=500), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_project_milestones_amount_not_negative')),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_milestones_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_milestones')),
    sa.UniqueConstraint('project_id', 'position', name=op.f('uq_project_milestones_project_id_position'))
    )
    op.create_table('project_regions',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('settlement', sa.String(length=10), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_regions_project_id_projects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_project_regions_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'region_id', name=op.f('pk_project_regions'))
    )
    op.create_index(op.f('ix_project_regions_region_id'), 'project_regions', ['region_id'])
    op.create_index(op.f('ix_project_regions_settlement'), 'project_regions', ['settlement'])
    op.create_table('project_target_groups',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('code', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_target_groups_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('project_id', 'code', name=op.f('pk_project_target_groups'))
    )
    op.create_index(op.f('ix_project_target_groups_code'), 'project_target_groups', ['code'])
    op.create_table('project_updates',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('author_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_project_updates_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_updates_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_updates'))
    )
    op.create_index(op.f('ix_project_updates_project_id'), 'project_updates', ['project_id'])
    op.create_table('project_versions',
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_project_versions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_project_versions_project_id_projects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_project_versions')),
    sa.UniqueConstraint('project_id', 'number', name=op.f('uq_project_versions_project_id_number'))
    )


def downgrade() -> None:
    op.drop_table('project_versions')
    op.drop_index(op.f('ix_project_updates_project_id'), table_name='project_updates')
    op.drop_table('project_updates')
    op.drop_index(op.f('ix_project_target_groups_code'), table_name='project_target_groups')
    op.drop_table('project_target_groups')
    op.drop_index(op.f('ix_project_regions_settlement'), table_name='project_regions')
    op.drop_index(op.f('ix_project_regions_region_id'), table_name='project_regions')
    op.drop_table('project_regions')
    op.drop_table('project_milestones')
    op.drop_index(op.f('ix_project_followers_user_id'), table_name='project_followers')
    op.drop_table('project_followers')
    op.drop_index(op.f('ix_project_areas_area_id'), table_name='project_areas')
    op.drop_table('project_areas')
    op.drop_index('ix_projects_status_published_at', table_name='projects')
    op.drop_index(op.f('ix_projects_status'), table_name='projects')
    op.drop_index(op.f('ix_projects_starts_on'), table_name='projects')
    op.drop_index(op.f('ix_projects_organization_id'), table_name='projects')
    op.drop_index(op.f('ix_projects_kind'), table_name='projects')
    op.drop_table('projects')
    op.drop_table('stored_files')
