"""evaluation: commission members' conflict-of-interest declarations and score sheets (points and a
comment per criterion) per application

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('evaluation_declarations',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('application_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('conflict', sa.Boolean(), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('declared_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_evaluation_declarations_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_evaluation_declarations_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['call_commission_members.id'], name=op.f('fk_evaluation_declarations_member_id_call_commission_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_declarations')),
    sa.UniqueConstraint('application_id', 'member_id', name=op.f('uq_evaluation_declarations_application_id_member_id'))
    )
    with op.batch_alter_table('evaluation_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_declarations_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_declarations_member_id'), ['member_id'], unique=False)

    op.create_table('evaluation_sheets',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('application_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('saved_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_evaluation_sheets_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_evaluation_sheets_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['call_commission_members.id'], name=op.f('fk_evaluation_sheets_member_id_call_commission_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_sheets')),
    sa.UniqueConstraint('application_id', 'member_id', name=op.f('uq_evaluation_sheets_application_id_member_id'))
    )
    with op.batch_alter_table('evaluation_sheets', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_sheets_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evaluation_sheets_member_id'), ['member_id'], unique=False)

    op.create_table('evaluation_scores',
    sa.Column('sheet_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('criterion_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('points', sa.Integer(), nullable=True),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.CheckConstraint('points IS NULL OR points >= 0', name=op.f('ck_evaluation_scores_points_not_negative')),
    sa.ForeignKeyConstraint(['criterion_id'], ['call_criteria.id'], name=op.f('fk_evaluation_scores_criterion_id_call_criteria'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sheet_id'], ['evaluation_sheets.id'], name=op.f('fk_evaluation_scores_sheet_id_evaluation_sheets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('sheet_id', 'criterion_id', name=op.f('pk_evaluation_scores'))
    )


def downgrade() -> None:
    op.drop_table('evaluation_scores')
    with op.batch_alter_table('evaluation_sheets', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_sheets_member_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_sheets_call_id'))

    op.drop_table('evaluation_sheets')
    with op.batch_alter_table('evaluation_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_declarations_member_id'))
        batch_op.drop_index(batch_op.f('ix_evaluation_declarations_call_id'))

    op.drop_table('evaluation_declarations')
