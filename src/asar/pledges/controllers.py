"""Sponsorship pages: a project's sponsorship panel (included in the project page and pushed live),
the pledge form, its review step and the receipt, answering and withdrawing pledges, recording a
tranche paid, and the interest threads."""

from __future__ import annotations

from typing import Any

from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from asar import live
from asar.db import utcnow
from asar.errors import Conflict, Invalid
from asar.i18n import current_language, pgettext
from asar.i18n import gettext as _
from asar.live import log as live_log
from asar.permissions import require_user
from asar.pledges import guards, interest, service, states
from asar.pledges.forms import new_key, parse_pledge, pledge_values
from asar.pledges.models import Pledge
from asar.pledges.words import tenge_in_words
from asar.projects.models import Project
from asar.web.templating import page, redirect
from asar.web.urls import request_base_url


def state_label(state: str) -> str:
    return {
        "offered": pgettext("pledge state", "awaiting the project's answer"),
        "accepted": pgettext("pledge state", "accepted"), "declined": pgettext("pledge state", "declined"),
        "withdrawn": pgettext("pledge state", "withdrawn"), "completed": pgettext("pledge state", "completed"),
        "expired": pgettext("pledge state", "lapsed unanswered"),
    }.get(state, state)


def _render(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    return page(request, template, status_code, state_label=state_label, **context)


async def panel_context(request: Request[Any, Any, Any], project: Project) -> dict[str, Any]:
    """What the sponsorship panel shows this person about the project."""
    db, actor = request.state.db, request.state.actor
    team = guards.is_project_side(actor, project)
    return {
        "project": project, "funding": await service.funding_of(db, project),
        "team": team, "may_sponsor": guards.may_sponsor(actor, project),
        "pledges": await service.pledges_of_project(db, actor, project) if actor.user else [],
        "threads": await interest.threads_of_project(db, actor, project) if actor.user else [],
        "sponsors": await service.public_sponsors(db, project.id),
    }


@get("/projects/{project_id:int}/sponsorship", name="pledges:project", include_in_schema=False)
async def project_page(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    """The project's money: live progress, its sponsors, pledging and talking to its organization."""
    project = await service.get_project(request.state.db, project_id)
    return _render(request, "pledges/project.html", **await panel_context(request, project))


@get("/projects/{project_id:int}/sponsorship/panel", name="pledges:panel", include_in_schema=False)
async def panel(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    """The panel alone (the project page loads it; the live stream asks the project's team to
    re-fetch it when a pledge changes)."""
    project = await service.get_project(request.state.db, project_id)
    return _render(request, "pledges/partials/panel.html", **await panel_context(request, project))


# ---------------------------------------------------------------- pledging: form, review, confirm
async def _form(request: Request[Any, Any, Any], project: Project, values: dict[str, Any],
                errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    funding = await service.funding_of(request.state.db, project)
    return _render(request, "pledges/form.html", status_code, project=project, funding=funding, values=values,
                   errors=errors or {})


@get("/projects/{project_id:int}/pledge", name="pledges:new", include_in_schema=False)
async def new_pledge(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    project = await service.get_project(request.state.db, project_id)
    guards.require_sponsor(request.state.actor, project)
    return await _form(request, project, {"amount": "", "conditions": "", "tranches": {}})


@post("/projects/{project_id:int}/pledge/review", name="pledges:review", include_in_schema=False)
async def review(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Template:
    """The review step: what will be pledged, in figures and words, before the sponsor confirms."""
    db, actor = request.state.db, request.state.actor
    project = await service.get_project(db, project_id)
    guards.require_sponsor(actor, project)
    values = pledge_values(await request.form())
    try:
        data = parse_pledge(values, key_required=False)
        funding = await service.funding_of(db, project)
        problem = states.amount_problem(data.amount, states.Funding(
            goal=funding.goal, committed=funding.committed, reserved=funding.reserved,
            allow_overfunding=project.allow_overfunding))
        if problem:
            raise Invalid(problem, errors={"amount": problem})
        plan, problem = states.plan_tranches(
            data.amount, [states.Stage(m.id, m.position) for m in project.milestones], data.tranches)
        if problem:
            raise Invalid(problem, errors={"tranches": problem})
    except Invalid as exc:
        return await _form(request, project, values, exc.errors or {"form": exc.message}, exc.status)
    titles = {m.id: m for m in project.milestones}
    return _render(request, "pledges/review.html", project=project, data=data, key=new_key(),
                   words=tenge_in_words(data.amount, current_language()),
                   plan=[(titles[m], amount) for m, amount in plan], values=values)


@post("/projects/{project_id:int}/pledges", name="pledges:create", include_in_schema=False)
async def confirm(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any] | Template:
    """The sponsor confirms: the pledge is made (once, whatever retries) and the receipt shown."""
    db, actor = request.state.db, request.state.actor
    project = await service.get_project(db, project_id)
    guards.require_sponsor(actor, project)
    values = pledge_values(await request.form())
    try:
        row, _made = await service.pledge(db, actor, project_id, parse_pledge(values), base_url=request_base_url(request),
                                          offer_days=request.app.state.settings.pledge_offer_days)
    except (Invalid, Conflict) as exc:
        project = await service.get_project(db, project_id)
        return await _form(request, project, values, exc.errors or {"form": exc.message}, exc.status)
    return redirect(request, request.app.route_reverse("pledges:detail", pledge_id=row.id),
                    _("Your pledge is sent. The project's organization will answer it."))


# ---------------------------------------------------------------- one pledge: receipt and answers
@get("/pledges/{pledge_id:int}", name="pledges:detail", include_in_schema=False)
async def detail(request: Request[Any, Any, Any], pledge_id: FromPath[int]) -> Template:
    """The pledge's receipt, with what each party may do next."""
    db, actor = request.state.db, request.state.actor
    require_user(actor)
    row, project, sponsor = await service.get_pledge(db, actor, pledge_id)
    return _render(request, "pledges/receipt.html", pledge=row, project=project, sponsor=sponsor,
                   words=tenge_in_words(row.amount, current_language()),
                   may_answer=(row.state == states.OFFERED and not states.lapsed(row.state, row.expires_at, utcnow())
                               and guards.may_answer_pledge(actor, project)),
                   sponsor_side=guards.is_sponsor_side(actor, row))


async def _act(request: Request[Any, Any, Any], pledge_id: int, verb: Any, message: str, **kwargs: Any) -> Response[Any]:
    db, actor = request.state.db, request.state.actor
    row: Pledge = await verb(db, actor, pledge_id, base_url=request_base_url(request), **kwargs)
    if request.htmx and request.headers.get("hx-target", "").startswith("pledge-panel"):
        project = await service.get_project(db, row.project_id)
        return _render(request, "pledges/partials/panel.html", **await panel_context(request, project))  # type: ignore[return-value]
    return redirect(request, request.app.route_reverse("pledges:detail", pledge_id=pledge_id), message)


@post("/pledges/{pledge_id:int}/accept", name="pledges:accept", include_in_schema=False)
async def accept(request: Request[Any, Any, Any], pledge_id: FromPath[int]) -> Response[Any]:
    return await _act(request, pledge_id, service.accept_pledge, _("The pledge is accepted."))


@post("/pledges/{pledge_id:int}/decline", name="pledges:decline", include_in_schema=False)
async def decline(request: Request[Any, Any, Any], pledge_id: FromPath[int]) -> Response[Any]:
    form = await request.form()
    reason = form.get("reason")
    return await _act(request, pledge_id, service.decline_pledge, _("The pledge is declined."),
                      reason=reason if isinstance(reason, str) else "")


@post("/pledges/{pledge_id:int}/withdraw", name="pledges:withdraw", include_in_schema=False)
async def withdraw(request: Request[Any, Any, Any], pledge_id: FromPath[int]) -> Response[Any]:
    return await _act(request, pledge_id, service.withdraw_pledge, _("Your pledge is withdrawn."))


@post("/pledges/{pledge_id:int}/tranches/{tranche_id:int}/disburse", name="pledges:disburse",
      include_in_schema=False)
async def disburse(request: Request[Any, Any, Any], pledge_id: FromPath[int], tranche_id: FromPath[int]) -> Response[Any]:
    db, actor = request.state.db, request.state.actor
    await service.disburse_tranche(db, actor, pledge_id, tranche_id, base_url=request_base_url(request))
    return redirect(request, request.app.route_reverse("pledges:detail", pledge_id=pledge_id),
                    _("The tranche is recorded as paid."))


# ---------------------------------------------------------------- interest threads
@post("/projects/{project_id:int}/interest", name="pledges:interest", include_in_schema=False)
async def express_interest(request: Request[Any, Any, Any], project_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    form = await request.form()
    body = form.get("body")
    try:
        thread, _message = await interest.express_interest(db, actor, project_id, body if isinstance(body, str) else "",
                                                           base_url=request_base_url(request))
    except (Invalid, Conflict) as exc:
        project = await service.get_project(db, project_id)
        return _render(request, "pledges/project.html", exc.status, errors=exc.errors or {"body": exc.message},
                       body=body if isinstance(body, str) else "", **await panel_context(request, project))
    return redirect(request, request.app.route_reverse("pledges:thread", thread_id=thread.id),
                    _("Your message is sent to the project's organization."))


async def _thread_page(request: Request[Any, Any, Any], thread_id: int, errors: dict[str, str] | None = None,
                       body: str = "", status_code: int = 200) -> Template:
    db, actor = request.state.db, request.state.actor
    # the seq the page is rendered at, read first: a message committed meanwhile is sent again, never missed
    since = await live_log.last_seq(db, live.stream_key("thread", thread_id)) if 0 < thread_id < 2**63 else 0
    thread, project, sponsor = await interest.get_thread(db, actor, thread_id)
    return _render(request, "pledges/thread.html", status_code, thread=thread, project=project, sponsor=sponsor,
                   errors=errors or {}, body=body, live_since=since)


@get("/interest/{thread_id:int}", name="pledges:thread", include_in_schema=False)
async def thread_page(request: Request[Any, Any, Any], thread_id: FromPath[int]) -> Template:
    return await _thread_page(request, thread_id)


@post("/interest/{thread_id:int}/messages", name="pledges:reply", include_in_schema=False)
async def reply(request: Request[Any, Any, Any], thread_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    form = await request.form()
    body = form.get("body")
    text = body if isinstance(body, str) else ""
    try:
        await interest.reply(db, actor, thread_id, text, base_url=request_base_url(request))
    except Invalid as exc:
        return await _thread_page(request, thread_id, exc.errors, text, exc.status)
    return redirect(request, request.app.route_reverse("pledges:thread", thread_id=thread_id), _("Message sent."))


routes = [project_page, panel, new_pledge, review, confirm, detail, accept, decline, withdraw, disburse,
          express_interest, thread_page, reply]
