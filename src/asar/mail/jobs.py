"""Deliver one outbox mail: SMTP when configured, else the console log (embedded default)."""

from __future__ import annotations

from email.message import EmailMessage
from typing import Any

import structlog

from asar.db import utcnow
from asar.mail.models import OutboxMail

log = structlog.get_logger("asar.mail")


async def deliver_mail(ctx: dict[str, Any], mail_id: int) -> str:
    settings = ctx["settings"]
    async with ctx["db"].sessionmaker() as db:
        mail = await db.get(OutboxMail, mail_id, with_for_update=not settings.is_sqlite)
        if mail is None:
            return "missing"
        if mail.sent_at is not None:
            return "already sent"
        mail.attempts += 1
        try:
            if settings.smtp_host:
                import aiosmtplib

                msg = EmailMessage()
                msg["From"] = settings.mail_from
                msg["To"] = mail.to_email
                msg["Subject"] = mail.subject
                msg.set_content(mail.body_text)
                await aiosmtplib.send(
                    msg, hostname=settings.smtp_host, port=settings.smtp_port,
                    username=settings.smtp_user, password=settings.smtp_password,
                    start_tls=settings.smtp_tls, timeout=30,
                )
            else:
                log.info("mail (no SMTP configured: logged only)", to=mail.to_email,
                         subject=mail.subject, body=mail.body_text)
            mail.sent_at = utcnow()
            mail.last_error = None
        except Exception as exc:
            mail.last_error = str(exc)[:2000]
            await db.commit()
            raise
        await db.commit()
        return "sent"
