"""outbox: single-use links sealed until delivery (secrets_sealed); links already sent are masked

Revision ID: 0007
Revises: 0006
"""

import re

import sqlalchemy as sa
from alembic import op

import asar.db  # noqa: F401

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# the single-use links mailed before this revision, whose token sits in the stored body in clear
LINK = re.compile(r"(/(?:confirm|password/reset|invitations)/)[A-Za-z0-9_-]{16,}")


def upgrade() -> None:
    with op.batch_alter_table('outbox_mail') as batch:
        batch.add_column(sa.Column('secrets_sealed', sa.Text(), nullable=True))
    outbox = sa.table('outbox_mail', sa.column('id', sa.Integer), sa.column('body_text', sa.Text),
                      sa.column('sent_at', sa.DateTime))
    conn = op.get_bind()
    rows = conn.execute(sa.select(outbox.c.id, outbox.c.body_text).where(outbox.c.sent_at.is_not(None))).all()
    for mail_id, body in rows:
        masked = LINK.sub(r"\1⟦hidden:link⟧", body)
        if masked != body:
            conn.execute(sa.update(outbox).where(outbox.c.id == mail_id).values(body_text=masked))


def downgrade() -> None:
    with op.batch_alter_table('outbox_mail') as batch:
        batch.drop_column('secrets_sealed')
