"""applications: applications to a call's lots (drafts, submissions, registration numbers), the PDF
documents attached to them, and a call's budget caps per category

Revision ID: 0020
Revises: 0019
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('call_budget_caps',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('category', sa.String(length=16), nullable=False),
    sa.Column('percent', sa.Integer(), nullable=False),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_call_budget_caps_percent_in_range')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_budget_caps_call_id_calls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('call_id', 'category', name=op.f('pk_call_budget_caps'))
    )
    op.create_table('applications',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('lot_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('language', sa.String(length=2), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('plan', sa.Text(), nullable=False),
    sa.Column('indicators', sa.JSON(), nullable=False),
    sa.Column('team', sa.JSON(), nullable=False),
    sa.Column('budget', sa.JSON(), nullable=False),
    sa.Column('requested', sa.BigInteger(), nullable=False),
    sa.Column('saved_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('registration_number', sa.String(length=40), nullable=True),
    sa.Column('submissions', sa.Integer(), nullable=False),
    sa.Column('first_submitted_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('withdrawn_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('requested >= 0', name=op.f('ck_applications_requested_not_negative')),
    sa.CheckConstraint('submissions >= 0', name=op.f('ck_applications_submissions_not_negative')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_applications_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_applications_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['lot_id'], ['call_lots.id'], name=op.f('fk_applications_lot_id_call_lots'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_applications_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_applications_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('lot_id', 'organization_id', name=op.f('uq_applications_lot_id_organization_id')),
    sa.UniqueConstraint('registration_number', name=op.f('uq_applications_registration_number'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index('ix_applications_call_id_status', ['call_id', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_lot_id'), ['lot_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_organization_id'), ['organization_id'], unique=False)

    op.create_table('application_documents',
    sa.Column('application_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('document_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('file_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('uploaded_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('uploaded_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_documents_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['call_documents.id'], name=op.f('fk_application_documents_document_id_call_documents'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['file_id'], ['stored_files.id'], name=op.f('fk_application_documents_file_id_stored_files'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_application_documents_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_documents')),
    sa.UniqueConstraint('application_id', 'document_id', name=op.f('uq_application_documents_application_id_document_id'))
    )
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_documents_document_id'), ['document_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_documents_file_id'), ['file_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('application_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_documents_file_id'))
        batch_op.drop_index(batch_op.f('ix_application_documents_document_id'))

    op.drop_table('application_documents')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_organization_id'))
        batch_op.drop_index(batch_op.f('ix_applications_lot_id'))
        batch_op.drop_index('ix_applications_call_id_status')

    op.drop_table('applications')
    op.drop_table('call_budget_caps')
