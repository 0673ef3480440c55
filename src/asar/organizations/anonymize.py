"""A deleted account's name leaves what the organizations domain told others: its `account.deleted`
receiver (connected by asar.domains).

An invitation names its inviter (their name, or their address when they gave no name) in the
invitee's notification (params `inviter`) and in the invitation mail's body in the outbox. As for
hearings (asar/hearings/anonymize.py), the copies are rewritten in the deleting transaction rather
than resolved when read: a notification's params are what its text is made from, in the reader's
language, and the mail's body is the outbox's record of what was sent. The notification then says
"You are invited to join ..." (notices._invitation_text); the mail's body shows "—" instead.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.mail.models import OutboxMail
from asar.notifications.models import Notification
from asar.organizations.models import Invitation

INVITATION_KIND = "invitation"  # notices.INVITATION.name and the invitation mail's template
DELETED = "—"


async def forget_inviter(db: AsyncSession, *, user_id: int, name: str, email: str, **_: Any) -> None:
    """The person's name and address out of the invitations they sent: notifications and mails."""
    sent = (await db.execute(select(Invitation.id, Invitation.email).where(Invitation.invited_by_id == user_id))).all()
    if not sent:
        return
    keys = [f"{INVITATION_KIND}:{row.id}" for row in sent]
    told = (await db.execute(select(Notification).where(Notification.kind == INVITATION_KIND,
                                                        Notification.dedupe_key.in_(keys)))).scalars()
    for notification in told:
        if notification.params.get("inviter"):
            notification.params = {**notification.params, "inviter": ""}
    mailed = (await db.execute(select(OutboxMail).where(
        OutboxMail.kind == INVITATION_KIND, OutboxMail.to_email.in_({row.email for row in sent})))).scalars()
    for mail in mailed:
        body = mail.body_text
        for copy in (name, email):
            if copy:
                body = body.replace(copy, DELETED)
        if body != mail.body_text:
            mail.body_text = body
