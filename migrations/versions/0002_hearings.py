"""hearings: hearings and their agenda, co-moderators, invitations, registrations, posts, questions
and upvotes, polls and votes, sanctions, the public moderation log and the per-hearing event log

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 20:46:04.512833
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('hearings',
    sa.Column('organizer_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('topic', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('region_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('starts_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('duration_minutes', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=10), nullable=False),
    sa.Column('venue', sa.String(length=300), nullable=False),
    sa.Column('languages', sa.String(length=20), nullable=False),
    sa.Column('participation', sa.String(length=16), nullable=False),
    sa.Column('moderation_mode', sa.String(length=4), nullable=False),
    sa.Column('results_visibility', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('last_seq', sa.Integer(), nullable=False),
    sa.Column('current_agenda_item_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('opened_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hearings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['organizer_id'], ['organizations.id'], name=op.f('fk_hearings_organizer_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_hearings_region_id_regions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearings'))
    )
    with op.batch_alter_table('hearings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hearings_organizer_id'), ['organizer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_hearings_starts_at'), ['starts_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_hearings_status'), ['status'], unique=False)

    op.create_table('hearing_agenda_items',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('starts_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('minutes', sa.Integer(), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_agenda_items_hearing_id_hearings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_agenda_items')),
    sa.UniqueConstraint('hearing_id', 'position', name=op.f('uq_hearing_agenda_items_hearing_id_position'))
    )
    op.create_table('hearing_co_moderators',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_co_moderators_hearing_id_hearings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_hearing_co_moderators_organization_id_organizations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_co_moderators_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_co_moderators')),
    sa.UniqueConstraint('hearing_id', 'user_id', name=op.f('uq_hearing_co_moderators_hearing_id_user_id'))
    )
    with op.batch_alter_table('hearing_co_moderators', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hearing_co_moderators_user_id'), ['user_id'], unique=False)

    op.create_table('hearing_events',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('seq', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('payload', sa.JSON(), nullable=False),
    sa.Column('private', sa.JSON(), nullable=True),
    sa.Column('at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_events_hearing_id_hearings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_events')),
    sa.UniqueConstraint('hearing_id', 'seq', name=op.f('uq_hearing_events_hearing_id_seq'))
    )
    op.create_table('hearing_invitees',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('email', sa.String(length=320), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_invitees_hearing_id_hearings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_invitees')),
    sa.UniqueConstraint('hearing_id', 'email', name=op.f('uq_hearing_invitees_hearing_id_email'))
    )
    op.create_table('hearing_moderation_actions',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('actor_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('actor_sector', sa.String(length=12), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('target_type', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_hearing_moderation_actions_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_moderation_actions_hearing_id_hearings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_moderation_actions'))
    )
    with op.batch_alter_table('hearing_moderation_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hearing_moderation_actions_hearing_id'), ['hearing_id'], unique=False)

    op.create_table('hearing_polls',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('question', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('allow_change', sa.Boolean(), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('opened_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closed_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_polls_hearing_id_hearings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_polls'))
    )
    with op.batch_alter_table('hearing_polls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hearing_polls_hearing_id'), ['hearing_id'], unique=False)

    op.create_table('hearing_posts',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('sector', sa.String(length=12), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('moderated_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_posts_hearing_id_hearings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_hearing_posts_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_posts_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_posts')),
    sa.UniqueConstraint('hearing_id', 'user_id', 'client_id', name=op.f('uq_hearing_posts_hearing_id_user_id_client_id'))
    )
    with op.batch_alter_table('hearing_posts', schema=None) as batch_op:
        batch_op.create_index('ix_hearing_posts_hearing_id_status', ['hearing_id', 'status'], unique=False)

    op.create_table('hearing_questions',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('sector', sa.String(length=12), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('author_name', sa.String(length=200), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=10), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('answered_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('upvotes', sa.Integer(), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('moderated_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_questions_hearing_id_hearings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_hearing_questions_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_questions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_questions')),
    sa.UniqueConstraint('hearing_id', 'user_id', 'client_id', name=op.f('uq_hearing_questions_hearing_id_user_id_client_id'))
    )
    with op.batch_alter_table('hearing_questions', schema=None) as batch_op:
        batch_op.create_index('ix_hearing_questions_hearing_id_status', ['hearing_id', 'status'], unique=False)

    op.create_table('hearing_registrations',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sector', sa.String(length=12), nullable=False),
    sa.Column('organization_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_registrations_hearing_id_hearings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['organization_id'], ['organizations.id'], name=op.f('fk_hearing_registrations_organization_id_organizations'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_registrations_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_registrations')),
    sa.UniqueConstraint('hearing_id', 'user_id', name=op.f('uq_hearing_registrations_hearing_id_user_id'))
    )
    with op.batch_alter_table('hearing_registrations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hearing_registrations_user_id'), ['user_id'], unique=False)

    op.create_table('hearing_sanctions',
    sa.Column('hearing_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('kind', sa.String(length=4), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('lifted_at', asar.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_hearing_sanctions_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hearing_id'], ['hearings.id'], name=op.f('fk_hearing_sanctions_hearing_id_hearings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_sanctions_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_sanctions'))
    )
    with op.batch_alter_table('hearing_sanctions', schema=None) as batch_op:
        batch_op.create_index('ix_hearing_sanctions_hearing_id_user_id', ['hearing_id', 'user_id'], unique=False)

    op.create_table('hearing_poll_options',
    sa.Column('poll_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=300), nullable=False),
    sa.Column('value', sa.Integer(), nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['poll_id'], ['hearing_polls.id'], name=op.f('fk_hearing_poll_options_poll_id_hearing_polls'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_poll_options')),
    sa.UniqueConstraint('poll_id', 'position', name=op.f('uq_hearing_poll_options_poll_id_position'))
    )
    op.create_table('hearing_question_upvotes',
    sa.Column('question_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sector', sa.String(length=12), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['hearing_questions.id'], name=op.f('fk_hearing_question_upvotes_question_id_hearing_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_question_upvotes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_question_upvotes')),
    sa.UniqueConstraint('question_id', 'user_id', name=op.f('uq_hearing_question_upvotes_question_id_user_id'))
    )
    op.create_table('hearing_poll_votes',
    sa.Column('poll_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('option_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('sector', sa.String(length=12), nullable=False),
    sa.Column('exclusive', sa.Boolean(), nullable=False),
    sa.Column('client_id', sa.String(length=64), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['option_id'], ['hearing_poll_options.id'], name=op.f('fk_hearing_poll_votes_option_id_hearing_poll_options'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['poll_id'], ['hearing_polls.id'], name=op.f('fk_hearing_poll_votes_poll_id_hearing_polls'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_hearing_poll_votes_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hearing_poll_votes')),
    sa.UniqueConstraint('poll_id', 'user_id', 'option_id', name=op.f('uq_hearing_poll_votes_poll_id_user_id_option_id'))
    )
    with op.batch_alter_table('hearing_poll_votes', schema=None) as batch_op:
        batch_op.create_index('uq_hearing_poll_votes_one_choice', ['poll_id', 'user_id'], unique=True, postgresql_where=sa.text('exclusive'), sqlite_where=sa.text('exclusive'))



def downgrade() -> None:
    with op.batch_alter_table('hearing_poll_votes', schema=None) as batch_op:
        batch_op.drop_index('uq_hearing_poll_votes_one_choice', postgresql_where=sa.text('exclusive'), sqlite_where=sa.text('exclusive'))

    op.drop_table('hearing_poll_votes')
    op.drop_table('hearing_question_upvotes')
    op.drop_table('hearing_poll_options')
    with op.batch_alter_table('hearing_sanctions', schema=None) as batch_op:
        batch_op.drop_index('ix_hearing_sanctions_hearing_id_user_id')

    op.drop_table('hearing_sanctions')
    with op.batch_alter_table('hearing_registrations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hearing_registrations_user_id'))

    op.drop_table('hearing_registrations')
    with op.batch_alter_table('hearing_questions', schema=None) as batch_op:
        batch_op.drop_index('ix_hearing_questions_hearing_id_status')

    op.drop_table('hearing_questions')
    with op.batch_alter_table('hearing_posts', schema=None) as batch_op:
        batch_op.drop_index('ix_hearing_posts_hearing_id_status')

    op.drop_table('hearing_posts')
    with op.batch_alter_table('hearing_polls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hearing_polls_hearing_id'))

    op.drop_table('hearing_polls')
    with op.batch_alter_table('hearing_moderation_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hearing_moderation_actions_hearing_id'))

    op.drop_table('hearing_moderation_actions')
    op.drop_table('hearing_invitees')
    op.drop_table('hearing_events')
    with op.batch_alter_table('hearing_co_moderators', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hearing_co_moderators_user_id'))

    op.drop_table('hearing_co_moderators')
    op.drop_table('hearing_agenda_items')
    with op.batch_alter_table('hearings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hearings_status'))
        batch_op.drop_index(batch_op.f('ix_hearings_starts_at'))
        batch_op.drop_index(batch_op.f('ix_hearings_organizer_id'))

    op.drop_table('hearings')
