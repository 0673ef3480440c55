"""Interest threads: a sponsor tells a project's organization it is interested, with a message; the
two organizations talk in one thread per (project, sponsor organization). Each message tells the
other side's people (asar.notifications: bell, and mail as each chose) and reaches the thread's open
pages live on its stream `thread:<id>` (asar.pledges.thread_live, which says why that stream)."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live
from asar.db import utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.i18n import gettext as _
from asar.inputs import visible
from asar.live.log import next_seq
from asar.notifications import kinds
from asar.notifications.service import notify
from asar.organizations.models import Organization
from asar.permissions import Actor, require_user
from asar.pledges import guards, notices, thread_events
from asar.pledges.models import InterestMessage, InterestThread
from asar.pledges.service import _members, _names, _titles, get_project
from asar.projects.models import Project
from asar.uow import atomic

MAX_MESSAGE = 4000


async def count_messages(db: AsyncSession, thread_id: int) -> int:
    return int((await db.execute(select(func.count()).select_from(InterestMessage)
                                 .where(InterestMessage.thread_id == thread_id))).scalar_one())


def _body(text: str) -> str:
    body = visible((text or "").strip())
    if not body:
        raise invalid({"body": _("Write a message.")})
    if len(body) > MAX_MESSAGE:
        raise invalid({"body": _("At most %(n)s characters.", n=MAX_MESSAGE)})
    return body


async def _tell_other_side(db: AsyncSession, thread: InterestThread, project: Project, message: InterestMessage,
                           side: str, base_url: str) -> None:
    sponsor = await db.get(Organization, thread.organization_id)
    owner = await db.get(Organization, project.organization_id)
    assert sponsor is not None and owner is not None
    sender, recipients = (sponsor, owner) if side == "sponsor" else (owner, sponsor)
    params = {"thread_id": thread.id, "project_id": project.id, "project": _titles(project),
              "sender": _names(sender)}
    sentence = kinds.get(notices.INTEREST_MESSAGE.name).text  # type: ignore[union-attr]
    await notify(db, notices.INTEREST_MESSAGE.name, await _members(db, recipients.id),
                 key=f"interest_message:{message.id}", base_url=base_url, params=params,
                 mail=lambda person: {"person": person.name, "sentence": lambda: sentence(params)})


@atomic
async def express_interest(db: AsyncSession, actor: Actor, project_id: int, text: str, *,
                           base_url: str = "") -> tuple[InterestThread, InterestMessage]:
    """A sponsor writes to the project's organization: the pair's thread (made at the first message)."""
    require_user(actor)
    project = await get_project(db, project_id)
    org = guards.require_sponsor(actor, project)
    if project.status not in guards.OPEN_FOR_PLEDGES:
        raise Conflict(_("This project takes no pledges now."))
    body = _body(text)
    q = select(InterestThread).where(InterestThread.project_id == project.id, InterestThread.organization_id == org.id)
    thread = (await db.execute(q)).scalar_one_or_none()
    if thread is None:
        thread = InterestThread(project_id=project.id, organization_id=org.id)
        db.add(thread)
        try:
            await db.flush()
        except IntegrityError:  # a colleague opened it at the same moment
            raise Conflict(_("Your organization has just started this conversation: reload the page.")) from None
    return thread, await _write(db, actor, thread, project, "sponsor", body, base_url)


async def _write(db: AsyncSession, actor: Actor, thread: InterestThread, project: Project, side: str, body: str,
                 base_url: str) -> InterestMessage:
    now = utcnow()
    message = InterestMessage(thread_id=thread.id, author_id=actor.user.id, side=side, body=body,  # type: ignore[union-attr]
                              created_at=now)
    db.add(message)
    thread.last_message_at = now
    await db.flush()
    await _tell_other_side(db, thread, project, message, side, base_url)
    # live on the thread's stream (asar.pledges.thread_live): the count taken after the seq, under its lock
    key = live.stream_key(thread_events.ThreadEvent.prefix, thread.id)
    seq = await next_seq(db, key)
    await live.append_event(db, key, thread_events.MessagePosted(
        id=message.id, side=side, body=body, posted_at=now.isoformat(),  # type: ignore[arg-type]
        messages=await count_messages(db, thread.id)), seq=seq)
    return message


async def get_thread(db: AsyncSession, actor: Actor, thread_id: int) -> tuple[InterestThread, Project, Organization]:
    """A thread with its project and sponsor, for the two organizations only (404 for anyone else)."""
    require_user(actor)
    thread = await db.get(InterestThread, thread_id, populate_existing=True)
    project = await db.get(Project, thread.project_id) if thread else None
    if thread is None or project is None or not guards.may_see_thread(actor, project, thread):
        raise NotFound(_("This conversation does not exist."))
    sponsor = await db.get(Organization, thread.organization_id)
    assert sponsor is not None
    return thread, project, sponsor


@atomic
async def reply(db: AsyncSession, actor: Actor, thread_id: int, text: str, *, base_url: str = "") -> InterestMessage:
    """Either organization writes in its thread; the other side is told."""
    thread, project, _sponsor = await get_thread(db, actor, thread_id)
    side = guards.require_write_thread(actor, project, thread)
    return await _write(db, actor, thread, project, side, _body(text), base_url)


async def threads_of_project(db: AsyncSession, actor: Actor, project: Project) -> list[tuple[InterestThread, Organization]]:
    """The project's threads the actor may see: all for its organization, the sponsor's own otherwise."""
    q = (select(InterestThread, Organization).join(Organization, Organization.id == InterestThread.organization_id)
         .where(InterestThread.project_id == project.id))
    if not guards.is_project_side(actor, project):
        own = [m.organization_id for m in actor.memberships]
        if not own:
            return []
        q = q.where(InterestThread.organization_id.in_(own))
    return [(t, o) for t, o in (await db.execute(q.order_by(InterestThread.last_message_at.desc()))).all()]
