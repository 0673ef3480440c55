"""notifications: what each person was told (unique per person and dedupe key) and their choices per kind

Revision ID: 0008
Revises: 0007
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

BIG_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('notifications',
    sa.Column('user_id', BIG_ID, nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('dedupe_key', sa.String(length=200), nullable=False),
    sa.Column('params', sa.JSON(), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.Column('email_state', sa.String(length=10), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('read_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', BIG_ID, nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notifications_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notifications')),
    sa.UniqueConstraint('user_id', 'dedupe_key', name=op.f('uq_notifications_user_id_dedupe_key'))
    )
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.create_index('ix_notifications_inbox', ['user_id', 'in_app', 'read_at', 'id'], unique=False)
        batch_op.create_index('ix_notifications_digest', ['email_state', 'user_id'], unique=False)

    op.create_table('notification_preferences',
    sa.Column('user_id', BIG_ID, nullable=False),
    sa.Column('kind', sa.String(length=60), nullable=False),
    sa.Column('in_app', sa.Boolean(), nullable=False),
    sa.Column('email', sa.String(length=12), nullable=False),
    sa.Column('id', BIG_ID, nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_notification_preferences_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_preferences')),
    sa.UniqueConstraint('user_id', 'kind', name=op.f('uq_notification_preferences_user_id_kind'))
    )


def downgrade() -> None:
    op.drop_table('notification_preferences')
    with op.batch_alter_table('notifications', schema=None) as batch_op:
        batch_op.drop_index('ix_notifications_digest')
        batch_op.drop_index('ix_notifications_inbox')
    op.drop_table('notifications')
