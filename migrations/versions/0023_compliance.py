"""compliance check: the issuer's mark on each submitted application (admissible or not, with reasons)

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('compliance_marks',
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('application_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('admissible', sa.Boolean(), nullable=False),
    sa.Column('reasons', sa.JSON(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('marked_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('marked_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_compliance_marks_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_compliance_marks_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['marked_by_id'], ['users.id'], name=op.f('fk_compliance_marks_marked_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_compliance_marks')),
    sa.UniqueConstraint('application_id', name=op.f('uq_compliance_marks_application_id'))
    )
    with op.batch_alter_table('compliance_marks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_compliance_marks_call_id'), ['call_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('compliance_marks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_compliance_marks_call_id'))

    op.drop_table('compliance_marks')
