"""The commission's decision on a call: the meeting and its attendance against the quorum, the winners
confirmed per lot, the publication of the results (which opens the appeal window), and the reads the
pages, the protocol, the public results and the later stages use.

- `record_meeting` (the issuer's staff, or the commission's chair or secretary): when the commission
  met, who of its members was present, optionally the public hearing of the issuer the meeting was
  held as (its minutes attach to the protocol), and the minutes in the secretary's words. The quorum
  is stored as it stood (`core.meeting_quorum`). Recording it again corrects it and asks for the
  winners to be confirmed again.
- `confirm_winners` (the same people): the winners of every lot, each with an amount up to its
  request, the lot's total within its budget, and a reason for every winner that departs from the
  ranking; refused without the meeting's quorum, or when an application of a lot lacks its own
  quorum (its recused members left out: `core.application_quorum`).
- `publish_results` (the issuer's staff): the call moves from `decision` to `appeals`;
  `Call.results_published_at` and `Call.appeals_close_at` are set; every applicant organization's
  members are told whether they won.

Each verb takes the call's row lock, runs in one unit of work with its audit record and appends its
event to `call:<id>` (published after commit by the live event log). Before publication the results
stay with the commission, the issuer's staff and the admin, under evaluation's read rules (a member
never sees the scores of an application they are recused from); after it anyone reads them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live
from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.competitions import rules as rules_mod
from asar.competitions import service as calls
from asar.competitions.applications.models import Application
from asar.competitions.decision import core, notices
from asar.competitions.decision.event_types import DecisionMeeting, ResultsPublished, WinnersConfirmed
from asar.competitions.decision.models import (
    MAX_MINUTES,
    MAX_REASON,
    CallDecision,
    DecisionAttendance,
    Winner,
)
from asar.competitions.evaluation import core as scoring
from asar.competitions.evaluation import service as evaluation
from asar.competitions.evaluation.models import ScoreSheet
from asar.competitions.guards import is_issuer, require_manage
from asar.competitions.models import Call, CommissionMember, Lot
from asar.competitions.rules import DEFAULT_RULES, CompetitionRules
from asar.db import utcnow
from asar.errors import Conflict, NotFound, PermissionDenied, invalid
from asar.hearings.minutes import list_decisions
from asar.hearings.models import Hearing, Minutes
from asar.i18n import N_, format_tenge, local_datetime
from asar.i18n import gettext as _
from asar.notifications.service import notify
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor, require_user
from asar.uow import atomic

STAGE = "decision"
RECORDING_ROLES = ("chair", "secretary")
MAX_PICKS = 1000
audit_actions.declare({
    "decision.meeting_recorded": N_("Commission meeting on a call recorded"),
    "decision.winners_confirmed": N_("Winners of a call confirmed"),
    "decision.results_published": N_("Results of a call published"),
})


def _no_call() -> NotFound:
    return NotFound(_("This call does not exist or is not published."))


# ---------------------------------------------------------------- what the others read
def results_public(call: Call) -> bool:
    """Whether the call's results (winners, scores, protocol) are published."""
    return call.results_published_at is not None


async def winners(db: AsyncSession, call_id: int) -> list[Winner]:
    """The call's confirmed winners, lot by lot, best ranked first (final once the results are published)."""
    q = (select(Winner).join(Lot, Lot.id == Winner.lot_id).where(Winner.call_id == call_id)
         .order_by(Lot.position, Winner.rank.is_(None), Winner.rank, Winner.id))
    return list((await db.execute(q)).scalars())


async def decision_of(db: AsyncSession, call_id: int) -> CallDecision | None:
    return (await db.execute(select(CallDecision).where(CallDecision.call_id == call_id)
                             .execution_options(populate_existing=True))).scalar_one_or_none()


# ---------------------------------------------------------------- who may do what
def seat_of(actor: Actor, call: Call) -> CommissionMember | None:
    return evaluation.member_of(actor, call)


def may_record(actor: Actor, call: Call) -> bool:
    """Record the meeting and confirm the winners: the issuer's staff, the chair, the secretary."""
    seat = seat_of(actor, call)
    return is_issuer(actor, call) or (seat is not None and seat.role in RECORDING_ROLES)


def may_read(actor: Actor, call: Call) -> bool:
    """The decision page (before publication): the issuer's staff, the commission, the admin."""
    return is_issuer(actor, call) or seat_of(actor, call) is not None or actor.is_admin


def may_publish(actor: Actor, call: Call) -> bool:
    return is_issuer(actor, call) and call.status == STAGE


def _require_record(actor: Actor, call: Call) -> None:
    require_user(actor)
    if not may_read(actor, call) or not call.is_public:
        raise _no_call()
    if is_issuer(actor, call):
        require_manage(actor, call)  # a verified issuer
    elif not may_record(actor, call):
        raise PermissionDenied(_("Only the issuer's staff, the commission's chair or its secretary record the "
                                 "decision."))


async def _locked_call(db: AsyncSession, actor: Actor, call_id: int) -> Call:
    call = await calls.load_call(db, call_id, for_update=True)
    _require_record(actor, call)
    if call.status != STAGE:
        raise Conflict(_("The decision is taken while the call is at its decision stage (after scoring closes, "
                         "before the results are published)."))
    return call


# ---------------------------------------------------------------- the meeting
@dataclass(frozen=True)
class MeetingInput:
    meeting_at: datetime
    present: frozenset[int]  # commission member ids
    hearing_id: int | None = None
    minutes: str = ""


async def issuer_hearings(db: AsyncSession, call: Call) -> list[Hearing]:
    """The issuer's hearings a meeting may be linked to (scheduled, live or closed; newest first)."""
    q = (select(Hearing).where(Hearing.organizer_id == call.organization_id, Hearing.status != "draft")
         .order_by(Hearing.starts_at.desc(), Hearing.id.desc()).limit(100))
    return list((await db.execute(q)).scalars())


@atomic
async def record_meeting(db: AsyncSession, actor: Actor, call_id: int, meeting: MeetingInput, *,
                         rules: CompetitionRules | None = None) -> CallDecision:
    """Record the commission's meeting: its date, each member's attendance against the quorum, the linked
    hearing and the minutes. Recording it again corrects it; confirmed winners must then be confirmed again."""
    call = await _locked_call(db, actor, call_id)
    errors: dict[str, str] = {}
    now = utcnow()
    if meeting.meeting_at > now:
        errors["meeting_at"] = _("Record a meeting that has taken place: its date cannot be in the future.")
    elif call.scoring_started_at is not None and (local_datetime(meeting.meeting_at).date()
                                                  < local_datetime(call.scoring_started_at).date()):
        errors["meeting_at"] = _("The meeting cannot be earlier than the day scoring started.")
    member_ids = {m.id for m in call.members}
    if not meeting.present <= member_ids:
        errors["present"] = _("Mark attendance for the commission's members only.")
    minutes = meeting.minutes.strip()
    if len(minutes) > MAX_MINUTES:
        errors["minutes"] = _("At most %(count)s characters.", count=MAX_MINUTES)
    if meeting.hearing_id is not None:
        hearing = await db.get(Hearing, meeting.hearing_id) if 0 < meeting.hearing_id <= calls.MAX_ID else None
        if hearing is None or hearing.organizer_id != call.organization_id or hearing.status == "draft":
            errors["hearing_id"] = _("Choose a public hearing of the issuing organization.")
    if errors:
        raise invalid(errors)
    rules = rules or await rules_mod.for_call(db, call)
    quorum = core.meeting_quorum(member_ids, meeting.present, rules.quorum)
    user = require_user(actor)
    row = await decision_of(db, call.id)
    if row is None:
        row = CallDecision(call_id=call.id, meeting_at=meeting.meeting_at)
        db.add(row)
    row.meeting_at, row.hearing_id, row.minutes = meeting.meeting_at, meeting.hearing_id, minutes
    row.quorum_required, row.present_count, row.quorum_met = quorum.required, quorum.present, quorum.met
    row.recorded_by_id = user.id
    row.confirmed_at = row.confirmed_by_id = None  # attendance decides the quorum: confirm again
    await db.flush()
    await db.refresh(row, ["attendance"])
    rows = {a.member_id: a for a in row.attendance}
    for member_id in sorted(member_ids):
        here = member_id in meeting.present
        if member_id in rows:
            rows[member_id].present = here
        else:
            row.attendance.append(DecisionAttendance(member_id=member_id, present=here))
    await db.flush()
    await live.append_event(db, live.stream_key("call", call.id), DecisionMeeting(
        present=quorum.present, required=quorum.required, quorum_met=quorum.met))
    audit.record(db, actor, "decision.meeting_recorded", "call", call.id, present=sorted(meeting.present),
                 required=quorum.required, quorum_met=quorum.met, hearing_id=meeting.hearing_id)
    return row


# ---------------------------------------------------------------- the board: ranking, proposal, winners
@dataclass
class Candidate:
    """An application of a lot, as the decision page, the protocol and the results show it."""

    application: Application
    organization: Organization
    result: scoring.Result
    quorum: core.Quorum | None = None
    winner: Winner | None = None
    proposed: int | None = None  # the default proposal's amount (None: not proposed)
    hidden: bool = False  # a member recused from it reads no scores of it (before publication)

    @property
    def fact(self) -> core.Candidate:
        return core.Candidate(self.application.id, self.application.requested, self.result.rank)


@dataclass
class LotBoard:
    lot: Lot
    candidates: list[Candidate]

    @property
    def awarded(self) -> int:
        return sum(c.winner.amount for c in self.candidates if c.winner is not None)

    @property
    def winners(self) -> list[Candidate]:
        return [c for c in self.candidates if c.winner is not None]

    def departing(self) -> set[int]:
        return core.departures([c.fact for c in self.candidates], [c.application.id for c in self.winners])


@dataclass
class Board:
    call: Call
    decision: CallDecision | None
    members: list[CommissionMember]
    quorum: core.Quorum | None
    lots: list[LotBoard]
    recusals: set[tuple[int, int]]  # (member id, application id)
    evaluation: scoring.Evaluation
    sheets: dict[int, dict[int, ScoreSheet]] = field(default_factory=dict)  # application -> member -> sheet
    hearing: Hearing | None = None
    hearing_minutes: Minutes | None = None
    hearing_decisions: list[str] = field(default_factory=list)  # the hearing's decisions (its minutes)
    organization: Organization | None = None
    rules: CompetitionRules = DEFAULT_RULES  # the call's (rules.for_call): its quorum

    @property
    def confirmed(self) -> bool:
        return self.decision is not None and self.decision.confirmed_at is not None

    @property
    def published(self) -> bool:
        return results_public(self.call)

    def present(self, member_id: int) -> bool | None:
        if self.decision is None:
            return None
        return member_id in self.decision.present_ids()

    def member_name(self, member: CommissionMember) -> str:
        position = next((i for i, m in enumerate(self.members, start=1) if m.id == member.id), 0)
        return member.name or _("Member %(number)s", number=position)


async def _board(db: AsyncSession, call: Call, *, rules: CompetitionRules | None = None,
                 with_sheets: bool = False, hide_for: CommissionMember | None = None) -> Board:
    rules = rules or await rules_mod.for_call(db, call)
    result = await evaluation.evaluate_call(db, call)
    recused = await evaluation.recusals(db, call.id)
    decision = await decision_of(db, call.id)
    ids = [a for lot in result.ranking.values() for a in lot]
    apps: dict[int, tuple[Application, Organization]] = {}
    if ids:
        q = (select(Application, Organization).join(Organization, Organization.id == Application.organization_id)
             .where(Application.id.in_(ids)))
        apps = {a.id: (a, o) for a, o in (await db.execute(q)).all()}
    chosen = {w.application_id: w for w in await winners(db, call.id)}
    member_ids = [m.id for m in call.members]
    present = decision.present_ids() if decision is not None else set()
    hidden = {a for m, a in recused if hide_for is not None and m == hide_for.id}
    lots: list[LotBoard] = []
    for lot in call.lots:
        candidates = []
        for app_id in result.ranking.get(lot.id, ()):
            app, org = apps[app_id]
            mine = {m for m, a in recused if a == app_id}
            candidates.append(Candidate(
                application=app, organization=org, result=result.results[app_id], winner=chosen.get(app_id),
                quorum=core.application_quorum(member_ids, present, mine, rules.quorum) if decision else None,
                hidden=app_id in hidden))
        board = LotBoard(lot, candidates)
        proposed = {p.application_id: p.amount for p in core.proposal([c.fact for c in candidates], lot.budget)}
        for c in candidates:
            c.proposed = proposed.get(c.application.id)
        lots.append(board)
    sheets: dict[int, dict[int, ScoreSheet]] = {}
    if with_sheets and ids:
        for s in (await db.execute(select(ScoreSheet).where(ScoreSheet.call_id == call.id,
                                                            ScoreSheet.status == "submitted"))).scalars():
            sheets.setdefault(s.application_id, {})[s.member_id] = s
    hearing = minutes = None
    decided: list[str] = []
    if decision is not None and decision.hearing_id is not None:
        hearing = await db.get(Hearing, decision.hearing_id)
        minutes = (await db.execute(select(Minutes).where(Minutes.hearing_id == decision.hearing_id))
                   ).scalar_one_or_none()
        if minutes is not None and minutes.published_at is not None:
            decided = [d.text for d in await list_decisions(db, decision.hearing_id)]
    return Board(call=call, decision=decision, members=list(call.members),
                 quorum=(core.meeting_quorum(member_ids, present, rules.quorum) if decision else None),
                 lots=lots, recusals=recused, evaluation=result, sheets=sheets, hearing=hearing,
                 hearing_minutes=minutes, hearing_decisions=decided, organization=await db.get(Organization, call.organization_id),
                 rules=rules)


async def board_for(db: AsyncSession, actor: Actor, call_id: int, *,
                    rules: CompetitionRules | None = None) -> Board:
    """The decision page: the issuer's staff, the commission and the admin, once scoring has closed (404 to
    anyone else; before the close, evaluation's seal). A member recused from an application reads none of
    its scores until the results are published."""
    require_user(actor)
    call = await calls.load_call(db, call_id)
    if not call.is_public or not may_read(actor, call):
        raise _no_call()
    if not evaluation.scoring_closed(call):
        raise PermissionDenied(_("Scores stay sealed until scoring closes: follow the progress meanwhile."))
    seat = seat_of(actor, call)
    return await _board(db, call, rules=rules, hide_for=None if results_public(call) else seat)


async def public_board(db: AsyncSession, actor: Actor, call_id: int, *, with_sheets: bool = True) -> Board:
    """The results and the protocol: anyone once published; before, the issuer's staff and the admin
    (a preview); 404 to everyone else."""
    call = await calls.load_call(db, call_id)
    if not call.is_public:
        raise _no_call()
    if not results_public(call) and not (is_issuer(actor, call) or actor.is_admin):
        raise NotFound(_("The results of this call are not published yet."))
    if not evaluation.scoring_closed(call):
        raise NotFound(_("The results of this call are not published yet."))
    return await _board(db, call, with_sheets=with_sheets)


# ---------------------------------------------------------------- confirming the winners
def _problem_text(problem: core.Problem) -> str:
    p = problem.params or {}
    if problem.code == "over_budget":
        return _("The winners' amounts add up to %(total)s, over the lot's budget of %(budget)s.",
                 total=format_tenge(int(p["total"])), budget=format_tenge(int(p["budget"])))
    if problem.code == "over_request":
        return _("At most the amount requested, %(amount)s.", amount=format_tenge(int(p["requested"])))
    if problem.code == "amount":
        return _("A whole number of tenge, at least 1.")
    if problem.code == "needs_reason":
        return _("This choice departs from the ranking: give the commission's reason.")
    if problem.code == "no_quorum":
        return _("No quorum for this application: %(present)s of the %(members)s members not recused from it "
                 "were present, %(required)s needed.", present=p["present"], members=p["members"],
                 required=p["required"])
    if problem.code == "nobody_decides":
        return _("Every member is recused from this application: the commission cannot choose it.")
    return _("This application is not one of the lot's scored applications.")


@atomic
async def confirm_winners(db: AsyncSession, actor: Actor, call_id: int,
                          picks: Mapping[int, Sequence[core.Pick]], *,
                          rules: CompetitionRules | None = None) -> list[Winner]:
    """Confirm the winners of every lot (lot id -> picks; a lot left out has no winner): amounts up to each
    request and within the lot's budget, a reason wherever the choice departs from the ranking. Refused
    without the meeting's quorum. Confirming again replaces the winners, until the results are published."""
    call = await _locked_call(db, actor, call_id)
    decision = await decision_of(db, call.id)
    if decision is None:
        raise Conflict(_("Record the commission's meeting and its attendance first."))
    if not decision.quorum_met:
        raise Conflict(_("The commission has no quorum: %(present)s of %(members)s members were present, "
                         "%(required)s needed. Winners cannot be confirmed.", present=decision.present_count,
                         members=len(call.members), required=decision.quorum_required))
    lots = {lot.id: lot for lot in call.lots}
    if any(lot_id not in lots for lot_id in picks):
        raise invalid({"lot": _("This lot is not one of the call's.")})
    if sum(len(p) for p in picks.values()) > MAX_PICKS:
        raise invalid({"lot": _("Too many winners.")})
    board = await _board(db, call, rules=rules)
    errors: dict[str, str] = {}
    for lot_board in board.lots:
        chosen = list(picks.get(lot_board.lot.id, ()))
        for p in chosen:
            if len(p.reason) > MAX_REASON:
                errors[f"reason_{p.application_id}"] = _("At most %(count)s characters.", count=MAX_REASON)
        quorums = {c.application.id: c.quorum for c in lot_board.candidates if c.quorum is not None}
        for problem in core.check_lot([c.fact for c in lot_board.candidates], lot_board.lot.budget, chosen,
                                      quorums=quorums):
            name = f"lot_{lot_board.lot.id}" if problem.field == "lot" else problem.field
            errors.setdefault(name, _problem_text(problem))
    if errors:
        raise invalid(errors)
    await db.execute(delete(Winner).where(Winner.call_id == call.id))
    rows: list[Winner] = []
    summary: list[dict[str, Any]] = []
    for lot_board in board.lots:
        ranks = {c.application.id: c.result.rank for c in lot_board.candidates}
        chosen = list(picks.get(lot_board.lot.id, ()))
        departing = core.departures([c.fact for c in lot_board.candidates], [p.application_id for p in chosen])
        for p in chosen:
            row = Winner(call_id=call.id, lot_id=lot_board.lot.id, application_id=p.application_id,
                         rank=ranks[p.application_id], amount=p.amount,
                         departs_reason=p.reason.strip() if p.application_id in departing else "")
            db.add(row)
            rows.append(row)
        summary.append({"lot": lot_board.lot.id, "winners": [[p.application_id, p.amount] for p in chosen],
                        "departs": sorted(departing)})
    user = require_user(actor)
    decision.confirmed_at, decision.confirmed_by_id = utcnow(), user.id
    await db.flush()
    await live.append_event(db, live.stream_key("call", call.id), WinnersConfirmed(winners=len(rows)))
    audit.record(db, actor, "decision.winners_confirmed", "call", call.id, lots=summary)
    return rows


# ---------------------------------------------------------------- publishing
@atomic
async def publish_results(db: AsyncSession, actor: Actor, call_id: int, *, base_url: str) -> Call:
    """The issuer publishes the confirmed results: the call moves to its appeal window, whose end is
    `competitions.service.appeal_deadline`; every applicant organization's members are told whether they won."""
    call = await calls.load_call(db, call_id, for_update=True)
    require_user(actor)
    if not call.is_public or not may_read(actor, call):
        raise _no_call()
    if not is_issuer(actor, call):
        raise PermissionDenied(_("Only the issuer's staff publish the results."))
    require_manage(actor, call)
    if call.status != STAGE:
        raise Conflict(_("The results of this call are already published, or the call is not at its decision "
                         "stage."))
    decision = await decision_of(db, call.id)
    if decision is None or decision.confirmed_at is None:
        raise Conflict(_("Confirm the winners at the commission's meeting before publishing the results."))
    if not decision.quorum_met:
        raise Conflict(_("The commission's meeting has no quorum: the results cannot be published."))
    now = utcnow()
    call.results_published_at = now
    call.appeals_close_at = await calls.appeal_deadline(db, call, now)
    call = await calls.advance(db, actor, call.id, "appeals")
    await live.append_event(db, live.stream_key("call", call.id), ResultsPublished(
        published_at=now.isoformat(), appeals_close_at=call.appeals_close_at.isoformat()))
    chosen = {w.application_id: w for w in await winners(db, call.id)}
    audit.record(db, actor, "decision.results_published", "call", call.id, winners=len(chosen),
                 appeals_close_at=call.appeals_close_at.isoformat())
    await _tell_applicants(db, call, chosen, base_url)
    return call


async def _tell_applicants(db: AsyncSession, call: Call, chosen: Mapping[int, Winner], base_url: str) -> None:
    apps = list((await db.execute(select(Application).where(Application.call_id == call.id,
                                                            Application.status == "submitted")
                                  .order_by(Application.id))).scalars())
    titles = {"kk": call.title_kk, "ru": call.title_ru, "en": call.title_en}
    for app in apps:
        people = list((await db.execute(select(User).join(Membership, Membership.user_id == User.id)
                                        .where(Membership.organization_id == app.organization_id))).scalars())
        won = chosen.get(app.id)
        await notify(db, notices.RESULTS.name, people, key=f"call_results:{app.id}", base_url=base_url,
                     params={"call_id": call.id, "call": titles, "application_id": app.id,
                             "number": app.registration_number or "", "won": won is not None,
                             "amount": won.amount if won else 0},
                     mail=lambda person, won=won, app=app: {
                         "person": person.name, "won": won is not None, "application": app,
                         "amount": format_tenge(won.amount) if won else "",
                         "call_title": titles.get(getattr(person, "language", "") or "kk") or call.title})
