"""Evaluation: a commission member declares a conflict of interest per application (a conflict is a
recusal), saves draft scores, submits them; the issuer follows progress and closes scoring; then
the commission reads everyone's sheets and the ranking (`core.evaluate`, docs/competitions.md).

Who sees what (the read rules, enforced here, under every page, API route and stream):
- a member's draft is sealed: its author alone reads it;
- a submitted sheet is final; other members, the issuer and the admin read it only after scoring
  closes (the call leaves the `scoring` stage);
- a recused member can neither score an application nor open it, nor read its sheets, ever;
- before scoring closes, the issuer reads progress only: who submitted how many sheets, never what.

Every verb locks the call's row (the lock `close_scoring` takes), so a submission and the close never
interleave, and runs in one unit of work with its audit record and its count-only event on
`call:<id>`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live, storage
from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.competitions import rules as rules_mod
from asar.competitions import service as calls
from asar.competitions.applications.models import Application, ApplicationDocument
from asar.competitions.applications.service import load_application
from asar.competitions.compliance.service import admissible_ids, is_admissible
from asar.competitions.evaluation import core, notices
from asar.competitions.evaluation.event_types import ScoringClosed, ScoringProgress
from asar.competitions.evaluation.models import MAX_COMMENT, MAX_NOTE, ConflictDeclaration, Score, ScoreSheet
from asar.competitions.guards import is_issuer, require_manage
from asar.competitions.models import Call, CommissionMember
from asar.competitions.rules import CompetitionRules
from asar.db import utcnow
from asar.errors import Conflict, NotFound, PermissionDenied, invalid
from asar.i18n import N_
from asar.i18n import gettext as _
from asar.notifications.service import notify
from asar.organizations.models import Membership
from asar.permissions import Actor, require_user
from asar.uow import atomic

OPEN_STAGE = "scoring"
CLOSED_STAGES = ("decision", "appeals", "awarded")  # scoring is over: sheets are open to the commission
audit_actions.declare({
    "evaluation.no_conflict": N_("No conflict of interest declared with an application"),
    "evaluation.recused": N_("Recusal from an application (conflict of interest)"),
    "evaluation.submitted": N_("Scores of an application submitted"),
    "evaluation.closed": N_("Scoring of a call closed"),
})


def _not_found() -> NotFound:
    return NotFound(_("This application does not exist."))


def member_of(actor: Actor, call: Call) -> CommissionMember | None:
    """The actor's seat on the call's commission, if any."""
    if actor.user is None:
        return None
    return next((m for m in call.members if m.user_id == actor.user.id), None)


def scoring_closed(call: Call) -> bool:
    return call.status in CLOSED_STAGES


async def _declaration(db: AsyncSession, application_id: int, member_id: int) -> ConflictDeclaration | None:
    return (await db.execute(select(ConflictDeclaration).where(
        ConflictDeclaration.application_id == application_id, ConflictDeclaration.member_id == member_id))
    ).scalar_one_or_none()


async def _sheet(db: AsyncSession, application_id: int, member_id: int) -> ScoreSheet | None:
    return (await db.execute(select(ScoreSheet).where(
        ScoreSheet.application_id == application_id, ScoreSheet.member_id == member_id))).scalar_one_or_none()


async def recusals(db: AsyncSession, call_id: int) -> set[tuple[int, int]]:
    """(member id, application id) of every recusal on the call."""
    rows = await db.execute(select(ConflictDeclaration.member_id, ConflictDeclaration.application_id).where(
        ConflictDeclaration.call_id == call_id, ConflictDeclaration.conflict.is_(True)))
    return {(m, a) for m, a in rows}


async def is_recused(db: AsyncSession, application_id: int, member_id: int) -> bool:
    found = await _declaration(db, application_id, member_id)
    return found is not None and found.conflict


async def _submitted_applications(db: AsyncSession, call_id: int) -> list[Application]:
    """The applications scoring takes: submitted, and marked admissible in the compliance check."""
    return list((await db.execute(select(Application).where(
        Application.call_id == call_id, Application.status == "submitted",
        Application.id.in_(admissible_ids(call_id))).order_by(Application.id))).scalars())


async def applications_for(db: AsyncSession, call: Call, member: CommissionMember | None) -> list[
        tuple[Application, str]]:
    """The submitted applications with the member's state on each ("recused", "submitted", "draft",
    "declared", "new"; "" for a reader who is not on the commission)."""
    apps = await _submitted_applications(db, call.id)
    if member is None:
        return [(a, "") for a in apps]
    declared = {d.application_id: d.conflict for d in (await db.execute(select(ConflictDeclaration).where(
        ConflictDeclaration.member_id == member.id))).scalars()}
    sheets = {s.application_id: s.status for s in (await db.execute(select(ScoreSheet).where(
        ScoreSheet.member_id == member.id))).scalars()}
    return [(a, "recused" if declared.get(a.id) else sheets.get(a.id) or ("declared" if a.id in declared else "new"))
            for a in apps]


@dataclass(frozen=True)
class Seat:
    """What a scoring verb works on: the application, its call (row-locked) and the member's seat."""

    application: Application
    call: Call
    member: CommissionMember


async def _seat(db: AsyncSession, actor: Actor, application_id: int, *, writing: bool) -> Seat:
    """The member's seat on the application's commission; a recused member is told the application
    does not exist (NotFound: they may not open it at all); others who are not members likewise."""
    require_user(actor)
    application = await load_application(db, application_id)
    call = await calls.load_call(db, application.call_id, for_update=writing)
    member = member_of(actor, call)
    if member is None or application.status != "submitted" or call.status not in (OPEN_STAGE, *CLOSED_STAGES):
        raise _not_found()
    if not await is_admissible(db, application.id):  # not scored: the compliance check did not admit it
        raise _not_found()
    if await is_recused(db, application.id, member.id):
        raise _not_found()
    if writing and call.status != OPEN_STAGE:
        raise Conflict(_("Scoring of this call is closed."))
    return Seat(application, call, member)


async def _progress_event(db: AsyncSession, call: Call) -> core.Progress:
    state = await progress(db, call)
    await live.append_event(db, f"call:{call.id}", ScoringProgress(
        sheets_due=state.sheets_due, sheets_submitted=state.sheets_submitted, members_done=state.members_done))
    return state


async def _tell_recusal(db: AsyncSession, seat: Seat, base_url: str) -> None:
    """A recusal is told to the issuer's staff and the commission's chair (not to the member who
    declared it): who, and from which application; the note stays in the declaration."""
    call, member = seat.call, seat.member
    staff = select(Membership.user_id).where(Membership.organization_id == call.organization_id)
    ids = set((await db.execute(staff)).scalars()) | {m.user_id for m in call.members
                                                       if m.role == "chair" and m.user_id}
    ids.discard(member.user_id)
    if not ids:
        return
    people = list((await db.execute(select(User).where(User.id.in_(ids)).order_by(User.id))).scalars())
    titles = {"kk": call.title_kk, "ru": call.title_ru, "en": call.title_en}
    name = member.name or member.email
    number = seat.application.registration_number or str(seat.application.id)
    await notify(db, notices.RECUSAL.name, people, key=f"call_recusal:{seat.application.id}:{member.id}", base_url=base_url,
                 params={"call_id": call.id, "call": titles, "member": name, "number": number},
                 mail=lambda person: {"person": getattr(person, "name", ""), "member": name, "number": number,
                                      "call_title": titles.get(getattr(person, "language", "") or "kk")
                                      or call.title})


# ---------------------------------------------------------------- the member's verbs
@atomic
async def declare(db: AsyncSession, actor: Actor, application_id: int, *, conflict: bool,
                  note: str = "", base_url: str = "") -> ConflictDeclaration:
    """Declare whether the member has a conflict of interest with the application. A conflict is a
    recusal: final, and the member's sheet for the application (draft or submitted) is discarded; the
    issuer's staff and the commission's chair are told (`_tell_recusal`)."""
    seat = await _seat(db, actor, application_id, writing=True)
    note = note.strip()
    if len(note) > MAX_NOTE:
        raise invalid({"note": _("At most %(count)s characters.", count=MAX_NOTE)})
    row = await _declaration(db, application_id, seat.member.id)
    if row is None:
        row = ConflictDeclaration(call_id=seat.call.id, application_id=application_id, member_id=seat.member.id,
                                  conflict=conflict, note=note)
        db.add(row)
    elif row.conflict == conflict:
        return row
    else:  # "no conflict" becomes a recusal (a recusal never comes back: _seat refuses it above)
        row.conflict, row.note, row.declared_at = conflict, note, utcnow()
    await db.flush()
    if conflict:
        await db.execute(delete(ScoreSheet).where(ScoreSheet.application_id == application_id,
                                                  ScoreSheet.member_id == seat.member.id))
        audit.record(db, actor, "evaluation.recused", "application", application_id)
        await _progress_event(db, seat.call)
        await _tell_recusal(db, seat, base_url)
    else:
        audit.record(db, actor, "evaluation.no_conflict", "application", application_id)
    return row


async def open_sheet(db: AsyncSession, actor: Actor, application_id: int) -> tuple[Seat, ConflictDeclaration | None,
                                                                                    ScoreSheet | None]:
    """The member's own view of an application: the declaration and the sheet so far (NotFound for a
    recused member or anyone not on the commission)."""
    seat = await _seat(db, actor, application_id, writing=False)
    return seat, await _declaration(db, application_id, seat.member.id), await _sheet(db, application_id,
                                                                                      seat.member.id)


async def document_for_member(db: AsyncSession, actor: Actor, application_id: int,
                              document_id: int) -> tuple[ApplicationDocument, bytes]:
    """An application's attached PDF for a commission member who scores it (NotFound, as `open_sheet`, for a
    recused member or anyone not on the commission): a member reads all of what is scored."""
    seat = await _seat(db, actor, application_id, writing=False)
    row = seat.application.document_for(document_id)
    found = None if row is None else await storage.get_by_id(db, row.file_id)
    if row is None or found is None:
        raise NotFound(_("No file is attached for this document."))
    return row, found[1]


async def _writable_sheet(db: AsyncSession, seat: Seat) -> ScoreSheet:
    declared = await _declaration(db, seat.application.id, seat.member.id)
    if declared is None:
        raise Conflict(_("First declare whether you have a conflict of interest with this application."))
    sheet = await _sheet(db, seat.application.id, seat.member.id)
    if sheet is not None and sheet.status == "submitted":
        raise Conflict(_("Your scores for this application are submitted and cannot be changed."))
    if sheet is None:
        sheet = ScoreSheet(call_id=seat.call.id, application_id=seat.application.id, member_id=seat.member.id)
        db.add(sheet)
        await db.flush()
        await db.refresh(sheet, ["scores"])
    return sheet


@atomic
async def save_scores(db: AsyncSession, actor: Actor, application_id: int,
                      scores: Mapping[int, tuple[int | None, str]]) -> ScoreSheet:
    """Save the member's draft: criterion id -> (points or None, comment). Sealed: only its author reads it."""
    seat = await _seat(db, actor, application_id, writing=True)
    criteria = {c.id: c for c in seat.call.criteria}
    errors: dict[str, str] = {}
    for cid, (points, comment) in scores.items():
        criterion = criteria.get(cid)
        if criterion is None:
            raise invalid({"scores": _("This criterion is not one of the call's.")})
        if points is not None and (isinstance(points, bool) or not isinstance(points, int)
                                   or not 0 <= points <= criterion.max_points):
            errors[f"criterion_{cid}"] = _("Points from 0 to %(max)s.", max=criterion.max_points)
        if len(comment) > MAX_COMMENT:
            errors[f"comment_{cid}"] = _("At most %(count)s characters.", count=MAX_COMMENT)
    if errors:
        raise invalid(errors)
    sheet = await _writable_sheet(db, seat)
    existing = {s.criterion_id: s for s in sheet.scores}
    for cid, (points, comment) in scores.items():
        row = existing.get(cid)
        if row is None:
            sheet.scores.append(Score(criterion_id=cid, points=points, comment=comment.strip()))
        else:
            row.points, row.comment = points, comment.strip()
    sheet.saved_at = utcnow()
    await db.flush()
    return sheet


@atomic
async def submit_scores(db: AsyncSession, actor: Actor, application_id: int) -> ScoreSheet:
    """Submit the member's sheet: every criterion scored, within its maximum. Final."""
    seat = await _seat(db, actor, application_id, writing=True)
    sheet = await _writable_sheet(db, seat)
    criteria = [core.Criterion(c.id, c.weight, c.max_points) for c in seat.call.criteria]
    missing = core.missing_criteria(criteria, sheet.points())
    if missing:
        raise invalid({f"criterion_{cid}": _("Score this criterion before submitting.") for cid in missing})
    sheet.status, sheet.submitted_at = "submitted", utcnow()
    await db.flush()
    audit.record(db, actor, "evaluation.submitted", "application", application_id)
    await _progress_event(db, seat.call)
    return sheet


# ---------------------------------------------------------------- the issuer's verbs and reads
async def progress(db: AsyncSession, call: Call) -> core.Progress:
    """Who has submitted how many of the sheets they owe (counts only, never points)."""
    apps = [a.id for a in await _submitted_applications(db, call.id)]
    submitted = await db.execute(select(ScoreSheet.member_id, ScoreSheet.application_id).where(
        ScoreSheet.call_id == call.id, ScoreSheet.status == "submitted"))
    return core.progress([m.id for m in call.members], apps, await recusals(db, call.id),
                         [(m, a) for m, a in submitted])


async def page_state(db: AsyncSession, call: Call, *, now: datetime | None = None,
                     rules: CompetitionRules | None = None) -> dict[str, Any]:
    """What the scoring page's live pieces show (its progress per member and its deadline), the page's
    and its socket's alike: the progress, the members' names, the timeline's scoring stage (due, working
    days left or overdue) and the rules' number of working days."""
    rules = rules or await rules_mod.for_call(db, call)
    stage = next(s for s in await calls.timeline(db, call, rules, now) if s.code == OPEN_STAGE)
    return {"call": call, "progress": await progress(db, call), "names": {m.id: m.name or m.email for m in call.members},
            "scoring": stage, "scoring_days": rules.scoring_days}


async def progress_for(db: AsyncSession, actor: Actor, call_id: int) -> tuple[Call, core.Progress]:
    """Progress for the issuer's people, the commission and the admin."""
    call = await calls.load_call(db, call_id)
    if not (is_issuer(actor, call) or member_of(actor, call) is not None or actor.is_admin):
        raise NotFound(_("This call does not exist or is not published."))
    return call, await progress(db, call)


async def to_score(db: AsyncSession, actor: Actor, call_id: int) -> tuple[Call, list[tuple[Application, str]]]:
    """The applications being scored, as the scoring page lists them: for a commission member those they
    are not recused from, with their state on each ("new", "declared", "draft", "submitted"); for the
    issuer's people and the admin every one, with "" (progress_for's readers; anyone else NotFound)."""
    call, _state = await progress_for(db, actor, call_id)
    me = member_of(actor, call)
    return call, [(a, state) for a, state in await applications_for(db, call, me) if state != "recused"]


@atomic
async def close_scoring(db: AsyncSession, actor: Actor, call_id: int, *, base_url: str) -> Call:
    """The issuer closes scoring: submitted sheets are final and open to the commission; drafts never
    count. The call moves on to the decision; the commission's members are told."""
    call = await calls.load_call(db, call_id, for_update=True)
    require_manage(actor, call)
    if call.status != OPEN_STAGE:
        raise Conflict(_("Scoring of this call is not open."))
    state = await progress(db, call)
    call = await calls.advance(db, actor, call_id, "decision")
    await live.append_event(db, f"call:{call.id}", ScoringClosed(sheets_submitted=state.sheets_submitted))
    audit.record(db, actor, "evaluation.closed", "call", call.id, submitted=state.sheets_submitted,
                 due=state.sheets_due)
    ids = [m.user_id for m in call.members if m.user_id is not None]
    members = list((await db.execute(select(User).where(User.id.in_(ids)))).scalars()) if ids else []
    titles = {"kk": call.title_kk, "ru": call.title_ru, "en": call.title_en}
    await notify(db, "scoring_closed", members, key=f"scoring_closed:{call.id}", base_url=base_url,
                 params={"call_id": call.id, "call": titles},
                 mail=lambda person: {"person": getattr(person, "name", ""),
                                      "call_title": titles.get(getattr(person, "language", "") or "kk")
                                      or call.title})
    return call


# ---------------------------------------------------------------- reading scores
async def sheets_for(db: AsyncSession, actor: Actor, application_id: int) -> list[ScoreSheet]:
    """The sheets of an application this person may read: before scoring closes, a member's own
    (draft or submitted); after, every submitted sheet, for the members not recused from it, the
    issuer's people and the admin. A recused member, and anyone else, gets NotFound; the issuer
    before the close gets PermissionDenied (progress only)."""
    require_user(actor)
    application = await load_application(db, application_id)
    call = await calls.load_call(db, application.call_id)
    member = member_of(actor, call)
    if member is not None and await is_recused(db, application_id, member.id):
        raise _not_found()
    if not scoring_closed(call):
        if member is not None:
            own = await _sheet(db, application_id, member.id)
            return [own] if own is not None else []
        if is_issuer(actor, call) or actor.is_admin:
            raise PermissionDenied(_("Scores stay sealed until scoring closes: follow the progress meanwhile."))
        raise _not_found()
    if member is None and not is_issuer(actor, call) and not actor.is_admin:
        raise _not_found()
    return list((await db.execute(select(ScoreSheet).where(
        ScoreSheet.application_id == application_id, ScoreSheet.status == "submitted")
        .order_by(ScoreSheet.member_id))).scalars())


async def evaluate_call(db: AsyncSession, call: Call, *, margin: int = core.ANOMALY_MARGIN) -> core.Evaluation:
    """The whole evaluation of a call from its submitted sheets, for no one in particular: the caller
    decides who may read it (`results` below; the decision and the public results once published)."""
    apps = await _submitted_applications(db, call.id)
    entries = [core.Entry(a.id, a.lot_id, a.submitted_at or a.created_at, a.registration_number or "") for a in apps]
    rows = (await db.execute(select(ScoreSheet).where(ScoreSheet.call_id == call.id,
                                                      ScoreSheet.status == "submitted"))).scalars()
    sheets = [core.Sheet(s.member_id, s.application_id, {sc.criterion_id: sc.points or 0 for sc in s.scores})
              for s in rows if s.application_id in {a.id for a in apps}]
    criteria = [core.Criterion(c.id, c.weight, c.max_points) for c in call.criteria]
    return core.evaluate(criteria, entries, sheets, await recusals(db, call.id), margin=margin)


async def results(db: AsyncSession, actor: Actor, call_id: int, *,
                  margin: int = core.ANOMALY_MARGIN) -> tuple[Call, core.Evaluation]:
    """The ranking per lot and the anomalies, after scoring closes, for the commission, the issuer's
    people and the admin. For a member, the applications they are recused from show no one's totals."""
    require_user(actor)
    call = await calls.load_call(db, call_id)
    member = member_of(actor, call)
    if member is None and not is_issuer(actor, call) and not actor.is_admin:
        raise NotFound(_("This call does not exist or is not published."))
    if not scoring_closed(call):
        raise PermissionDenied(_("Scores stay sealed until scoring closes: follow the progress meanwhile."))
    evaluation = await evaluate_call(db, call, margin=margin)
    recused = await recusals(db, call.id)
    if member is not None:
        hidden = {a for m, a in recused if m == member.id}
        evaluation = core.Evaluation(
            results={a: (core.Result(r.application_id, r.lot_id, {}, None, {}, r.rank, r.decided_by)
                         if a in hidden else r) for a, r in evaluation.results.items()},
            ranking=evaluation.ranking,
            anomalies=tuple(x for x in evaluation.anomalies if x.application_id not in hidden))
    return call, evaluation
