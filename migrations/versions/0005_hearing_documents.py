"""hearings: related project or competition, draft document with numbered clauses, clause citations

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

import asar.db  # noqa: F401

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('hearings') as batch:
        batch.add_column(sa.Column('related_kind', sa.String(length=12), nullable=True))
        batch.add_column(sa.Column('related_title', sa.String(length=300), nullable=False, server_default=''))
        batch.add_column(sa.Column('related_url', sa.String(length=500), nullable=False, server_default=''))
        batch.add_column(sa.Column('document_title', sa.String(length=300), nullable=False, server_default=''))
        batch.add_column(sa.Column('document_text', sa.Text(), nullable=False, server_default=''))
    with op.batch_alter_table('hearing_posts') as batch:
        batch.add_column(sa.Column('clause', sa.String(length=20), nullable=True))
    with op.batch_alter_table('hearing_questions') as batch:
        batch.add_column(sa.Column('clause', sa.String(length=20), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('hearing_questions') as batch:
        batch.drop_column('clause')
    with op.batch_alter_table('hearing_posts') as batch:
        batch.drop_column('clause')
    with op.batch_alter_table('hearings') as batch:
        batch.drop_column('document_text')
        batch.drop_column('document_title')
        batch.drop_column('related_url')
        batch.drop_column('related_title')
        batch.drop_column('related_kind')
