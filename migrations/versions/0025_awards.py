"""awards: a winner's award, its tranches per milestone, milestone reports and their evidence; the
application's stages

Revision ID: 0025
Revises: 0024
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('awards',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('lot_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('application_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('project_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('pledge_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('awarded_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('awarded_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('signed_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('signed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_awards_amount_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_awards_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['awarded_by_id'], ['users.id'], name=op.f('fk_awards_awarded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_awards_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lot_id'], ['call_lots.id'], name=op.f('fk_awards_lot_id_call_lots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_awards_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['pledge_id'], ['pledges.id'], name=op.f('fk_awards_pledge_id_pledges'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], name=op.f('fk_awards_project_id_projects'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['signed_by_id'], ['users.id'], name=op.f('fk_awards_signed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_awards')),
    sa.UniqueConstraint('application_id', name=op.f('uq_awards_application_id')),
    sa.UniqueConstraint('project_id', name=op.f('uq_awards_project_id'))
    )
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_awards_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_awards_organization_id'), ['organization_id'], unique=False)

    op.create_table('award_tranches',
    sa.Column('award_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('deliverable', sa.String(length=500), nullable=False),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('milestone_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('pledge_tranche_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('released_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('released_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_award_tranches_amount_positive')),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_award_tranches_award_id_awards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['milestone_id'], ['project_milestones.id'], name=op.f('fk_award_tranches_milestone_id_project_milestones'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['pledge_tranche_id'], ['pledge_tranches.id'], name=op.f('fk_award_tranches_pledge_tranche_id_pledge_tranches'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['released_by_id'], ['users.id'], name=op.f('fk_award_tranches_released_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_award_tranches')),
    sa.UniqueConstraint('award_id', 'position', name=op.f('uq_award_tranches_award_id_position'))
    )
    op.create_table('milestone_reports',
    sa.Column('award_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('tranche_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('narrative', sa.Text(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('spending', sa.JSON(), nullable=False),
    sa.Column('submitted_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reviewed_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reviewed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('return_reason', sa.String(length=2000), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['award_id'], ['awards.id'], name=op.f('fk_milestone_reports_award_id_awards'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_milestone_reports_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_milestone_reports_submitted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['tranche_id'], ['award_tranches.id'], name=op.f('fk_milestone_reports_tranche_id_award_tranches'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_reports')),
    sa.UniqueConstraint('tranche_id', 'number', name=op.f('uq_milestone_reports_tranche_id_number'))
    )
    with op.batch_alter_table('milestone_reports', schema=None) as batch_op:
        batch_op.create_index('ix_milestone_reports_award_id_state', ['award_id', 'state'], unique=False)

    op.create_table('milestone_evidence',
    sa.Column('report_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('content_type', sa.String(length=40), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_milestone_evidence_file_id_stored_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['report_id'], ['milestone_reports.id'], name=op.f('fk_milestone_evidence_report_id_milestone_reports'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_milestone_evidence'))
    )
    with op.batch_alter_table('milestone_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_milestone_evidence_file_id'), ['file_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_milestone_evidence_report_id'), ['report_id'], unique=False)

    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('stages', sa.JSON(), nullable=False, server_default='[]'))


def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('stages')

    with op.batch_alter_table('milestone_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_milestone_evidence_report_id'))
        batch_op.drop_index(batch_op.f('ix_milestone_evidence_file_id'))

    op.drop_table('milestone_evidence')
    with op.batch_alter_table('milestone_reports', schema=None) as batch_op:
        batch_op.drop_index('ix_milestone_reports_award_id_state')

    op.drop_table('milestone_reports')
    op.drop_table('award_tranches')
    with op.batch_alter_table('awards', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_awards_organization_id'))
        batch_op.drop_index(batch_op.f('ix_awards_lot_id'))
        batch_op.drop_index(batch_op.f('ix_awards_call_id'))

    op.drop_table('awards')
