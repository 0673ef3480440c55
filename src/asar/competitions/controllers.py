"""Call pages: the public list (/competitions), the call's page, writing a call (issuer staff), publishing,
amending once the rules are locked, the commission, following."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.datastructures import FormMultiDict
from litestar.params import FromPath
from litestar.response import Template

from asar.competitions import choices
from asar.competitions import live as call_live
from asar.competitions import rules as rules_mod
from asar.competitions import service as calls
from asar.competitions.applications import service as applications
from asar.competitions.applications.budget import CATEGORIES, DEFAULT_ADMIN_SHARE, category_label
from asar.competitions.awards.service import call_awards
from asar.competitions.forms import parse_call, parse_members, parse_reason
from asar.competitions.guards import (
    is_commission_member,
    may_create,
    may_edit,
    may_follow,
    may_manage,
    may_publish,
    require_create,
    require_edit,
    require_manage,
)
from asar.competitions.models import KIND_OF_SECTOR, KINDS, PUBLIC_STATUSES, Call
from asar.errors import Conflict, Invalid
from asar.i18n import TIMEZONE
from asar.i18n import gettext as _
from asar.inputs import bounded_int
from asar.live import log as live_log
from asar.permissions import require_user
from asar.reference.service import list_areas, list_regions
from asar.web.templating import page, redirect
from asar.web.urls import request_base_url, request_path

LOT_PARTS = ("title", "budget", "duration_months", "size_class", "expected_results", "indicators")
CRITERION_PARTS = ("title", "description", "weight", "max_points")
DOCUMENT_PARTS = ("title", "note")
MEMBER_PARTS = ("email", "name", "source", "role")
SCALARS = ("kind", "title_kk", "title_ru", "title_en", "description", "total_budget", "opens_at", "closes_at",
           "appeal_days", "min_age_months", "reason")
PAGE_SIZE = 20


def _render(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    return page(request, template, status_code, **{**choices.LABELS, **context})  # a page may tailor a label


def _rows(form: FormMultiDict, prefix: str, parts: tuple[str, ...], limit: int) -> list[dict[str, Any]]:
    rows = []
    for i in range(limit):
        row = {part: form.get(f"{prefix}_{part}_{i}") for part in parts}
        if all(v is None for v in row.values()):
            break
        rows.append({k: v if isinstance(v, str) else "" for k, v in row.items()})
    return rows


# ---------------------------------------------------------------- the form
def form_values(form: FormMultiDict) -> dict[str, Any]:
    """What was typed, as the parser and the template want it."""
    values: dict[str, Any] = {name: form.get(name) if isinstance(form.get(name), str) else "" for name in SCALARS}
    for name in ("areas", "regions", "languages", "eligibility"):
        values[name] = [v for v in form.getall(name, []) if isinstance(v, str)]
    # one row past the largest the rules allow (rules.upper), so the parser can say there are too many
    values["lots"] = _rows(form, "lot", LOT_PARTS, rules_mod.upper("max_lots") + 1)
    values["criteria"] = _rows(form, "criterion", CRITERION_PARTS, rules_mod.upper("max_criteria") + 1)
    values["documents"] = _rows(form, "document", DOCUMENT_PARTS, rules_mod.upper("max_documents") + 1)
    if any(f"cap_{c}" in form for c in CATEGORIES):
        values["budget_caps"] = {c: v if isinstance(v := form.get(f"cap_{c}"), str) else "" for c in CATEGORIES}
    return values


def _local(moment: Any) -> str:
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")


def call_values(call: Call) -> dict[str, Any]:
    age = next((e.get("months") for e in call.eligibility if e.get("rule") == "organization_age"), "")
    return {
        "kind": call.kind, "title_kk": call.title_kk, "title_ru": call.title_ru, "title_en": call.title_en,
        "description": call.description, "total_budget": str(call.total_budget),
        "opens_at": _local(call.opens_at), "closes_at": _local(call.closes_at), "appeal_days": str(call.appeal_days),
        "areas": [str(a) for a in call.area_ids], "regions": [str(r) for r in call.region_ids],
        "languages": list(call.languages), "eligibility": [e["rule"] for e in call.eligibility],
        "min_age_months": str(age), "reason": "",
        "lots": [{"title": lot.title, "budget": str(lot.budget), "duration_months": str(lot.duration_months),
                  "size_class": lot.size_class, "expected_results": lot.expected_results,
                  "indicators": lot.indicators} for lot in call.lots],
        "criteria": [{"title": c.title, "description": c.description, "weight": str(c.weight),
                      "max_points": str(c.max_points)} for c in call.criteria],
        "documents": [{"title": d.title, "note": d.note} for d in call.documents],
    }


def _padded(rows: list[dict[str, Any]], parts: tuple[str, ...], extra: int) -> list[dict[str, Any]]:
    blank = dict.fromkeys(parts, "")
    return rows + [dict(blank) for _ in range(extra)]


async def _form_page(request: Request[Any, Any, Any], *, call: Call | None, values: dict[str, Any],
                     errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    db, actor = request.state.db, request.state.actor
    org = actor.organization
    kinds = KIND_OF_SECTOR.get(org.sector, ()) if org is not None else ()
    rules = await rules_mod.for_call(db, call)
    return _render(request, "competitions/form.html", status_code, call=call, values=values, errors=errors or {},
                   kinds=kinds or KINDS, areas=await list_areas(db), regions=await list_regions(db),
                   lot_rows=_padded(values.get("lots") or [], LOT_PARTS, 2),
                   criterion_rows=_padded(values.get("criteria") or [], CRITERION_PARTS, 2),
                   document_rows=_padded(values.get("documents") or [], DOCUMENT_PARTS, 2),
                   cap_categories=CATEGORIES, category_label=category_label,
                   default_admin_share=DEFAULT_ADMIN_SHARE, rules=rules,
                   size_class_label=choices.size_class_label_for(rules))


@get("/competitions/new", name="competitions:new", include_in_schema=False)
async def new_form(request: Request[Any, Any, Any]) -> Template:
    actor = request.state.actor
    require_create(actor)
    kind = KIND_OF_SECTOR.get(actor.organization.sector, ("",))[0]
    appeal_days = (await rules_mod.current(request.state.db)).appeal_days_default
    return await _form_page(request, call=None, values={
        "kind": kind, "areas": [], "regions": [], "languages": ["kk", "ru"], "appeal_days": str(appeal_days),
        "eligibility": ["organization_verified"], "lots": [], "criteria": [], "documents": []})


@post("/competitions/new", name="competitions:create", include_in_schema=False)
async def create(request: Request[Any, Any, Any]) -> Response[Any] | Template:
    actor = request.state.actor
    require_create(actor)
    values = form_values(await request.form())
    try:
        rules = await rules_mod.current(request.state.db)
        call = await calls.create_call(request.state.db, actor, parse_call(values, rules), rules)
    except (Invalid, Conflict) as exc:
        return await _form_page(request, call=None, values=values, errors=exc.errors or {"form": exc.message},
                                status_code=exc.status)
    return redirect(request, request_path(request, "competitions:detail", call_id=call.id),
                    _("The draft call is saved. Publish it when it is ready."))


@get("/competitions/{call_id:int}/edit", name="competitions:edit", include_in_schema=False)
async def edit_form(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    actor = request.state.actor
    require_user(actor)
    call = await calls.load_call(request.state.db, call_id)
    require_edit(actor, call)
    caps = await calls.budget_caps_of(request.state.db, call.id)
    return await _form_page(request, call=call, values={**call_values(call),
                                                        "budget_caps": {c: str(p) for c, p in caps.items()}})


@post("/competitions/{call_id:int}/edit", name="competitions:update", include_in_schema=False)
async def update(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    call = await calls.load_call(db, call_id)
    require_edit(actor, call)
    values = form_values(await request.form())
    try:
        reason = parse_reason(values) if call.rules_locked else ""
        rules = await rules_mod.for_call(db, call)
        amendment = await calls.update_call(db, actor, call.id, parse_call(values, rules), reason=reason,
                                            base_url=request_base_url(request), rules=rules)
    except (Invalid, Conflict) as exc:
        call = await calls.load_call(db, call_id)
        return await _form_page(request, call=call, values=values, errors=exc.errors or {"form": exc.message},
                                status_code=exc.status)
    message = (_("The amendment is published; applicants and followers are told.") if amendment is not None
               else _("Changes saved."))
    return redirect(request, request_path(request, "competitions:detail", call_id=call_id), message)


# ---------------------------------------------------------------- the list and the call's page
def _filter(request: Request[Any, Any, Any], name: str, allowed: tuple[str, ...]) -> str | None:
    value = request.query_params.get(name) or None
    return value if value in allowed else None


@get("/competitions", name="competitions:list", include_in_schema=False, opt={"read_only": True})
async def list_page(request: Request[Any, Any, Any]) -> Template:
    db = request.state.db
    kind = _filter(request, "kind", KINDS)
    status = _filter(request, "status", PUBLIC_STATUSES)
    area_id = bounded_int(request.query_params.get("area") or "", 1)
    region_id = bounded_int(request.query_params.get("region") or "", 1)
    number = bounded_int(request.query_params.get("page") or "1", 1, 10_000) or 1
    items, total = await calls.list_calls(db, kind=kind, status=status, area_id=area_id, region_id=region_id,
                                          limit=PAGE_SIZE, offset=(number - 1) * PAGE_SIZE)
    return _render(request, "competitions/list.html", items=items, total=total, page_number=number,
                   pages=max(1, -(-total // PAGE_SIZE)), kind=kind, status=status, area_id=area_id,
                   region_id=region_id, areas=await list_areas(db), regions=await list_regions(db),
                   public_statuses=PUBLIC_STATUSES, may_create=may_create(request.state.actor),
                   in_ngo=any(m.organization.sector == "ngo" for m in request.state.actor.memberships),
                   seated=await calls.seated_calls(db, request.state.actor))


@get("/competitions/{call_id:int}", name="competitions:detail", include_in_schema=False, opt={"read_only": True})
async def detail(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    db, actor = request.state.db, request.state.actor
    live_since = await live_log.last_seq(db, call_live.key(call_id))  # before the call: a change in between is re-sent
    call = await calls.get_call(db, actor, call_id)
    invited = actor.user is not None and any(m.user_id is None and m.email == actor.user.email.lower()
                                             for m in call.members)
    return _render(request, "competitions/detail.html", call=call, issuer=await calls.issuer_of(db, call),
                   amendments=await calls.list_amendments(db, call), timeline=await calls.timeline(db, call),
                   counts=await call_live.application_counts(db, call),
                   following=await calls.is_following(db, actor, call), rules_text=choices.rules_text(call),
                   size_class_label=choices.size_class_label_for(await rules_mod.for_call(db, call)),
                   region_names={r.id: r.name for r in await list_regions(db)},
                   area_names={a.id: a.name for a in await list_areas(db)},
                   intake=call.intake_state(), may_edit=may_edit(actor, call), may_publish=may_publish(actor, call),
                   may_manage=may_manage(actor, call), may_follow=may_follow(actor, call), invited=invited,
                   is_member=is_commission_member(actor, call), live_since=live_since,
                   appeals=await call_live.public_appeals(db, call),
                   awards=await call_awards(db, call.id), own=await applications.acting_on_call(db, actor, call.id))


# ---------------------------------------------------------------- lifecycle
@post("/competitions/{call_id:int}/publish", name="competitions:publish", include_in_schema=False)
async def publish(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    await calls.publish_call(request.state.db, request.state.actor, call_id)
    return redirect(request, request_path(request, "competitions:detail", call_id=call_id),
                    _("The call is announced: intake opens and closes at the times it states."))


@post("/competitions/{call_id:int}/cancel", name="competitions:cancel", include_in_schema=False)
async def cancel(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    form = await request.form()
    reason = str(form.get("reason") or "").strip()
    await calls.advance(request.state.db, request.state.actor, call_id, "cancelled", reason=reason)
    return redirect(request, request_path(request, "competitions:detail", call_id=call_id), _("The call is cancelled."))


# ---------------------------------------------------------------- the commission
@get("/competitions/{call_id:int}/commission", name="competitions:commission", include_in_schema=False)
async def commission_form(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    actor = request.state.actor
    require_user(actor)
    call = await calls.load_call(request.state.db, call_id)
    require_manage(actor, call)
    most = (await rules_mod.for_call(request.state.db, call)).commission_max
    rows = [{"email": m.email, "name": m.name, "source": m.source, "role": m.role} for m in call.members]
    return _render(request, "competitions/commission.html", call=call, errors={}, commission_max=most,
                   member_rows=_padded(rows, MEMBER_PARTS, max(1, most - len(rows)) if len(rows) < most else 0))


@post("/competitions/{call_id:int}/commission", name="competitions:set_commission", include_in_schema=False)
async def set_commission(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    call = await calls.load_call(db, call_id)
    require_manage(actor, call)
    # a row without an address or a name is unused, whatever its lists say (a browser always sends their choice)
    rules = await rules_mod.for_call(db, call)
    rows = [r for r in _rows(await request.form(), "member", MEMBER_PARTS, max(20, rules.commission_max + 1))
            if r["email"].strip() or r["name"].strip()]
    try:
        await calls.set_commission(db, actor, call.id, parse_members(rows, rules), base_url=request_base_url(request),
                                   rules=rules)
    except (Invalid, Conflict) as exc:
        call = await calls.load_call(db, call_id)
        return _render(request, "competitions/commission.html", exc.status, call=call,
                       errors=exc.errors or {"form": exc.message}, commission_max=rules.commission_max,
                       member_rows=_padded(rows, MEMBER_PARTS, max(0, rules.commission_max - len(rows))))
    return redirect(request, request_path(request, "competitions:detail", call_id=call_id),
                    _("The commission is saved; new members are told."))


@post("/competitions/{call_id:int}/commission/join", name="competitions:join_commission", include_in_schema=False)
async def join_commission(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    await calls.get_call(request.state.db, request.state.actor, call_id)
    await calls.claim_invitations(request.state.db, request.state.actor)
    return redirect(request, request_path(request, "competitions:detail", call_id=call_id),
                    _("You have taken your seat on the commission."))


# ---------------------------------------------------------------- following
@post("/competitions/{call_id:int}/follow", name="competitions:follow", include_in_schema=False)
async def follow(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    await calls.follow(request.state.db, request.state.actor, call_id)
    return redirect(request, request_path(request, "competitions:detail", call_id=call_id),
                    _("You follow this call: you will be told of its amendments."))


@post("/competitions/{call_id:int}/unfollow", name="competitions:unfollow", include_in_schema=False)
async def unfollow(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    require_user(request.state.actor)
    await calls.unfollow(request.state.db, request.state.actor, call_id)
    return redirect(request, request_path(request, "competitions:detail", call_id=call_id),
                    _("You no longer follow this call."))


routes = [list_page, new_form, create, edit_form, update, detail, publish, cancel, commission_form, set_commission,
          join_commission, follow, unfollow]
