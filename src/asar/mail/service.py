"""Queue mail into the outbox; a job delivers it after the transaction commits."""

from __future__ import annotations

from collections.abc import Mapping

import structlog
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.i18n import use_language
from asar.jobs import enqueue_after_commit, job_settings
from asar.mail import sealing
from asar.mail.models import OutboxMail
from asar.permissions import Actor, require_admin


def render_mail(template: str, lang: str, **context: object) -> tuple[str, str]:
    """(subject, body) of templates/mail/<template>.txt in lang; the first line is the subject."""
    from asar.web.templating import make_environment

    env = _env_cache.get("env")
    if env is None:
        env = _env_cache["env"] = make_environment()
        env.autoescape = False
    with use_language(lang):
        text = env.get_template(f"mail/{template}.txt").render(**context)
    subject, _, body = text.strip().partition("\n")
    return subject.strip(), body.strip() + "\n"


_env_cache: dict[str, object] = {}


log = structlog.get_logger("asar.mail")


async def queue_mail(db: AsyncSession, *, to: str, template: str, lang: str,
                     secrets: Mapping[str, str] | None = None, **context: object) -> OutboxMail:
    """Add a mail to the outbox (in the caller's unit of work); its delivery is queued after commit.

    secrets are template values that open something (single-use links): the outbox keeps them
    sealed until delivery and never after (asar.mail)."""
    hidden: dict[str, str] = {}
    for name, value in (secrets or {}).items():
        context[name], hidden[name] = sealing.hide(name, value)
    subject, body = render_mail(template, lang, **context)
    sealed = None
    if hidden:
        settings = job_settings(db)
        if settings is None or not settings.secret_key:
            log.warning("no job queue on this session: the mail's link is dropped", template=template)
        else:
            sealed = sealing.seal(settings.secret_key, hidden)
    mail = OutboxMail(to_email=to, subject=subject, body_text=body, kind=template, secrets_sealed=sealed)
    db.add(mail)
    await db.flush()
    enqueue_after_commit(db, "deliver_mail", mail_id=mail.id)
    return mail


async def list_outbox(db: AsyncSession, actor: Actor, *, limit: int = 100, offset: int = 0) -> tuple[list[OutboxMail], int]:
    require_admin(actor)
    total = (await db.execute(select(func.count(OutboxMail.id)))).scalar_one()
    rows = (
        await db.execute(select(OutboxMail).order_by(OutboxMail.id.desc()).limit(limit).offset(offset))
    ).scalars().all()
    return list(rows), total


async def forget_recipient(db: AsyncSession, *, email: str, **_: object) -> None:
    """A deleted account's mail leaves the outbox (its answer to account.deleted, connected by asar.domains): what was not sent yet is not sent, and what was
    sent no longer shows the person's address and name (greetings) in the outbox."""
    await db.execute(delete(OutboxMail).where(func.lower(OutboxMail.to_email) == email.lower())
                     .execution_options(synchronize_session=False))
