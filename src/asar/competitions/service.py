"""Calls: writing a draft, publishing it (verified issuers only), the rule lock at the first
submitted application, amendments after it, the commission, following, and the stage machine the
later items of issue 10 move a call through.

Every verb checks its guard first (guards.py), validates, changes state, records the change in the
audit log and appends its event to `call:<id>`, in one unit of work (asar.uow.atomic). Verbs that
change a call lock its row (`SELECT ... FOR UPDATE` on PostgreSQL), the same lock `lock_rules`
takes, so an edit and the first submission never interleave: either the edit lands before the lock
(and applies freely), or after it (and needs an amendment).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import delete, func, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar import live
from asar.accounts.models import User
from asar.audit import actions as audit_actions
from asar.audit import service as audit
from asar.competitions import calendar, notices
from asar.competitions import rules as rules_mod
from asar.competitions.event_types import (
    CallAmended,
    CallPublished,
    CallStageChanged,
    CallUpdated,
    RulesLocked,
)
from asar.competitions.forms import CallInput, MemberInput
from asar.competitions.guards import (
    require_create,
    require_edit,
    require_follow,
    require_manage,
    require_publish,
    require_view,
)
from asar.competitions.models import (
    AFFECTS_APPLICANTS,
    KIND_OF_SECTOR,
    PUBLIC_STATUSES,
    RULE_PARTS,
    TRANSITIONS,
    Amendment,
    Call,
    CallArea,
    CallFollower,
    CallRegion,
    CommissionMember,
    Criterion,
    Lot,
    RequiredDocument,
)
from asar.competitions.rules import CompetitionRules
from asar.db import upsert_insert, utcnow
from asar.errors import Conflict, NotFound, invalid
from asar.i18n import N_, TIMEZONE, format_tenge
from asar.i18n import gettext as _
from asar.notifications.service import Address, notify
from asar.organizations.models import Organization
from asar.permissions import Actor, require_confirmed, require_user
from asar.reference.service import areas_by_ids, regions_by_ids
from asar.uow import atomic

audit_actions.declare({
    "call.created": N_("Call drafted"),
    "call.updated": N_("Call changed"),
    "call.published": N_("Call announced"),
    "call.rules_locked": N_("Call rules locked by the first application"),
    "call.amended": N_("Call amended"),
    "call.commission_set": N_("Call commission set"),
    "call.commission_seat_claimed": N_("Commission seat taken by its invitee"),
    "call.compliance": N_("Call moved to the compliance check"),
    "call.scoring": N_("Call moved to scoring"),
    "call.decision": N_("Call moved to the decision"),
    "call.appeals": N_("Call moved to appeals"),
    "call.awarded": N_("Call awarded"),
    "call.cancelled": N_("Call cancelled"),
}, objects={"call": N_("Call")})

MAX_ID = 2**63 - 1
STREAM = "call"

# Who else hears of an amendment besides the call's followers: functions of (db, call id) giving
# user ids. Applications (asar.competitions.applications) register the applicants of a call here.
AmendmentAudience = Callable[[AsyncSession, int], Awaitable[set[int]]]
AMENDMENT_AUDIENCES: list[AmendmentAudience] = []


def amendment_audience(fn: AmendmentAudience) -> AmendmentAudience:
    """Register who hears of an amendment (a decorator): `fn(db, call_id) -> {user id}`."""
    AMENDMENT_AUDIENCES.append(fn)
    return fn


# What a later stage's module checks before a call moves from one stage to another: functions of
# (db, call, the stage it would move to) that raise Conflict to refuse. The compliance check
# (asar.competitions.compliance) refuses scoring while a submitted application is unmarked.
StageCheck = Callable[[AsyncSession, Call, str], Awaitable[None]]
STAGE_CHECKS: list[StageCheck] = []


def stage_check(fn: StageCheck) -> StageCheck:
    """Register a check `advance` runs before a call changes stage (a decorator)."""
    STAGE_CHECKS.append(fn)
    return fn


def _iso(moment: datetime) -> str:
    return moment.isoformat()


def _key(call_id: int) -> str:
    return live.stream_key(STREAM, call_id)


# ---------------------------------------------------------------- reading
async def load_call(db: AsyncSession, call_id: int, *, for_update: bool = False) -> Call:
    """The call by id, whoever asks (callers check may_view); for_update locks its row."""
    if not 0 < call_id <= MAX_ID:
        raise NotFound(_("This call does not exist or is not published."))
    q = select(Call).where(Call.id == call_id)
    if for_update:
        q = q.with_for_update().execution_options(populate_existing=True)
    call = (await db.execute(q)).scalar_one_or_none()
    if call is None:
        raise NotFound(_("This call does not exist or is not published."))
    return call


async def get_call(db: AsyncSession, actor: Actor, call_id: int) -> Call:
    """The call if this person may see it (published, or their organization's), else NotFound."""
    call = await load_call(db, call_id)
    require_view(actor, call)
    return call


async def issuer_of(db: AsyncSession, call: Call) -> Organization:
    return (await db.execute(select(Organization).where(Organization.id == call.organization_id))).scalar_one()


async def list_amendments(db: AsyncSession, call: Call) -> list[Amendment]:
    q = select(Amendment).where(Amendment.call_id == call.id).order_by(Amendment.number)
    return list((await db.execute(q)).scalars())


async def is_following(db: AsyncSession, actor: Actor, call: Call) -> bool:
    if actor.user is None:
        return False
    q = select(CallFollower.id).where(CallFollower.call_id == call.id, CallFollower.user_id == actor.user.id)
    return (await db.execute(q)).first() is not None


async def seated_calls(db: AsyncSession, actor: Actor) -> list[Call]:
    """The public calls whose commission this person sits on and that are not over (the list of calls shows them
    first, so a member finds the applications to score without the notification)."""
    if actor.user is None:
        return []
    q = (select(Call).join(CommissionMember, CommissionMember.call_id == Call.id)
         .where(CommissionMember.user_id == actor.user.id, Call.status.in_(PUBLIC_STATUSES),
                Call.status.not_in(("awarded", "cancelled")))
         .order_by(Call.id.desc()).limit(20))
    return list((await db.execute(q)).scalars().unique())


async def list_calls(db: AsyncSession, *, kind: str | None = None, status: str | None = None,
                     area_id: int | None = None, region_id: int | None = None, limit: int = 20,
                     offset: int = 0) -> tuple[list[Call], int]:
    """Published calls (any later stage too), newest first, with the filters of the public list."""
    q = select(Call).where(Call.status.in_(PUBLIC_STATUSES))
    if kind:
        q = q.where(Call.kind == kind)
    if status:
        q = q.where(Call.status == status)
    if area_id:
        q = q.where(Call.id.in_(select(CallArea.call_id).where(CallArea.area_id == area_id)))
    if region_id:
        q = q.where(Call.id.in_(select(CallRegion.call_id).where(CallRegion.region_id == region_id)))
    total = (await db.execute(select(func.count()).select_from(q.subquery()))).scalar_one()
    rows = await db.execute(q.order_by(Call.published_at.desc(), Call.id.desc()).limit(limit).offset(offset))
    return list(rows.scalars()), total


async def organization_calls(db: AsyncSession, actor: Actor, org_id: int) -> list[Call]:
    """An organization's calls: the public ones, and its drafts for its own members."""
    q = select(Call).where(Call.organization_id == org_id)
    if actor.role_in(org_id) is None and not actor.is_admin:
        q = q.where(Call.status.in_(PUBLIC_STATUSES))
    return list((await db.execute(q.order_by(Call.id.desc()))).scalars())


# ---------------------------------------------------------------- the rules as data
def rules_snapshot(call: Call) -> dict[str, Any]:
    """What applicants are judged by (and the call's text), as plain JSON, by RULE_PARTS."""
    return _snapshot(call, areas=list(call.area_ids), regions=list(call.region_ids))


def input_snapshot(data: CallInput) -> dict[str, Any]:
    """The same shape for what the issuer submitted."""
    return _snapshot(data, areas=list(data.areas), regions=sorted(data.regions))


def _snapshot(src: Call | CallInput, areas: list[int], regions: list[int]) -> dict[str, Any]:
    """One shape for a stored call and a submitted one (they name their areas and regions apart)."""
    return {
        "text": {"title_kk": src.title_kk, "title_ru": src.title_ru, "title_en": src.title_en,
                 "description": src.description},
        "areas": areas,
        "regions": regions,
        "total_budget": src.total_budget,
        "lots": [{"title": lot.title, "budget": lot.budget, "duration_months": lot.duration_months,
                  "size_class": lot.size_class, "expected_results": lot.expected_results,
                  "indicators": lot.indicators} for lot in src.lots],
        "criteria": [{"title": c.title, "description": c.description, "weight": c.weight,
                      "max_points": c.max_points} for c in src.criteria],
        "documents": [{"title": d.title, "note": d.note} for d in src.documents],
        "eligibility": list(src.eligibility),
        "window": {"opens_at": _iso(src.opens_at), "closes_at": _iso(src.closes_at)},
        "languages": list(src.languages),
        "appeal_days": src.appeal_days,
    }


async def budget_caps_of(db: AsyncSession, call_id: int) -> dict[str, int]:
    """The call's caps per budget category (rule part `budget_caps`; applications own the rows)."""
    from asar.competitions.applications.service import budget_caps

    return dict(sorted((await budget_caps(db, call_id)).items()))


async def _write_caps(db: AsyncSession, call_id: int, caps: dict[str, int]) -> None:
    from asar.competitions.applications.service import replace_budget_caps

    await replace_budget_caps(db, call_id, caps)


def changed_parts(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [part for part in RULE_PARTS if before.get(part) != after.get(part)]


# ---------------------------------------------------------------- checking against reference data
async def _check_references(db: AsyncSession, data: CallInput) -> None:
    errors: dict[str, str] = {}
    if len(await regions_by_ids(db, data.regions)) != len(data.regions):
        errors["regions"] = _("Choose regions from the list.")
    if len(await areas_by_ids(db, data.areas)) != len(data.areas):
        errors["areas"] = _("Choose areas of activity from the list.")
    if errors:
        raise invalid(errors)


async def check_lot_classes(db: AsyncSession, kind: str, data: CallInput,
                            rules: CompetitionRules | None = None) -> tuple[int, int | None]:
    """Each lot's size class is one the kind of call allows, and its duration and budget fit it (the
    budget in MCI of the year intake opens, Almaty time). Returns (that year, its MCI or None)."""
    rules = rules or await rules_mod.current(db)
    year = data.opens_at.astimezone(TIMEZONE).year
    allowed = rules.classes_of_kind.get(kind, ("",))
    mci: int | None = None
    needs_mci = any(rules.size_classes[lot.size_class].in_mci
                    for lot in data.lots if lot.size_class in rules.size_classes)
    if needs_mci:
        mci = await calendar.mci_for_year(db, year)
        if mci is None:
            raise invalid({"lots": _("The MCI for %(year)s is not entered yet: the platform's administrator "
                                     "enters it in the reference data.", year=year)})
    for number, lot in enumerate(data.lots, start=1):
        if lot.size_class not in allowed:
            if allowed == ("",):
                message = _("Lot %(number)s: a grant programme has no grant size class.", number=number)
            else:
                message = _("Lot %(number)s: choose its grant size class (a %(kind)s call has them).",
                            number=number, kind=kind_label(kind))
            raise invalid({"lots": message})
        size = rules.size_classes.get(lot.size_class)
        if size is None:
            continue
        if not size.min_months <= lot.duration_months <= size.max_months:
            raise invalid({"lots": _("Lot %(number)s: a %(size)s grant runs %(low)s to %(high)s months, not "
                                     "%(months)s.", number=number, size=size_label(size.code),
                                     low=size.min_months, high=size.max_months, months=lot.duration_months)})
        assert mci is not None or not size.in_mci
        if mci is not None and not size.fits_budget(lot.budget, mci):
            low, high = size.tenge_bounds(mci)
            if high is None:
                bounds = _("at least %(low)s MCI (%(tenge)s)", low=size.min_mci, tenge=format_tenge(low or 0))
            else:
                bounds = _("%(low)s to %(high)s MCI (%(tenge_low)s to %(tenge_high)s)", low=size.min_mci,
                           high=size.max_mci, tenge_low=format_tenge(low or 0), tenge_high=format_tenge(high))
            raise invalid({"lots": _("Lot %(number)s: a %(size)s grant is %(bounds)s at the MCI of %(year)s "
                                     "(%(mci)s).", number=number, size=size_label(size.code), bounds=bounds,
                                     year=year, mci=format_tenge(mci or 0))})
    return year, mci


def kind_label(kind: str) -> str:
    return {"state_social_order": _("state social order"), "state_grant": _("state grant"),
            "grant_programme": _("grant programme")}.get(kind, kind)


def size_label(code: str) -> str:
    return {"short": _("short-term"), "medium": _("medium-term"), "long": _("long-term"),
            "social_order": _("state social-order")}.get(code, code)


def _check_window(call: Call | None, data: CallInput, rules: CompetitionRules, now: datetime) -> None:
    """The window's length (before the rules lock); after it, closing may not move earlier, nor opening
    once intake has opened."""
    length = data.closes_at - data.opens_at
    if (call is None or not call.rules_locked) and not timedelta(days=rules.intake_min_days) <= length <= timedelta(days=rules.intake_max_days):
        raise invalid({"closes_at": _("Intake stays open from %(min)s to %(max)s days.",
                                      min=rules.intake_min_days, max=rules.intake_max_days)})
    if call is not None and call.status != "draft":
        if call.opens_at <= now and data.opens_at != call.opens_at:
            raise invalid({"opens_at": _("Intake has opened: its opening time cannot change any more.")})
        if call.rules_locked and data.closes_at < call.closes_at:
            raise invalid({"closes_at": _("Applications have been submitted: intake cannot close earlier than "
                                          "announced.")})


def _check_kind(org: Organization, kind: str) -> None:
    if kind not in KIND_OF_SECTOR.get(org.sector, ()):
        raise invalid({"kind": _("A government body issues state social-order and state grant calls; a business "
                                 "issues grant programmes.")})


def _apply(call: Call, data: CallInput, *, mci: tuple[int, int | None]) -> None:
    """The input onto the call; lots, criteria and documents keep their ids where their position stays
    (applications refer to them), the rest are replaced."""
    for name in ("kind", "title_kk", "title_ru", "title_en", "description", "total_budget", "opens_at",
                 "closes_at", "appeal_days"):
        setattr(call, name, getattr(data, name))
    call.languages = list(data.languages)
    call.eligibility = list(data.eligibility)
    call.mci_year, call.mci_value = mci
    call.area_links = [CallArea(area_id=a, position=i) for i, a in enumerate(data.areas)]
    call.region_links = [CallRegion(region_id=r) for r in sorted(data.regions)]

    def merge(rows: list[Any], items: list[Any], make: Callable[[], Any], fields: tuple[str, ...]) -> list[Any]:
        out = []
        for position, item in enumerate(items, start=1):
            row = rows[position - 1] if position <= len(rows) else make()
            row.position = position
            for name in fields:
                setattr(row, name, getattr(item, name))
            out.append(row)
        return out

    call.lots = merge(list(call.lots), data.lots, Lot, ("title", "budget", "duration_months", "size_class",
                                                       "expected_results", "indicators"))
    call.criteria = merge(list(call.criteria), data.criteria, Criterion, ("title", "description", "weight",
                                                                         "max_points"))
    call.documents = merge(list(call.documents), data.documents, RequiredDocument, ("title", "note"))


def _titles(call: Call) -> dict[str, str]:
    return {lang: t for lang in ("kk", "ru", "en") if (t := getattr(call, f"title_{lang}"))}


# ---------------------------------------------------------------- writing
@atomic
async def create_call(db: AsyncSession, actor: Actor, data: CallInput,
                      rules: CompetitionRules | None = None) -> Call:
    """A draft call of the organization the person acts for (drafts need no verification), checked
    against the current rules."""
    require_create(actor)
    rules = rules or await rules_mod.current(db)
    org = actor.organization
    assert org is not None and actor.user is not None
    _check_kind(org, data.kind)
    await _check_references(db, data)
    _check_window(None, data, rules, utcnow())
    mci = await check_lot_classes(db, data.kind, data, rules)
    call = Call(organization_id=org.id, created_by_id=actor.user.id, status="draft", kind=data.kind,
                total_budget=data.total_budget, opens_at=data.opens_at, closes_at=data.closes_at, members=[])
    _apply(call, data, mci=mci)
    db.add(call)
    await db.flush()
    if data.budget_caps:
        await _write_caps(db, call.id, data.budget_caps)
    audit.record(db, actor, "call.created", "call", call.id)
    return call


@atomic
async def update_call(db: AsyncSession, actor: Actor, call_id: int, data: CallInput, *, reason: str = "",
                      base_url: str = "", rules: CompetitionRules | None = None) -> Amendment | None:
    """Change a call. Before its rules lock the change applies as it is; after, it is refused unless it
    comes with a reason, and then it is published as an amendment (returned), which extends the closing
    time by `rules.amendment_extension_days` working days when it changes what applicants are judged by."""
    call = await load_call(db, call_id, for_update=True)
    require_edit(actor, call)
    rules = rules or await rules_mod.for_call(db, call)
    if call.status not in ("draft", "published"):
        raise Conflict(_("This call is past intake: its rules can no longer change."))
    if data.kind != call.kind:
        if call.status != "draft":
            raise invalid({"kind": _("The kind of a published call cannot change.")})
        _check_kind(await issuer_of(db, call), data.kind)
    await _check_references(db, data)
    now = utcnow()
    _check_window(call, data, rules, now)
    mci = await check_lot_classes(db, data.kind, data, rules)
    before = {**rules_snapshot(call), "budget_caps": await budget_caps_of(db, call.id)}
    caps = before["budget_caps"] if data.budget_caps is None else dict(sorted(data.budget_caps.items()))
    parts = changed_parts(before, {**input_snapshot(data), "budget_caps": caps})
    if not parts:
        return None
    if not call.rules_locked:
        _apply(call, data, mci=mci)
        if "budget_caps" in parts:
            await _write_caps(db, call.id, caps)
        await db.flush()
        if call.status != "draft":
            await live.append_event(db, _key(call.id), CallUpdated(closes_at=_iso(call.closes_at)))
        audit.record(db, actor, "call.updated", "call", call.id, parts=parts)
        return None
    if not reason:
        raise Conflict(_("Applications have been submitted, so the rules are locked: publish this change as an "
                         "amendment, with the reason for it."))
    return await _amend(db, actor, call, data, parts, before, reason, caps=caps, mci=mci, base_url=base_url,
                        rules=rules)


async def _amend(db: AsyncSession, actor: Actor, call: Call, data: CallInput, parts: list[str],
                 before: dict[str, Any], reason: str, *, caps: dict[str, int], mci: tuple[int, int | None],
                 base_url: str, rules: CompetitionRules) -> Amendment:
    affects = bool(AFFECTS_APPLICANTS.intersection(parts))
    closes_before = call.closes_at
    _apply(call, data, mci=mci)
    if "budget_caps" in parts:
        await _write_caps(db, call.id, caps)
    if affects:
        call.closes_at = await calendar.moved_by_working_days(db, data.closes_at, rules.amendment_extension_days)
    call.amendments_count += 1
    user = require_user(actor)
    row = Amendment(call_id=call.id, number=call.amendments_count, reason=reason, parts=parts, before=before,
                    after={**rules_snapshot(call), "budget_caps": caps}, affects_applicants=affects, closes_at_before=closes_before,
                    closes_at_after=call.closes_at, created_by_id=user.id)
    db.add(row)
    await db.flush()
    await live.append_event(db, _key(call.id), CallAmended(number=row.number, parts=parts, affects_applicants=affects,
                                                           closes_at=_iso(call.closes_at)))
    audit.record(db, actor, "call.amended", "call", call.id, number=row.number, parts=parts)
    await _tell_amendment(db, call, row, user.id, base_url)
    return row


async def _tell_amendment(db: AsyncSession, call: Call, row: Amendment, author_id: int, base_url: str) -> None:
    ids = set((await db.execute(select(CallFollower.user_id).where(CallFollower.call_id == call.id))).scalars())
    for audience in AMENDMENT_AUDIENCES:
        ids |= await audience(db, call.id)
    ids.discard(author_id)
    if not ids:
        return
    people = list((await db.execute(select(User).where(User.id.in_(ids)))).scalars())
    await notify(db, notices.AMENDED.name, people, key=f"call_amended:{call.id}:{row.number}", base_url=base_url,
                 params={"call_id": call.id, "call": _titles(call), "number": row.number, "reason": row.reason[:300]},
                 mail=lambda person: {"person": person.name, "call": call, "amendment": row})


@atomic
async def publish_call(db: AsyncSession, actor: Actor, call_id: int) -> Call:
    """A draft becomes public (announced); intake opens and closes by the clock. Only a verified issuer
    publishes, and only a call whose intake has not closed yet. The call keeps the numbers of the rules
    in force now (`Call.rule_numbers`): a later change of the rules does not move its deadlines."""
    call = await load_call(db, call_id, for_update=True)
    require_publish(actor, call)
    if call.status != "draft":
        raise Conflict(_("This call is already published."))
    now = utcnow()
    if call.closes_at <= now:
        raise invalid({"closes_at": _("Intake would already be closed: move the window into the future first.")})
    rules = await rules_mod.current(db)
    length = call.closes_at - call.opens_at
    if not timedelta(days=rules.intake_min_days) <= length <= timedelta(days=rules.intake_max_days):
        # the draft was saved under other numbers (the admin changed the rules since)
        raise invalid({"closes_at": _("Intake stays open from %(min)s to %(max)s days.",
                                      min=rules.intake_min_days, max=rules.intake_max_days)})
    call.status = "published"
    call.published_at = now
    call.rule_numbers = rules_mod.snapshot(rules)
    await db.flush()
    await live.append_event(db, _key(call.id), CallPublished(status=call.status, opens_at=_iso(call.opens_at),
                                                             closes_at=_iso(call.closes_at)))
    audit.record(db, actor, "call.published", "call", call.id)
    return call


@atomic
async def lock_rules(db: AsyncSession, call: Call | int) -> bool:
    """Lock the call's rules (applications call this when the first one is submitted, in the submitting
    unit of work). Takes the call's row lock, so a concurrent edit either lands before the lock or waits
    and then needs an amendment. True when this call locked them, False when they were locked already."""
    call_id = call if isinstance(call, int) else call.id
    row = await load_call(db, call_id, for_update=True)
    if row.rules_locked_at is not None:
        return False
    row.rules_locked_at = utcnow()
    await db.flush()
    await live.append_event(db, _key(row.id), RulesLocked(locked_at=_iso(row.rules_locked_at)))
    audit.record(db, None, "call.rules_locked", "call", row.id)
    return True


@atomic
async def advance(db: AsyncSession, actor: Actor, call_id: int, status: str, *, reason: str = "") -> Call:
    """Move a call to its next stage (models.TRANSITIONS); the later items' verbs call this after their own
    checks. Cancelling needs a reason."""
    call = await load_call(db, call_id, for_update=True)
    require_manage(actor, call)
    if status not in TRANSITIONS.get(call.status, ()):
        raise Conflict(_("A call cannot go from this stage to that one."))
    if status == "published":
        raise Conflict(_("Publish a call with its own action."))
    if status == "compliance" and call.closes_at > utcnow():
        raise Conflict(_("Intake is still open: the compliance check starts after it closes."))
    for check in STAGE_CHECKS:
        await check(db, call, status)
    if status == "scoring":
        call.scoring_started_at = utcnow()
    if status == "decision":
        call.decision_started_at = utcnow()
    if status == "cancelled":
        if not reason:
            raise invalid({"reason": _("Say why the call is cancelled: applicants and followers will read it.")})
        call.cancelled_at = utcnow()
        call.cancel_reason = reason[:500]
    call.status = status
    await db.flush()
    await live.append_event(db, _key(call.id), CallStageChanged(status=status))
    audit.record(db, actor, f"call.{status}", "call", call.id, reason=reason or None)
    return call


@atomic
async def set_commission(db: AsyncSession, actor: Actor, call_id: int, members: list[MemberInput], *,
                         base_url: str, rules: CompetitionRules | None = None) -> list[CommissionMember]:
    """The commission as a whole (odd, at most rules.commission_max): members kept by e-mail address keep
    their row; new ones are told (in-app and mail, or mail only to an address without a confirmed
    account, whose owner takes the seat with claim_invitations once signed in and confirmed)."""
    call = await load_call(db, call_id, for_update=True)
    require_manage(actor, call)
    if call.status not in ("draft", "published", "compliance"):
        raise Conflict(_("The commission is set before scoring starts."))
    rules = rules or await rules_mod.for_call(db, call)
    if len(members) > rules.commission_max or (members and len(members) % 2 == 0):
        raise invalid({"members": _("A commission has an odd number of members, at most %(max)s.",
                                    max=rules.commission_max)})
    wanted = {m.email: m for m in members}
    kept = [row for row in call.members if row.email in wanted]
    known = {row.email for row in kept}
    emails = [e for e in wanted if e not in known]
    users = {u.email.lower(): u for u in (await db.execute(
        select(User).where(func.lower(User.email).in_(emails), User.deleted_at.is_(None),
                           User.email_confirmed_at.is_not(None)))).scalars()} if emails else {}
    new: list[CommissionMember] = []
    for email in emails:
        m = wanted[email]
        user = users.get(email)
        new.append(CommissionMember(email=email, name=m.name or (user.name if user else ""), source=m.source,
                                    role=m.role, user_id=user.id if user else None))
    for row in kept:
        row.source, row.role = wanted[row.email].source, wanted[row.email].role
        if wanted[row.email].name:
            row.name = wanted[row.email].name
    call.members = kept + new
    await db.flush()
    audit.record(db, actor, "call.commission_set", "call", call.id, size=len(call.members))
    if new:
        issuer = await issuer_of(db, call)
        account_holders = [users[r.email] for r in new if r.email in users]
        addresses = [Address(email=r.email, language="kk") for r in new if r.email not in users]
        await notify(db, notices.COMMISSION_INVITED.name, [*account_holders, *addresses],
                     key=f"call_commission:{call.id}", base_url=base_url,
                     params={"call_id": call.id, "call": _titles(call)},
                     mail=lambda person: {"person": getattr(person, "name", "") or person.email, "call": call,
                                          "issuer": issuer.name_ru or issuer.name_kk})
    return list(call.members)


@atomic
async def claim_invitations(db: AsyncSession, actor: Actor) -> int:
    """Link the commission seats invited to the person's e-mail address before they had an account (or
    had confirmed it): only a confirmed address proves the seat is theirs."""
    require_confirmed(actor)
    user = require_user(actor)
    seats = list((await db.execute(
        select(CommissionMember.id, CommissionMember.call_id)
        .where(func.lower(CommissionMember.email) == user.email.lower(), CommissionMember.user_id.is_(None))
        .with_for_update())).all())
    if not seats:
        return 0
    await db.execute(update(CommissionMember).where(CommissionMember.id.in_([seat for seat, _call in seats]))
                     .values(user_id=user.id).execution_options(synchronize_session="fetch"))
    for seat, call_id in seats:  # who sits on a commission is the commission's integrity: on the record
        audit.record(db, actor, "call.commission_seat_claimed", "call", call_id, member_id=seat)
    return len(seats)


@atomic
async def follow(db: AsyncSession, actor: Actor, call_id: int) -> bool:
    """Follow a published call (its amendments are told to followers); True when newly following."""
    call = await load_call(db, call_id)
    require_follow(actor, call)
    user = require_user(actor)
    insert = upsert_insert(db)
    result = await db.execute(insert(CallFollower).values(call_id=call.id, user_id=user.id, created_at=utcnow())
                              .on_conflict_do_nothing(index_elements=["call_id", "user_id"]))
    if not result.rowcount:
        return False
    await db.execute(update(Call).where(Call.id == call.id).values(followers_count=Call.followers_count + 1))
    return True


@atomic
async def unfollow(db: AsyncSession, actor: Actor, call_id: int) -> bool:
    call = await load_call(db, call_id)
    user = require_user(actor)
    require_view(actor, call)
    result = await db.execute(delete(CallFollower).where(CallFollower.call_id == call.id,
                                                         CallFollower.user_id == user.id))
    if not result.rowcount:
        return False
    await db.execute(update(Call).where(Call.id == call.id, Call.followers_count > 0)
                     .values(followers_count=Call.followers_count - 1))
    return True


async def commission_calls(db: AsyncSession, actor: Actor) -> list[Call]:
    """The calls whose commission the person sits on (or was invited to by their address)."""
    if actor.user is None:
        return []
    q = select(Call).join(CommissionMember, CommissionMember.call_id == Call.id).where(
        or_(CommissionMember.user_id == actor.user.id, func.lower(CommissionMember.email) == actor.user.email.lower()))
    return list((await db.execute(q.order_by(Call.id.desc()))).scalars())


# ---------------------------------------------------------------- the timeline
async def appeal_deadline(db: AsyncSession, call: Call, results_at: datetime) -> datetime:
    """When the appeal window closes: the end (Almaty) of the `call.appeal_days`-th working day after the
    results were published (the decision's item calls this when it publishes them)."""
    return await calendar.due_after(db, results_at, call.appeal_days)


async def scoring_deadline(db: AsyncSession, call: Call, rules: CompetitionRules | None = None) -> datetime | None:
    """When scoring is due: the end (Almaty) of the `rules.scoring_days`-th working day after scoring
    started (None before it starts)."""
    if call.scoring_started_at is None:
        return None
    rules = rules or await rules_mod.for_call(db, call)
    return await calendar.due_after(db, call.scoring_started_at, rules.scoring_days)


# The stages whose due moment binds someone: the issuer (compliance), the commission (scoring, decision).
# Past it, the running stage is overdue (intake's closing is the clock's; the appeal window's is the
# applicants', and the award follows it).
BINDING_STAGES = ("compliance", "scoring", "decision")
STAGE_ORDER = ("draft", "published", "compliance", "scoring", "decision", "appeals", "awarded")


async def decision_deadline(db: AsyncSession, call: Call, rules: CompetitionRules | None = None) -> datetime | None:
    """When the decision is due: the end (Almaty) of the `rules.decision_days`-th working day after
    scoring closed (None before it closes)."""
    if call.decision_started_at is None:
        return None
    rules = rules or await rules_mod.for_call(db, call)
    return await calendar.due_after(db, call.decision_started_at, rules.decision_days)


@dataclass
class Stage:
    code: str           # a STATUSES value (intake is "published")
    state: str          # "done", "current", "upcoming" or "skipped" (a cancelled call's later stages)
    due: datetime | None  # when it ends (planned, in working days after the one before), if known
    overdue: bool = False  # the current stage is past its due moment (shown publicly)
    late: Any = None  # the running stage past its due moment (compliance.service.Lateness), else None
    whole_day: bool = True  # `due` is the midnight ending a working day (shown as that day); False: a moment
    days_left: int | None = None  # the running stage before its due: working days after today up to its last day
    days_overdue: int | None = None  # the running stage past due: working days after its last day up to today

    @property
    def last_day(self) -> date | None:
        """The day the stage is due (its last day), for a due moment that ends a day."""
        return calendar.last_day(self.due) if self.due is not None and self.whole_day else None


async def stage_dues(db: AsyncSession, call: Call, rules: CompetitionRules | None = None) -> dict[str, datetime | None]:
    """Each stage's due moment: intake closes at `closes_at`; the compliance check is due
    `rules.compliance_days` working days after the closing day; scoring `rules.scoring_days` after that
    (once scoring has started, after its start: `scoring_deadline`); the decision `rules.decision_days`
    after scoring (once it has closed, after the close: `decision_deadline`); the appeals when the appeal
    window closes (known once the results are published)."""
    rules = rules or await rules_mod.for_call(db, call)
    compliance_due = await calendar.due_after(db, call.closes_at, rules.compliance_days)
    scoring_due = (await scoring_deadline(db, call, rules)
                   or await calendar.due_after(db, call.closes_at, rules.compliance_days + rules.scoring_days))
    decision_due = (await decision_deadline(db, call, rules)
                    or await calendar.due_after(db, scoring_due - timedelta(seconds=1), rules.decision_days))
    return {"draft": call.published_at, "published": call.closes_at, "compliance": compliance_due,
            "scoring": scoring_due, "decision": decision_due, "appeals": call.appeals_close_at, "awarded": None}


async def timeline(db: AsyncSession, call: Call, rules: CompetitionRules | None = None,
                   now: datetime | None = None) -> list[Stage]:
    """Each stage with its state and due moment (`stage_dues`). The running stage shows the working days
    left before its due day, or, past it, how many working days it is overdue (a binding stage:
    `BINDING_STAGES`; the compliance check only while applications are unmarked)."""
    now = now or utcnow()
    rules = rules or await rules_mod.for_call(db, call)
    order = list(STAGE_ORDER)
    dues = await stage_dues(db, call, rules)
    current = order.index(call.status) if call.status in order else -1
    out = []
    for i, code in enumerate(order):
        if call.status == "cancelled":
            state = "skipped"
        else:
            state = "done" if i < current else "current" if i == current else "upcoming"
        due = dues.get(code)
        stage = Stage(code, state, due, whole_day=code not in ("draft", "published"))
        if state == "current" and due is not None and code not in ("draft", "awarded"):
            if now < due:
                stage.days_left = await calendar.days_left(db, due, now) if stage.whole_day else None
            elif code in BINDING_STAGES:
                stage.overdue = True
                stage.days_overdue = await calendar.days_late(db, due, now)
        out.append(stage)
    if call.status == "compliance":  # the stage's own rule, in its module (which imports this one)
        from asar.competitions.compliance.service import lateness

        stage = out[order.index("compliance")]
        stage.late = await lateness(db, call, dues["compliance"], now=now, rules=rules)
        stage.overdue = stage.late is not None
    return out


async def overdue_stage(db: AsyncSession, call: Call, rules: CompetitionRules | None = None,
                        now: datetime | None = None) -> Stage | None:
    """The call's running stage if it is overdue now (the reminders' job announces the moment it passes)."""
    if call.status not in BINDING_STAGES:
        return None
    return next((s for s in await timeline(db, call, rules, now) if s.state == "current" and s.overdue), None)
