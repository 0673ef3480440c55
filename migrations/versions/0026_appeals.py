"""appeals: an applicant's appeal against a call's results and the issuer's answer

Revision ID: 0026
Revises: 0025
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0026'
down_revision = '0025'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('call_appeals',
    sa.Column('call_id', ID, nullable=False),
    sa.Column('application_id', ID, nullable=False),
    sa.Column('organization_id', ID, nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('evidence_file_id', ID, nullable=True),
    sa.Column('evidence_filename', sa.String(length=200), nullable=False),
    sa.Column('evidence_size', sa.Integer(), nullable=False),
    sa.Column('filed_by_id', ID, nullable=True),
    sa.Column('filed_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('due_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('outcome', sa.String(length=10), nullable=True),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_by_id', ID, nullable=True),
    sa.Column('answered_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', ID, nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_appeals_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_call_appeals_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_call_appeals_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['evidence_file_id'], ['stored_files.id'], name=op.f('fk_call_appeals_evidence_file_id_stored_files'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['filed_by_id'], ['users.id'], name=op.f('fk_call_appeals_filed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_call_appeals_answered_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_appeals')),
    sa.UniqueConstraint('call_id', 'number', name=op.f('uq_call_appeals_call_id_number')),
    )
    with op.batch_alter_table('call_appeals', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_appeals_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_appeals_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_appeals_organization_id'), ['organization_id'], unique=False)
        batch_op.create_index('uq_call_appeals_application_current', ['application_id'], unique=True,
                              postgresql_where=sa.text("status <> 'withdrawn'"),
                              sqlite_where=sa.text("status <> 'withdrawn'"))


def downgrade() -> None:
    with op.batch_alter_table('call_appeals', schema=None) as batch_op:
        batch_op.drop_index('uq_call_appeals_application_current')
        batch_op.drop_index(batch_op.f('ix_call_appeals_organization_id'))
        batch_op.drop_index(batch_op.f('ix_call_appeals_application_id'))
        batch_op.drop_index(batch_op.f('ix_call_appeals_call_id'))

    op.drop_table('call_appeals')
