"""hearings: the notification's dedupe key is the only record of a reminder or a commitment change told
(drop hearing_reminders_sent and hearing_commitment_changes.notified_at)

What a marker recorded without its notification row (reminders sent before 0008 added
notifications) becomes that row, read at the moment it was sent, so no reminder or change is told twice
after the upgrade.

Revision ID: 0012
Revises: 0011
"""

from typing import Any

import sqlalchemy as sa
from alembic import op

import asar.db

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None

Id = sa.BigInteger().with_variant(sa.Integer(), "sqlite")
When = asar.db.UTCDateTime(timezone=True)

notifications = sa.table(
    "notifications", sa.column("user_id", Id), sa.column("kind", sa.String), sa.column("dedupe_key", sa.String),
    sa.column("params", sa.JSON), sa.column("in_app", sa.Boolean), sa.column("email_state", sa.String),
    sa.column("created_at", When), sa.column("read_at", When))
reminders_sent = sa.table("hearing_reminders_sent", sa.column("hearing_id", Id), sa.column("user_id", Id),
                          sa.column("kind", sa.String), sa.column("sent_at", When))
hearings = sa.table("hearings", sa.column("id", Id), sa.column("title", sa.String), sa.column("starts_at", When))
changes = sa.table("hearing_commitment_changes", sa.column("id", Id), sa.column("commitment_id", Id),
                   sa.column("from_status", sa.String), sa.column("to_status", sa.String),
                   sa.column("notified_at", When))
commitments = sa.table("hearing_commitments", sa.column("id", Id), sa.column("hearing_id", Id),
                       sa.column("text", sa.Text))
registrations = sa.table("hearing_registrations", sa.column("hearing_id", Id), sa.column("user_id", Id))
users = sa.table("users", sa.column("id", Id), sa.column("deleted_at", When))


def _told(user_id: int, kind: str, key: str, params: dict[str, Any], at: Any) -> dict[str, Any]:
    return {"user_id": user_id, "kind": kind, "dedupe_key": key, "params": params, "in_app": True,
            "email_state": "sent", "created_at": at, "read_at": at}


def upgrade() -> None:
    conn = op.get_bind()
    have = {(uid, key) for uid, key in conn.execute(sa.select(notifications.c.user_id, notifications.c.dedupe_key)
                                                    .where(notifications.c.kind.in_(("hearing_reminder",
                                                                                     "hearing_commitment"))))}
    rows = []
    for hid, uid, kind, at, title, starts_at in conn.execute(
            sa.select(reminders_sent.c.hearing_id, reminders_sent.c.user_id, reminders_sent.c.kind,
                      reminders_sent.c.sent_at, hearings.c.title, hearings.c.starts_at)
            .join(hearings, hearings.c.id == reminders_sent.c.hearing_id)):
        key = f"hearing_reminder:{hid}:{kind}"
        if (uid, key) not in have:
            rows.append(_told(uid, "hearing_reminder", key, {"hearing_id": hid, "hearing": title, "when": kind,
                                                             "starts_at": starts_at.isoformat()}, at))
    told = conn.execute(
        sa.select(changes.c.id, changes.c.from_status, changes.c.to_status, changes.c.notified_at,
                  commitments.c.text, hearings.c.id, hearings.c.title, registrations.c.user_id)
        .join(commitments, commitments.c.id == changes.c.commitment_id)
        .join(hearings, hearings.c.id == commitments.c.hearing_id)
        .join(registrations, registrations.c.hearing_id == hearings.c.id)
        .join(users, users.c.id == registrations.c.user_id)
        .where(changes.c.notified_at.is_not(None), users.c.deleted_at.is_(None)))
    for change_id, from_status, to_status, at, text, hid, title, uid in told:
        key = f"hearing_commitment:{change_id}"
        if (uid, key) not in have:
            rows.append(_told(uid, "hearing_commitment", key, {
                "hearing_id": hid, "hearing": title, "commitment": text[:300], "from_status": from_status,
                "to_status": to_status}, at))
    if rows:
        op.bulk_insert(notifications, rows)
    op.drop_table("hearing_reminders_sent")
    with op.batch_alter_table("hearing_commitment_changes") as batch:
        batch.drop_column("notified_at")


def downgrade() -> None:
    with op.batch_alter_table("hearing_commitment_changes") as batch:
        batch.add_column(sa.Column("notified_at", When, nullable=True))
    op.create_table(
        "hearing_reminders_sent",
        sa.Column("hearing_id", Id, nullable=False),
        sa.Column("user_id", Id, nullable=False),
        sa.Column("kind", sa.String(length=4), nullable=False),
        sa.Column("sent_at", When, nullable=False),
        sa.Column("id", Id, nullable=False),
        sa.ForeignKeyConstraint(["hearing_id"], ["hearings.id"], name=op.f("fk_hearing_reminders_sent_hearing_id_hearings"),
                                ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name=op.f("fk_hearing_reminders_sent_user_id_users"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hearing_reminders_sent")),
        sa.UniqueConstraint("hearing_id", "user_id", "kind", name=op.f("uq_hearing_reminders_sent_hearing_id_user_id_kind")),
    )
