"""JSON API for calls: the public list with its filters, one call, writing drafts, editing (an amendment
with a reason once the rules are locked), publishing, the commission, amendments and following.
Every integer and moment of a body is bounded in the schema; money is whole tenge; moments are
ISO 8601 (with an offset, or Almaty wall time without one)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Annotated, Any

import msgspec
from litestar import Request, Router, delete, get, patch, post, put
from litestar.params import FromPath, JSONBody, Parameter

from asar.competitions import choices
from asar.competitions import rules as rules_mod
from asar.competitions import service as calls
from asar.competitions.forms import (
    MAX_DESCRIPTION,
    MAX_MONTHS,
    MAX_TITLE,
    parse_call,
    parse_members,
    parse_reason,
)
from asar.competitions.guards import require_edit, require_manage
from asar.competitions.models import KINDS, PUBLIC_STATUSES, Amendment, Call
from asar.competitions.rules import upper
from asar.errors import invalid
from asar.i18n import gettext as _
from asar.organizations.identifiers import org_identifier
from asar.permissions import require_user
from asar.projects.forms import MAX_AMOUNT
from asar.web.openapi import signed_in
from asar.web.urls import request_base_url

UNSET = msgspec.UNSET
Unset = msgspec.UnsetType
Tenge = Annotated[int, msgspec.Meta(ge=1, le=MAX_AMOUNT, description="whole tenge")]
Moment = Annotated[str, msgspec.Meta(max_length=32, description="ISO 8601; without an offset: Almaty time")]
Title = Annotated[str, msgspec.Meta(max_length=MAX_TITLE)]
LongText = Annotated[str, msgspec.Meta(max_length=5000)]


# ---------------------------------------------------------------- response shapes
@dataclass
class IssuerRef:
    id: int
    identifier: str  # org-id.guide: KZ-BIN-<12 digits>
    name: str
    sector: str
    verified: bool


@dataclass
class LotOut:
    id: int
    number: int
    title: str
    budget: int
    duration_months: int
    size_class: str
    expected_results: str
    indicators: str


@dataclass
class CriterionOut:
    id: int
    position: int
    title: str
    description: str
    weight: int
    max_points: int


@dataclass
class DocumentOut:
    id: int
    position: int
    title: str
    note: str


@dataclass
class CommissionMemberOut:
    id: int  # the seat (call_commission_members.id): attendance, scoring progress and sheets name it
    name: str
    source: str
    role: str
    has_account: bool


@dataclass
class EligibilityOut:
    rule: str
    params: dict[str, Any]
    text: str


@dataclass
class CallOut:
    id: int
    kind: str
    kind_label: str
    status: str
    status_label: str
    intake: str  # not_published | upcoming | open | closed (by the server's clock)
    issuer: IssuerRef
    title: str
    title_kk: str
    title_ru: str
    title_en: str
    description: str  # Markdown source
    areas: list[int]
    regions: list[int]
    total_budget: int
    opens_at: datetime
    closes_at: datetime
    languages: list[str]
    eligibility: list[EligibilityOut]
    appeal_days: int
    lots: list[LotOut]
    criteria: list[CriterionOut]
    documents: list[DocumentOut]
    commission: list[CommissionMemberOut]
    mci_year: int | None
    mci_value: int | None
    rules_locked_at: datetime | None
    amendments: int
    followers: int
    published_at: datetime | None
    results_published_at: datetime | None  # the decision's publication: the appeal window opens
    appeals_close_at: datetime | None  # the appeal window's end (null until the results are published)
    cancelled_at: datetime | None
    cancel_reason: str  # public, once cancelled
    url: str


@dataclass
class StageOut:
    code: str  # draft | published (intake) | compliance | scoring | decision | appeals | awarded
    state: str  # done | current | upcoming | skipped (a cancelled call's later stages)
    due: datetime | None  # its due moment (the end of a working day, Almaty), when known
    overdue: bool  # the running stage is past its due moment (shown publicly)
    working_days_left: int | None  # the running stage before its due: working days after today to its last day
    working_days_overdue: int | None  # the running stage past due: working days after its last day to today


@dataclass
class CallListOut:
    items: list[CallOut]
    total: int
    page: int
    per_page: int


@dataclass
class AmendmentOut:
    number: int
    reason: str
    parts: list[str]
    affects_applicants: bool
    closes_at_before: datetime | None
    closes_at_after: datetime | None
    created_at: datetime


@dataclass
class CallFollowOut:
    call_id: int
    following: bool
    followers: int


# ---------------------------------------------------------------- request bodies
class LotBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: Title = ""
    budget: Tenge
    duration_months: Annotated[int, msgspec.Meta(ge=1, le=MAX_MONTHS)]
    size_class: Annotated[str, msgspec.Meta(max_length=16)] = ""  # short | medium | long | social_order | ""
    expected_results: LongText = ""
    indicators: LongText = ""


class CriterionBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: Title = ""
    description: LongText = ""
    weight: Annotated[int, msgspec.Meta(ge=1, le=upper("weights_total"), description="percent; weights add up to 100")]
    max_points: Annotated[int, msgspec.Meta(ge=1, le=upper("max_points"))]


class DocumentBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    title: Title = ""
    note: Annotated[str, msgspec.Meta(max_length=1000)] = ""


class RuleBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    rule: Annotated[str, msgspec.Meta(max_length=40)]  # organization_verified | organization_age
    months: Annotated[int, msgspec.Meta(ge=0, le=600)] | None = None  # organization_age: at least this old


class CallBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """A call; on PATCH only the fields sent change. Once the rules are locked (the first application
    was submitted) a PATCH needs `reason`, and is published as an amendment."""

    kind: Annotated[str, msgspec.Meta(max_length=24)] | Unset = UNSET
    title_kk: Title | Unset = UNSET
    title_ru: Title | Unset = UNSET
    title_en: Title | Unset = UNSET
    description: Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION)] | Unset = UNSET
    areas: Annotated[list[Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]], msgspec.Meta(max_length=20)] | Unset = UNSET
    regions: Annotated[list[Annotated[int, msgspec.Meta(ge=1, le=2**63 - 1)]], msgspec.Meta(max_length=40)] | Unset = UNSET
    total_budget: Tenge | Unset = UNSET
    opens_at: Moment | Unset = UNSET
    closes_at: Moment | Unset = UNSET
    languages: Annotated[list[Annotated[str, msgspec.Meta(max_length=2)]], msgspec.Meta(max_length=2)] | Unset = UNSET
    eligibility: Annotated[list[RuleBody], msgspec.Meta(max_length=10)] | Unset = UNSET
    appeal_days: Annotated[int, msgspec.Meta(ge=1, le=upper("appeal_days_max"))] | Unset = UNSET
    lots: Annotated[list[LotBody], msgspec.Meta(max_length=upper("max_lots"))] | Unset = UNSET
    criteria: Annotated[list[CriterionBody], msgspec.Meta(max_length=upper("max_criteria"))] | Unset = UNSET
    documents: Annotated[list[DocumentBody], msgspec.Meta(max_length=upper("max_documents"))] | Unset = UNSET
    reason: Annotated[str, msgspec.Meta(max_length=2000)] = ""  # the amendment's reason (locked rules)

    def given(self) -> dict[str, Any]:
        out = {}
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if value is UNSET or name == "reason":
                continue
            if name == "eligibility":
                value = [{k: v for k, v in msgspec.to_builtins(r).items() if v is not None} for r in value]
            out[name] = msgspec.to_builtins(value)
        return out


class MemberBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    email: Annotated[str, msgspec.Meta(max_length=320)]
    name: Annotated[str, msgspec.Meta(max_length=200)] = ""
    source: Annotated[str, msgspec.Meta(max_length=8)] = "issuer"  # issuer | expert
    role: Annotated[str, msgspec.Meta(max_length=10)] = "member"  # chair | member | secretary


class CommissionBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    members: Annotated[list[MemberBody], msgspec.Meta(max_length=upper("commission_max") + 1)]


class CancelBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    reason: Annotated[str, msgspec.Meta(max_length=500)]  # required; applicants and followers read it


# ---------------------------------------------------------------- helpers

async def _out(request: Request[Any, Any, Any], call: Call) -> CallOut:
    org = await calls.issuer_of(request.state.db, call)
    return CallOut(
        id=call.id, kind=call.kind, kind_label=choices.kind_label(call.kind), status=call.status,
        status_label=choices.status_label(call.status), intake=call.intake_state(),
        issuer=IssuerRef(org.id, org_identifier(org.bin), org.name, org.sector, org.verified),
        title=call.title, title_kk=call.title_kk, title_ru=call.title_ru, title_en=call.title_en,
        description=call.description, areas=call.area_ids, regions=call.region_ids, total_budget=call.total_budget,
        opens_at=call.opens_at, closes_at=call.closes_at, languages=list(call.languages),
        eligibility=[EligibilityOut(e["rule"], {k: v for k, v in e.items() if k != "rule"}, choices.rule_text(e))
                     for e in call.eligibility],
        appeal_days=call.appeal_days,
        lots=[LotOut(lot.id, lot.position, lot.title, lot.budget, lot.duration_months, lot.size_class,
                     lot.expected_results, lot.indicators) for lot in call.lots],
        criteria=[CriterionOut(c.id, c.position, c.title, c.description, c.weight, c.max_points)
                  for c in call.criteria],
        documents=[DocumentOut(d.id, d.position, d.title, d.note) for d in call.documents],
        commission=[CommissionMemberOut(m.id, m.name, m.source, m.role, m.user_id is not None) for m in call.members],
        mci_year=call.mci_year, mci_value=call.mci_value, rules_locked_at=call.rules_locked_at,
        amendments=call.amendments_count, followers=call.followers_count, published_at=call.published_at,
        results_published_at=call.results_published_at, appeals_close_at=call.appeals_close_at,
        cancelled_at=call.cancelled_at, cancel_reason=call.cancel_reason,
        url=request.app.route_reverse("competitions:detail", call_id=call.id),
    )


def _amendment_out(a: Amendment) -> AmendmentOut:
    return AmendmentOut(a.number, a.reason, list(a.parts), a.affects_applicants, a.closes_at_before,
                        a.closes_at_after, a.created_at)


def _stored_values(call: Call) -> dict[str, Any]:
    """The call as a complete body (PATCH applies the fields sent on top of it)."""
    snap = calls.rules_snapshot(call)
    return {"kind": call.kind, **snap["text"], "areas": snap["areas"], "regions": snap["regions"],
            "total_budget": call.total_budget, "opens_at": snap["window"]["opens_at"],
            "closes_at": snap["window"]["closes_at"], "languages": snap["languages"],
            "eligibility": snap["eligibility"], "appeal_days": call.appeal_days, "lots": snap["lots"],
            "criteria": snap["criteria"], "documents": snap["documents"]}


# ---------------------------------------------------------------- calls
@get("/competitions", name="competitions:api_list", summary="Published calls, with filters")
async def list_calls(
    request: Request[Any, Any, Any],
    kind: str | None = None,
    status: str | None = None,
    area: Annotated[int | None, Parameter(ge=1, le=2**63 - 1)] = None,
    region: Annotated[int | None, Parameter(ge=1, le=2**63 - 1)] = None,
    page: Annotated[int, Parameter(ge=1, le=10_000)] = 1,
    per_page: Annotated[int, Parameter(ge=1, le=100)] = 20,
) -> CallListOut:
    """kind (state_social_order|state_grant|grant_programme), status (published|compliance|scoring|
    decision|appeals|awarded|cancelled), area and region (ids), page, per_page. Newest first."""
    problems = {}
    if kind is not None and kind not in KINDS:
        problems["kind"] = _("Choose the kind of call: state social order, state grant or grant programme.")
    if status is not None and status not in PUBLIC_STATUSES:
        problems["status"] = _("Choose a stage from the list.")
    if problems:
        raise invalid(problems)
    items, total = await calls.list_calls(request.state.db, kind=kind, status=status, area_id=area,
                                          region_id=region, limit=per_page, offset=(page - 1) * per_page)
    return CallListOut([await _out(request, c) for c in items], total, page, per_page)


@get("/competitions/commission-seats", name="competitions:api_seated", guards=[signed_in],
     summary="The calls whose commission you sit on, not yet awarded or cancelled (newest first, at most 20)")
async def seated(request: Request[Any, Any, Any]) -> list[CallOut]:
    return [await _out(request, c) for c in await calls.seated_calls(request.state.db, request.state.actor)]


@get("/competitions/{call_id:int}", name="competitions:api_detail", summary="One call")
async def get_call(request: Request[Any, Any, Any], call_id: FromPath[int]) -> CallOut:
    """Published calls for everyone; drafts for the members of the issuing organization."""
    return await _out(request, await calls.get_call(request.state.db, request.state.actor, call_id))


@post("/competitions", name="competitions:api_create", guards=[signed_in], summary="Write a draft call")
async def create_call(request: Request[Any, Any, Any], data: JSONBody[CallBody]) -> CallOut:
    """A draft of the government body (state_social_order, state_grant) or business (grant_programme) you act
    for. Lots add up within the total budget; a state grant's lots have a size class checked against the
    MCI of the year intake opens; criteria weights add up to 100; intake lasts 20 to 30 days."""
    rules = await rules_mod.current(request.state.db)
    call = await calls.create_call(request.state.db, request.state.actor, parse_call(data.given(), rules), rules)
    return await _out(request, call)


@patch("/competitions/{call_id:int}", name="competitions:api_update", guards=[signed_in], summary="Edit a call")
async def update_call(request: Request[Any, Any, Any], call_id: FromPath[int], data: JSONBody[CallBody]) -> CallOut:
    """Members of the issuer. After the first application is submitted the rules are locked: the change
    needs `reason` and is published as an amendment, which extends the closing time when it changes what
    applicants are judged by."""
    db, actor = request.state.db, request.state.actor
    call = await calls.load_call(db, call_id)
    require_edit(actor, call)
    values = _stored_values(call)
    values.update(data.given())
    reason = parse_reason({"reason": data.reason}) if call.rules_locked else ""
    rules = await rules_mod.for_call(db, call)
    await calls.update_call(db, actor, call.id, parse_call(values, rules), reason=reason, base_url=request_base_url(request),
                            rules=rules)
    return await _out(request, await calls.load_call(db, call_id, for_update=False))


@post("/competitions/{call_id:int}/publish", name="competitions:api_publish", guards=[signed_in], status_code=200,
      summary="Announce a draft call (verified issuers)")
async def publish_call(request: Request[Any, Any, Any], call_id: FromPath[int]) -> CallOut:
    return await _out(request, await calls.publish_call(request.state.db, request.state.actor, call_id))


@put("/competitions/{call_id:int}/commission", name="competitions:api_commission", guards=[signed_in],
     summary="Set the commission (an odd number of members, at most 15)")
async def set_commission(request: Request[Any, Any, Any], call_id: FromPath[int],
                         data: JSONBody[CommissionBody]) -> CallOut:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    call = await calls.load_call(db, call_id)
    require_manage(actor, call)
    rules = await rules_mod.for_call(db, call)
    members = parse_members([msgspec.to_builtins(m) for m in data.members], rules)
    await calls.set_commission(db, actor, call_id, members, base_url=request_base_url(request), rules=rules)
    return await _out(request, await calls.load_call(db, call_id))


@post("/competitions/{call_id:int}/commission/join", name="competitions:api_join_commission", guards=[signed_in],
      status_code=200, summary="Take the commission seats invited to your (confirmed) e-mail address")
async def join_commission(request: Request[Any, Any, Any], call_id: FromPath[int]) -> CallOut:
    """For a person invited by e-mail before they had an account: the seats named by their address (on every
    call) become theirs. Nothing to take changes nothing."""
    db, actor = request.state.db, request.state.actor
    await calls.get_call(db, actor, call_id)
    await calls.claim_invitations(db, actor)
    return await _out(request, await calls.load_call(db, call_id))


@post("/competitions/{call_id:int}/cancel", name="competitions:api_cancel", guards=[signed_in], status_code=200,
      summary="Cancel a call, with the reason (the issuer)")
async def cancel_call(request: Request[Any, Any, Any], call_id: FromPath[int], data: JSONBody[CancelBody]) -> CallOut:
    """From any stage before the award; `status` becomes `cancelled` and the reason is public."""
    call = await calls.advance(request.state.db, request.state.actor, call_id, "cancelled", reason=data.reason.strip())
    return await _out(request, call)


@get("/competitions/{call_id:int}/timeline", name="competitions:api_timeline",
     summary="A call's stages with their state and due moment, in working days (the call page's timeline)")
async def timeline(request: Request[Any, Any, Any], call_id: FromPath[int]) -> list[StageOut]:
    db = request.state.db
    call = await calls.get_call(db, request.state.actor, call_id)
    return [StageOut(s.code, s.state, s.due, s.overdue, s.days_left, s.days_overdue)
            for s in await calls.timeline(db, call)]


@get("/competitions/{call_id:int}/amendments", name="competitions:api_amendments", summary="A call's amendments")
async def list_amendments(request: Request[Any, Any, Any], call_id: FromPath[int]) -> list[AmendmentOut]:
    call = await calls.get_call(request.state.db, request.state.actor, call_id)
    return [_amendment_out(a) for a in await calls.list_amendments(request.state.db, call)]


async def _follow_out(request: Request[Any, Any, Any], call_id: int) -> CallFollowOut:
    db, actor = request.state.db, request.state.actor
    call = await calls.load_call(db, call_id)
    await db.refresh(call)
    return CallFollowOut(call.id, await calls.is_following(db, actor, call), call.followers_count)


@put("/competitions/{call_id:int}/follow", name="competitions:api_follow", guards=[signed_in],
     summary="Follow a call (its amendments are told)")
async def follow(request: Request[Any, Any, Any], call_id: FromPath[int]) -> CallFollowOut:
    await calls.follow(request.state.db, request.state.actor, call_id)
    return await _follow_out(request, call_id)


@delete("/competitions/{call_id:int}/follow", name="competitions:api_unfollow", guards=[signed_in],
        status_code=200, summary="Stop following a call")
async def unfollow(request: Request[Any, Any, Any], call_id: FromPath[int]) -> CallFollowOut:
    await calls.unfollow(request.state.db, request.state.actor, call_id)
    return await _follow_out(request, call_id)


router = Router(path="/api/v1", route_handlers=[list_calls, seated, get_call, create_call, update_call, publish_call,
                                                set_commission, join_commission, cancel_call, timeline, list_amendments,
                                                follow, unfollow],
                tags=["competitions"])
routes = [router]
