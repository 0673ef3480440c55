"""Tell people things (`notify`), and what a person does with what they were told: read it, mark
it read, choose how each kind reaches them. One unit of work per verb (asar.uow); `notify` joins
the unit of the verb that caused it, so the notification exists exactly when the change does."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import structlog
from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.db import upsert_insert, utcnow
from asar.errors import NotFound, invalid
from asar.i18n import gettext as _
from asar.i18n import use_language
from asar.notifications import kinds
from asar.notifications import live as bell
from asar.notifications.channels import Person, mailer, people_table
from asar.notifications.models import EMAIL_CHOICES, Notification, NotificationPreference
from asar.permissions import Actor, require_user
from asar.uow import atomic, unit_of_work

log = structlog.get_logger("asar.notifications")

MAX_ID = 2**63 - 1
PER_PAGE = 50


@dataclass(frozen=True)
class Address:
    """Someone without an account (an invitation to an address): told by mail only."""

    email: str
    language: str


Recipient = Person | Address
MailContext = Mapping[str, Any] | Callable[[Recipient], Mapping[str, Any]]


@dataclass(frozen=True)
class Preference:
    kind: kinds.Kind
    in_app: bool
    email: str  # immediately, daily or never

    @property
    def mails_at_once(self) -> bool:
        return self.kind.email_fixed or self.email == "immediately"


def _kind(name: str) -> kinds.Kind:
    kind = kinds.get(name)
    if kind is None:
        raise KeyError(f"unknown notification kind {name!r}")
    return kind


def preference(kind: kinds.Kind, row: NotificationPreference | None) -> Preference:
    """What applies to one person and kind: their choice, else the kind's defaults."""
    if row is None:
        return Preference(kind, kind.in_app_default, kind.email_default)
    return Preference(kind, row.in_app, "immediately" if kind.email_fixed else row.email)


async def _rows(db: AsyncSession, user_ids: Iterable[int], kind: str | None = None
                ) -> dict[tuple[int, str], NotificationPreference]:
    ids = list(user_ids)
    if not ids:
        return {}
    q = select(NotificationPreference).where(NotificationPreference.user_id.in_(ids))
    if kind is not None:
        q = q.where(NotificationPreference.kind == kind)
    return {(r.user_id, r.kind): r for r in (await db.execute(q)).scalars()}


def link_of(kind: kinds.Kind, params: Mapping[str, Any], base_url: str) -> str:
    """The notification's link as an absolute address, built by the router."""
    from asar.web.urls import absolute_url

    route, path_params = kind.link(params)
    return absolute_url(base_url, route, **path_params)


@atomic
async def notify(db: AsyncSession, kind_name: str, recipients: Iterable[Recipient], *, key: str,
                 params: Mapping[str, Any], base_url: str, mail: MailContext | None = None,
                 secrets: Mapping[str, str] | None = None) -> list[Notification]:
    """Tell each recipient one thing of this kind, once per (person, key), in the caller's unit of work.

    An account holder gets a row (shown in-app unless they turned the kind off there) and, as they
    chose, its mail at once (through the outbox), in the daily digest, or never. Someone without
    an account (`Address`) gets the mail only. `key` names the event (`hearing_reminder:42:1h`): a
    second call with the same key for the same person does nothing — the unique (user, key) row is
    inserted with ON CONFLICT DO NOTHING, so two runs at once cannot both mail. `mail` is the mail
    template's context (or a function of the recipient giving it), to which `link` is added: the
    kind's link for these params, built by the router; `secrets` are sealed in the outbox
    (asar.mail). Returns the rows inserted now."""
    queue_mail = mailer()
    kind = _kind(kind_name)
    people: dict[int, Person] = {}
    addresses: list[Address] = []
    for r in recipients:
        if isinstance(r, Address):
            addresses.append(r)
        elif r.deleted_at is None and r.id not in people:
            people[r.id] = r
    plain = dict(params)
    link = link_of(kind, plain, base_url)

    def context(recipient: Recipient) -> dict[str, Any]:
        extra = mail(recipient) if callable(mail) else (mail or {})
        return {"link": link, **extra}

    created: list[Notification] = []
    if people:
        choices = await _rows(db, people, kind.name)
        prefs = {uid: preference(kind, choices.get((uid, kind.name))) for uid in people}
        now = utcnow()
        values = [{"user_id": uid, "kind": kind.name, "dedupe_key": key, "params": plain,
                   "in_app": prefs[uid].in_app, "created_at": now,
                   "email_state": "sent" if prefs[uid].mails_at_once else
                   "digest" if prefs[uid].email == "daily" else "none"}
                  for uid in sorted(people)]
        insert = upsert_insert(db)
        stmt = (insert(Notification).values(values)
                .on_conflict_do_nothing(index_elements=["user_id", "dedupe_key"])
                .returning(Notification.id))
        ids = [row[0] for row in (await db.execute(stmt)).all()]
        if ids:
            created = list((await db.execute(select(Notification).where(Notification.id.in_(ids))
                                             .order_by(Notification.user_id))).scalars())
        for n in created:
            person = people[n.user_id]
            if n.email_state == "sent":
                await queue_mail(db, to=person.email, template=kind.name, lang=person.language or "kk",
                                 secrets=secrets, **context(person))
        await bell.created(db, created)
    for address in addresses:
        await queue_mail(db, to=address.email, template=kind.name, lang=address.language, secrets=secrets,
                         **context(address))
    return created


# ---------------------------------------------------------------- a person's own notifications
def text_of(n: Notification) -> str:
    """The notification's sentence in the current language."""
    kind = kinds.get(n.kind)
    if kind is None:
        return _("A notification of a kind this version no longer knows.")
    return kind.text(n.params)


def path_of(n: Notification) -> str | None:
    """Where the notification leads (a path on this site), or None for an unknown kind."""
    from asar.web.urls import path_for

    kind = kinds.get(n.kind)
    if kind is None:
        return None
    route, params = kind.link(n.params)
    return path_for(route, **params)


async def count_unread(db: AsyncSession, user_id: int) -> int:
    """The bell's number: unread notifications shown in-app."""
    q = select(func.count(Notification.id)).where(Notification.user_id == user_id,
                                                  Notification.in_app.is_(True), Notification.read_at.is_(None))
    return int((await db.execute(q)).scalar_one())


async def count_unread_of(db: AsyncSession, user_ids: Iterable[int]) -> dict[int, int]:
    """The bell's number of many people, in one statement (people with none are left out)."""
    ids = sorted(set(user_ids))
    if not ids:
        return {}
    q = (select(Notification.user_id, func.count(Notification.id))
         .where(Notification.user_id.in_(ids), Notification.in_app.is_(True), Notification.read_at.is_(None))
         .group_by(Notification.user_id))
    return {uid: int(n) for uid, n in (await db.execute(q)).all()}


async def list_notifications(db: AsyncSession, actor: Actor, *, unread_only: bool = False,
                             limit: int = PER_PAGE, offset: int = 0) -> tuple[list[Notification], int]:
    """The person's in-app notifications, newest first, and how many there are."""
    user = require_user(actor)
    where = [Notification.user_id == user.id, Notification.in_app.is_(True)]
    if unread_only:
        where.append(Notification.read_at.is_(None))
    total = (await db.execute(select(func.count(Notification.id)).where(*where))).scalar_one()
    rows = (await db.execute(select(Notification).where(*where).order_by(Notification.id.desc())
                             .limit(limit).offset(offset))).scalars().all()
    return list(rows), int(total)


async def get_own(db: AsyncSession, actor: Actor, notification_id: int) -> Notification:
    """One of the person's own notifications; anyone else's is not found (its existence is not told)."""
    user = require_user(actor)
    n = await db.get(Notification, notification_id) if 0 < notification_id <= MAX_ID else None
    if n is None or n.user_id != user.id or not n.in_app:
        raise NotFound(_("There is no such notification."))
    return n


@atomic
async def mark_read(db: AsyncSession, actor: Actor, notification_id: int) -> Notification:
    """Mark one of your notifications read (marking it again changes nothing)."""
    n = await get_own(db, actor, notification_id)
    if n.read_at is None:
        n.read_at = utcnow()
        await bell.read(db, n.user_id, [n.id])
    return n


@atomic
async def mark_all_read(db: AsyncSession, actor: Actor) -> int:
    """Mark every unread notification of yours read; how many were."""
    user = require_user(actor)
    where = (Notification.user_id == user.id, Notification.in_app.is_(True), Notification.read_at.is_(None))
    ids = list((await db.execute(select(Notification.id).where(*where))).scalars())
    if ids:
        await db.execute(update(Notification).where(Notification.id.in_(ids)).values(read_at=utcnow())
                         .execution_options(synchronize_session=False))
        await bell.read(db, user.id, ids)
    return len(ids)


# ---------------------------------------------------------------- preferences
async def preferences(db: AsyncSession, actor: Actor) -> list[Preference]:
    """The person's choice for every kind (defaults where they made none)."""
    user = require_user(actor)
    rows = await _rows(db, [user.id])
    return [preference(k, rows.get((user.id, k.name))) for k in kinds.all_kinds()]


@atomic
async def set_preference(db: AsyncSession, actor: Actor, kind_name: str, *, in_app: bool | None = None,
                         email: str | None = None) -> Preference:
    """Choose how one kind reaches you: in-app on or off; mail immediately, in a daily digest or never."""
    user = require_user(actor)
    kind = kinds.get(kind_name)
    if kind is None:
        raise NotFound(_("There is no such kind of notification."))
    if email is not None and email not in EMAIL_CHOICES:
        raise invalid({"email": _("Choose immediately, daily digest or never.")})
    row = (await _rows(db, [user.id], kind.name)).get((user.id, kind.name))
    if row is None:
        row = NotificationPreference(user_id=user.id, kind=kind.name, in_app=kind.in_app_default,
                                     email=kind.email_default)
        db.add(row)
    if in_app is not None:
        row.in_app = in_app
    if email is not None and not kind.email_fixed:
        row.email = email
    await db.flush()
    return preference(kind, row)


@atomic
async def set_preferences(db: AsyncSession, actor: Actor, data: Mapping[str, Any]) -> list[Preference]:
    """The preferences form: for each kind `in_app:<kind>` (a checkbox) and `email:<kind>`."""
    user = require_user(actor)
    rows = await _rows(db, [user.id])
    errors: dict[str, str] = {}
    for kind in kinds.all_kinds():
        email = data.get(f"email:{kind.name}")
        if email is not None and email not in EMAIL_CHOICES:
            errors[f"email:{kind.name}"] = _("Choose immediately, daily digest or never.")
    if errors:
        raise invalid(errors)
    for kind in kinds.all_kinds():
        row = rows.get((user.id, kind.name))
        if row is None:
            row = NotificationPreference(user_id=user.id, kind=kind.name)
            db.add(row)
        row.in_app = data.get(f"in_app:{kind.name}") in ("on", "1", "true", True)
        email = data.get(f"email:{kind.name}")
        row.email = email if email in EMAIL_CHOICES and not kind.email_fixed else kind.email_default
    await db.flush()
    return await preferences(db, actor)


async def forget_person(db: AsyncSession, *, user_id: int, **_: Any) -> None:
    """A deleted account's notifications and choices go (its answer to account.deleted, connected by
    asar.domains): nobody can read them any more, and no digest is mailed to the address."""
    from sqlalchemy import delete

    await db.execute(delete(Notification).where(Notification.user_id == user_id))
    await db.execute(delete(NotificationPreference).where(NotificationPreference.user_id == user_id))


# ---------------------------------------------------------------- the daily digest
@dataclass(frozen=True)
class DigestLine:
    text: str
    link: str
    at: datetime


@atomic
async def send_digest_to(db: AsyncSession, user_id: int, base_url: str) -> int:
    """One mail with every notification of the person still waiting for the digest; each goes in
    one digest only (the rows are locked and marked in the mail's transaction). How many it held."""
    queue_mail = mailer()
    q = (select(Notification).where(Notification.user_id == user_id, Notification.email_state == "digest")
         .order_by(Notification.id).with_for_update())
    waiting = list((await db.execute(q.execution_options(populate_existing=True))).scalars())
    users = people_table()
    person = (await db.execute(select(users.c.email, users.c.name, users.c.language, users.c.deleted_at)
                               .where(users.c.id == user_id))).one_or_none()
    if not waiting or person is None or person.deleted_at is not None:
        for n in waiting:
            n.email_state = "none"
        return 0
    lang = person.language or "kk"
    lines = []
    with use_language(lang):
        for n in waiting:
            kind = kinds.get(n.kind)
            if kind is not None:
                lines.append(DigestLine(kind.text(n.params), link_of(kind, n.params, base_url), n.created_at))
            n.email_state = "digested"
    if lines:
        await queue_mail(db, to=person.email, template="notification_digest", lang=lang, person=person.name,
                         lines=lines, preferences=_absolute(base_url, "notifications:preferences"))
    return len(lines)


def _absolute(base_url: str, route: str) -> str:
    from asar.web.urls import absolute_url

    return absolute_url(base_url, route)


async def send_digests(db: AsyncSession, base_url: str) -> int:
    """Every person's digest (one transaction each); how many mails went to the outbox."""
    async with unit_of_work(db):  # only reads: ends the transaction before each person's digest
        users = list((await db.execute(select(Notification.user_id).where(Notification.email_state == "digest")
                                       .distinct().order_by(Notification.user_id))).scalars())
    sent = 0
    for uid in users:
        if await send_digest_to(db, uid, base_url):
            sent += 1
    return sent


async def send_notification_digests(ctx: dict[str, Any]) -> int:
    """The daily job (arq cron in the worker)."""
    async with ctx["db"].sessionmaker() as db:
        return await send_digests(db, ctx["settings"].base_url)
