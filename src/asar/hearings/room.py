"""The live room's verbs: discussion, questions and upvotes, answers, moderation and sanctions.

Posts and questions carry a client-chosen id: sending the same id again returns what was stored
(`duplicate=True`) instead of storing it twice. Each verb locks the hearing's row first, so the
writers of one hearing are serialized and their events numbered in commit order.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.db import utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.hearings import event_types as et
from asar.hearings import events, floor
from asar.hearings.forms import parse_body, parse_clause, parse_client_id, parse_reason, positive_int, text
from asar.hearings.guards import (
    may_chair_hearing,
    may_moderate_hearing,
    require_chair_hearing,
    require_moderate_hearing,
)
from asar.hearings.models import (
    SANCTION_KINDS,
    Hearing,
    ModerationAction,
    Post,
    Question,
    QuestionUpvote,
    Sanction,
)
from asar.hearings.service import (
    active_sanctions,
    get_hearing,
    registration_for,
    require_live,
    require_participant,
)
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.organizations.models import Organization
from asar.permissions import Actor
from asar.uow import atomic

audit_actions.declare({
    "hearing.approve": N_("Message approved by a moderator"),
    "hearing.reject": N_("Message rejected by a moderator"),
    "hearing.hide": N_("Message hidden by a moderator"),
    "hearing.mute": N_("Participant muted"),
    "hearing.ban": N_("Participant banned from the hearing"),
    "hearing.unmute": N_("Mute lifted"),
    "hearing.unban": N_("Ban lifted"),
}, objects={"post": N_("Comment"), "question": N_("Question"), "person": N_("Person")})


def _author_name(actor: Actor) -> str:
    return (actor.user.name or "").strip()[:200] if actor.user else ""


async def _existing(db: AsyncSession, model: type[Post | Question], hearing_id: int, user_id: int,
                    client_id: str) -> Any:
    return (await db.execute(select(model).where(
        model.hearing_id == hearing_id, model.user_id == user_id, model.client_id == client_id))
    ).scalar_one_or_none()


@atomic
async def _write(db: AsyncSession, model: type[Post | Question], actor: Actor, hearing_id: int,
                 client_id: Any, body: Any, clause: Any = None) -> tuple[Any, bool]:
    """Store a post or a question once per client id; (the stored row, whether it was a retry).
    clause: the number of the document's clause it cites, or None."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    registration = await require_participant(db, actor, hearing, speaking=True)
    cid = parse_client_id(client_id)
    assert actor.user is not None
    user_id = actor.user.id
    found = await _existing(db, model, hearing.id, user_id, cid)
    if found is not None:
        return found, True
    require_live(hearing)
    content = parse_body(body)
    cited = parse_clause(clause, hearing.document_text)
    pre = hearing.moderation_mode == "pre" and not may_moderate_hearing(actor, hearing)
    if model is Post:
        status = "pending" if pre else "visible"
    else:
        status = "pending" if pre else "open"
    row = model(hearing_id=hearing.id, user_id=user_id, client_id=cid, sector=registration.sector,
                organization_id=registration.organization_id, author_name=_author_name(actor), body=content,
                clause=cited, status=status, created_at=utcnow())
    db.add(row)
    try:
        await db.flush()
    except IntegrityError:  # the same id sent twice at the same moment: the other one won
        await db.rollback()
        found = await _existing(db, model, hearing_id, user_id, cid)
        if found is None:
            raise
        return found, True
    if model is Post:
        await events.append_event(db, hearing, et.PostCreated(
            post=events.public_post_shape(row),
            private=et.PostPrivate(post=events.post_shape(row)) if status != "visible" else None))
    else:
        await events.append_event(db, hearing, et.QuestionAsked(
            question=events.public_question_shape(row),
            private=et.QuestionPrivate(question=events.question_shape(row)) if status == "pending" else None))
    return row, False


async def post_comment(db: AsyncSession, actor: Actor, hearing_id: int, client_id: Any, body: Any,
                       clause: Any = None) -> tuple[Post, bool]:
    """A discussion post: visible at once, or pending until approved under pre-moderation.
    It may cite a clause of the hearing's document (its number)."""
    return await _write(db, Post, actor, hearing_id, client_id, body, clause)


async def ask_question(db: AsyncSession, actor: Actor, hearing_id: int, client_id: Any,
                       body: Any, clause: Any = None) -> tuple[Question, bool]:
    """A question for the panel; others upvote it; under pre-moderation it waits for approval.
    It may cite a clause of the hearing's document (its number)."""
    return await _write(db, Question, actor, hearing_id, client_id, body, clause)


async def _question(db: AsyncSession, hearing_id: int, question_id: Any) -> Question:
    qid = positive_int(question_id)
    question = await db.get(Question, qid, populate_existing=True) if qid else None
    if question is None or question.hearing_id != hearing_id:
        raise NotFound(_("There is no such question in this hearing."))
    return question


@atomic
async def upvote_question(db: AsyncSession, actor: Actor, hearing_id: int, question_id: Any) -> tuple[Question, bool]:
    """One upvote per person per question; upvoting again changes nothing (duplicate=True)."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    registration = await require_participant(db, actor, hearing, speaking=False)
    question = await _question(db, hearing.id, question_id)
    assert actor.user is not None
    already = (await db.execute(select(QuestionUpvote.id).where(
        QuestionUpvote.question_id == question.id, QuestionUpvote.user_id == actor.user.id))).scalar_one_or_none()
    if already is not None:
        return question, True
    require_live(hearing)
    if question.status not in ("open", "answering"):
        raise Conflict(_("This question can no longer be upvoted."))
    if question.user_id == actor.user.id:
        raise Conflict(_("You cannot upvote your own question."))
    db.add(QuestionUpvote(question_id=question.id, user_id=actor.user.id, sector=registration.sector))
    upvotes = (await db.execute(
        update(Question).where(Question.id == question.id).values(upvotes=Question.upvotes + 1)
        .returning(Question.upvotes).execution_options(synchronize_session=False)
    )).scalar_one()
    question.upvotes = upvotes
    await events.append_event(db, hearing, et.QuestionUpvoted(question_id=question.id, upvotes=upvotes))
    return question, False


@atomic
async def mark_answering(db: AsyncSession, actor: Actor, hearing_id: int, question_id: Any) -> Question:
    """The chair takes a question: it is "answering now" (any other one goes back to open)."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    require_live(hearing)
    question = await _question(db, hearing.id, question_id)
    if question.status not in ("open", "answering"):
        raise Conflict(_("Only an open question can be taken."))
    previous = list((await db.execute(select(Question).where(
        Question.hearing_id == hearing.id, Question.status == "answering", Question.id != question.id))).scalars())
    for other in previous:
        other.status = "open"
    question.status = "answering"
    await events.append_event(db, hearing, et.QuestionAnswering(question_id=question.id,
                                                                returned_to_open=[q.id for q in previous]))
    return question


@atomic
async def answer_question(db: AsyncSession, actor: Actor, hearing_id: int, question_id: Any, answer: Any) -> Question:
    """The chair records the answer; the question is answered."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_chair_hearing(actor, hearing)
    require_live(hearing)
    question = await _question(db, hearing.id, question_id)
    content = parse_body(answer, "answer")
    if question.status not in ("open", "answering", "answered"):
        raise Conflict(_("Only an open question can be answered."))
    question.status = "answered"
    question.answer = content
    question.answered_at = utcnow()
    await events.append_event(db, hearing, et.QuestionAnswered(question=events.question_shape(question)))
    return question


# ---------------------------------------------------------------- moderation
MODERATION = {
    # (target, action): (statuses it applies to, resulting status, reason required)
    ("post", "approve"): (("pending",), "visible", False),
    ("post", "reject"): (("pending",), "rejected", True),
    ("post", "hide"): (("visible",), "hidden", True),
    ("question", "approve"): (("pending",), "open", False),
    ("question", "reject"): (("pending",), "rejected", True),
    ("question", "hide"): (("open", "answering", "answered"), "hidden", True),
}


async def _moderator_sector(db: AsyncSession, actor: Actor, hearing: Hearing) -> str:
    """The sector a moderator acts in: a co-moderator's is that of the organization their role row
    names; the chair's (and anybody else's) is the one they act in (Actor.verified_sector: government)."""
    co = None
    if not may_chair_hearing(actor, hearing):
        co = next((c for c in hearing.co_moderators if actor.user and c.user_id == actor.user.id), None)
    org = await db.get(Organization, co.organization_id) if co else None
    return org.sector if org else actor.verified_sector


async def _log(db: AsyncSession, actor: Actor, hearing: Hearing, action: str, target_type: str, target_id: int,
               reason: str) -> ModerationAction:
    assert actor.user is not None
    sector = await _moderator_sector(db, actor, hearing)
    entry = ModerationAction(hearing_id=hearing.id, actor_id=actor.user.id, actor_sector=sector, action=action,
                             target_type=target_type, target_id=target_id, reason=reason, at=utcnow())
    db.add(entry)
    audit.record(db, actor, f"hearing.{action}", target_type, target_id, hearing_id=hearing.id, reason=reason)
    return entry


@atomic
async def moderate(db: AsyncSession, actor: Actor, hearing_id: int, target_type: Any, target_id: Any,
                   action: Any, reason: Any = "") -> Post | Question:
    """Approve or reject (pre-moderation) or hide a post or a question; the reason goes to the public log."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_moderate_hearing(actor, hearing)
    key = (text(target_type), text(action))
    if key not in MODERATION:
        raise invalid({"action": _("Choose approve, reject or hide for a post or a question.")})
    if hearing.status not in ("live", "closed"):
        raise Conflict(_("The hearing has not started yet."))
    statuses, result, needs_reason = MODERATION[key]
    why = parse_reason(reason, required=needs_reason)
    model = Post if key[0] == "post" else Question
    tid = positive_int(target_id)
    target = await db.get(model, tid, populate_existing=True) if tid else None
    if target is None or target.hearing_id != hearing.id:
        raise NotFound(_("There is no such post or question in this hearing."))
    if target.status not in statuses:
        raise Conflict(_("This was already moderated."))
    target.status = result
    target.reason = why
    target.moderated_at = utcnow()
    entry = await _log(db, actor, hearing, key[1], key[0], target.id, why)
    await db.flush()
    verb, moderation = key[1], events.moderation_shape(entry)
    event: et.Event
    if isinstance(target, Post):
        event = et.PostModerated(post=events.public_post_shape(target), action=verb, moderation=moderation,
                                 private=et.PostPrivate(post=events.post_shape(target)))
    else:
        event = et.QuestionModerated(question=events.public_question_shape(target), action=verb,
                                     moderation=moderation,
                                     private=et.QuestionPrivate(question=events.question_shape(target)))
    await events.append_event(db, hearing, event)
    return target


async def _sanction_input(db: AsyncSession, actor: Actor, hearing_id: int, user_id: Any, kind: Any, reason: Any,
                          *, required: bool) -> tuple[Hearing, str, str, int | None]:
    """The locked hearing (the actor must moderate it), the kind, the reason and the person's id."""
    hearing = await get_hearing(db, hearing_id, lock=True)
    require_moderate_hearing(actor, hearing)
    kind = text(kind)
    if kind not in SANCTION_KINDS:
        raise invalid({"kind": _("Choose mute or ban.")})
    return hearing, kind, parse_reason(reason, required=required), positive_int(user_id)


@atomic
async def sanction(db: AsyncSession, actor: Actor, hearing_id: int, user_id: Any, kind: Any, reason: Any) -> Sanction:
    """Mute (may not write) or ban (may not take part) a person in this hearing, with a public reason."""
    hearing, kind, why, uid = await _sanction_input(db, actor, hearing_id, user_id, kind, reason, required=True)
    person = await db.get(User, uid) if uid else None
    registration = await registration_for(db, hearing.id, uid) if uid else None
    if person is None or registration is None:
        raise NotFound(_("This person is not registered for the hearing."))
    if person.id in hearing.co_moderator_user_ids or (actor.user and person.id == actor.user.id):
        raise Conflict(_("A moderator cannot be muted or banned."))
    if kind in await active_sanctions(db, hearing.id, person.id):
        raise Conflict(_("This person is already under this sanction."))
    assert actor.user is not None
    row = Sanction(hearing_id=hearing.id, user_id=person.id, kind=kind, reason=why, created_by_id=actor.user.id)
    db.add(row)
    entry = await _log(db, actor, hearing, kind, "person", person.id, why)
    await db.flush()
    await events.append_event(db, hearing, et.ParticipantSanctioned(
        kind=kind, reason=why, sector=registration.sector, moderation=events.moderation_shape(entry),
        private=et.PersonPrivate(user_id=person.id, name=person.name)))
    await floor.end_floor(db, actor, hearing.id, user_id=person.id)  # a muted or banned person does not keep the floor
    return row


LIFTED = {"mute": "unmute", "ban": "unban"}


@atomic
async def lift_sanction(db: AsyncSession, actor: Actor, hearing_id: int, user_id: Any, kind: Any,
                        reason: Any = "") -> Sanction:
    """Lift a mute or a ban (a moderator changed their mind, or it was a mistake); logged publicly."""
    hearing, kind, why, uid = await _sanction_input(db, actor, hearing_id, user_id, kind, reason, required=False)
    row = (await db.execute(select(Sanction).where(
        Sanction.hearing_id == hearing.id, Sanction.user_id == uid, Sanction.kind == kind,
        Sanction.lifted_at.is_(None)).with_for_update())).scalar_one_or_none() if uid else None
    if row is None:
        raise NotFound(_("This person is not under this sanction."))
    row.lifted_at = utcnow()
    person = await db.get(User, row.user_id)
    registration = await registration_for(db, hearing.id, row.user_id)
    entry = await _log(db, actor, hearing, LIFTED[kind], "person", row.user_id, why)
    await db.flush()
    await events.append_event(db, hearing, et.ParticipantSanctionLifted(
        kind=kind, reason=why, sector=registration.sector if registration else None,
        moderation=events.moderation_shape(entry),
        private=et.PersonPrivate(user_id=row.user_id, name=person.name if person else None)))
    return row
