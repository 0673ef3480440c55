"""Deliver one outbox mail: SMTP when configured, else the console log (embedded default)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import structlog

from asar.db import utcnow
from asar.jobs import JobRegistry
from asar.mail import sealing
from asar.mail.models import OutboxMail
from asar.uow import keep_changes, unit_of_work

log = structlog.get_logger("asar.mail")


async def transmit(settings: Any, mail: OutboxMail, body: str) -> None:
    """Hand one message to the SMTP server, or to the console log when none is configured."""
    if not settings.smtp_host:
        log.info("mail (no SMTP configured: logged only)", to=mail.to_email, subject=mail.subject, body=body)
        return
    import aiosmtplib

    msg = EmailMessage()
    msg["From"] = settings.mail_from
    msg["To"] = mail.to_email
    msg["Subject"] = mail.subject
    msg.set_content(body)
    await aiosmtplib.send(
        msg, hostname=settings.smtp_host, port=settings.smtp_port,
        username=settings.smtp_user, password=settings.smtp_password,
        start_tls=settings.smtp_tls, timeout=30,
    )


async def deliver_mail(ctx: dict[str, Any], mail_id: int) -> str:
    """Send the mail once, with its single-use links unsealed; then forget them (asar.mail)."""
    settings = ctx["settings"]
    async with ctx["db"].sessionmaker() as db, unit_of_work(db):
        mail = await db.get(OutboxMail, mail_id, with_for_update=not settings.is_sqlite)
        if mail is None:
            return "missing"
        if mail.sent_at is not None:
            return "already sent"
        mail.attempts += 1
        try:
            hidden = sealing.unseal(settings.secret_key, mail.secrets_sealed) if mail.secrets_sealed else {}
            await transmit(settings, mail, sealing.reveal(mail.body_text, hidden))
            mail.sent_at = utcnow()
            mail.last_error = None
            mail.secrets_sealed = None
        except sealing.InvalidToken:
            mail.last_error = "the link could not be unsealed: ASAR_SECRET_KEY changed since it was queued"
            mail.secrets_sealed = None  # it never will be: ask for a new link
            return "unreadable"
        except Exception as exc:
            mail.last_error = str(exc)[:2000]
            keep_changes(db, exc)  # the attempt is stored; arq tries again
            raise
        return "sent"


def register(registry: JobRegistry) -> None:
    registry.job(deliver_mail)
