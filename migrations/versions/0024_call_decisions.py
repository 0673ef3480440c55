"""calls: the commission's decision (meeting, attendance, winners) and when results went public

Revision ID: 0024
Revises: 0023
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def _id() -> sa.types.TypeEngine:
    return sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.add_column(sa.Column('results_published_at', asar.db.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('appeals_close_at', asar.db.UTCDateTime(timezone=True), nullable=True))

    op.create_table('call_decisions',
    sa.Column('call_id', _id(), nullable=False),
    sa.Column('meeting_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('hearing_id', _id(), nullable=True),
    sa.Column('minutes', sa.Text(), nullable=False),
    sa.Column('quorum_required', sa.Integer(), nullable=False),
    sa.Column('present_count', sa.Integer(), nullable=False),
    sa.Column('quorum_met', sa.Boolean(), nullable=False),
    sa.Column('recorded_by_id', _id(), nullable=True),
    sa.Column('confirmed_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('confirmed_by_id', _id(), nullable=True),
    sa.Column('id', _id(), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('present_count >= 0', name=op.f('ck_call_decisions_present_not_negative')),
    sa.CheckConstraint('quorum_required >= 0', name=op.f('ck_call_decisions_quorum_not_negative')),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_decisions_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_call_decisions_hearing_id_hearings'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_call_decisions_recorded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_call_decisions_confirmed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_decisions')),
    sa.UniqueConstraint('call_id', name=op.f('uq_call_decisions_call_id'))
    )
    op.create_table('call_decision_attendance',
    sa.Column('decision_id', _id(), nullable=False),
    sa.Column('member_id', _id(), nullable=False),
    sa.Column('present', sa.Boolean(), nullable=False),
    sa.Column('id', _id(), nullable=False),
    sa.ForeignKeyConstraint(['decision_id'], ['call_decisions.id'], name=op.f('fk_call_decision_attendance_decision_id_call_decisions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['call_commission_members.id'], name=op.f('fk_call_decision_attendance_member_id_call_commission_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_decision_attendance')),
    sa.UniqueConstraint('decision_id', 'member_id', name=op.f('uq_call_decision_attendance_decision_id_member_id'))
    )
    with op.batch_alter_table('call_decision_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_decision_attendance_member_id'), ['member_id'], unique=False)

    op.create_table('call_winners',
    sa.Column('call_id', _id(), nullable=False),
    sa.Column('lot_id', _id(), nullable=False),
    sa.Column('application_id', _id(), nullable=False),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.Column('amount', sa.BigInteger(), nullable=False),
    sa.Column('departs_reason', sa.Text(), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', _id(), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_call_winners_amount_positive')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_call_winners_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_winners_call_id_calls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lot_id'], ['call_lots.id'], name=op.f('fk_call_winners_lot_id_call_lots'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_winners')),
    sa.UniqueConstraint('application_id', name=op.f('uq_call_winners_application_id'))
    )
    with op.batch_alter_table('call_winners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_winners_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_call_winners_lot_id'), ['lot_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_winners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_winners_lot_id'))
        batch_op.drop_index(batch_op.f('ix_call_winners_call_id'))
    op.drop_table('call_winners')
    with op.batch_alter_table('call_decision_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_decision_attendance_member_id'))
    op.drop_table('call_decision_attendance')
    op.drop_table('call_decisions')
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_column('appeals_close_at')
        batch_op.drop_column('results_published_at')
