"""Hearings pages: the list, creating and editing (officials), the hearing page with registration and
its calendar file, the live room, the projector view, and the chair's poll form."""

from __future__ import annotations

from typing import Any

from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotAuthenticated, NotFound, ServiceError
from asar.hearings import commitments as commitment_service
from asar.hearings import ics, polls, service
from asar.hearings import minutes as minutes_service
from asar.hearings.actions import (
    ACTIONS,
    Action,
    ack_fragments,
    ack_status,
    check_rate,
    vote_labels,
    with_client_id,
)
from asar.hearings.choices import SECTOR_LABELS, label
from asar.hearings.events import STREAM
from asar.hearings.forms import local_input, parse_hearing, parse_poll
from asar.hearings.fragments import Renderer, helpers
from asar.hearings.guards import (
    may_chair_hearing,
    may_create_hearing,
    require_chair_hearing,
    require_create_hearing,
)
from asar.hearings.minutes_pdf import minutes_pdf as draw
from asar.hearings.models import Hearing
from asar.hearings.snapshot import Viewer, load_room, viewer_for
from asar.i18n import N_, current_language
from asar.i18n import gettext as _
from asar.organizations.service import get_organization
from asar.reference.service import list_regions
from asar.web.templating import page, redirect, url_reverser

FORM_LISTS = ("languages", "agenda_title", "agenda_minutes")
BLANK_AGENDA_ROWS = 3


def _page(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    return page(request, template, status_code, **helpers(), **context)


async def _form_data(request: Request[Any, Any, Any]) -> dict[str, Any]:
    form = await request.form()
    data: dict[str, Any] = {k: form.get(k) for k in form if k not in FORM_LISTS}
    for name in FORM_LISTS:
        data[name] = form.getall(name) if name in form else []
    return data


def _values_of(h: Hearing) -> dict[str, Any]:
    return {
        "title": h.title, "topic": h.topic, "description": h.description, "region_id": str(h.region_id or ""),
        "starts_at": local_input(h.starts_at), "duration_minutes": str(h.duration_minutes), "format": h.format,
        "venue": h.venue, "languages": h.language_list, "participation": h.participation,
        "moderation_mode": h.moderation_mode, "results_visibility": h.results_visibility,
        "agenda_title": [a.title for a in h.agenda], "agenda_minutes": [str(a.minutes) for a in h.agenda],
        "invitees": "\n".join(i.email for i in h.invitees),
        "related_kind": h.related_kind or "", "related_title": h.related_title, "related_url": h.related_url,
        "document_title": h.document_title, "document_text": h.document_text,
    }


def _agenda_rows(values: dict[str, Any]) -> list[tuple[str, str]]:
    titles = list(values.get("agenda_title") or [])
    minutes = list(values.get("agenda_minutes") or [])
    rows = [(t, minutes[i] if i < len(minutes) else "") for i, t in enumerate(titles) if t or
            (i < len(minutes) and minutes[i])]
    return rows + [("", "")] * BLANK_AGENDA_ROWS


async def _form_page(request: Request[Any, Any, Any], *, hearing: Hearing | None, values: dict[str, Any],
                     errors: dict[str, str] | None = None, status_code: int = 200) -> Template:
    return _page(request, "hearings/form.html", status_code, hearing=hearing, values=values, errors=errors or {},
                 agenda_rows=_agenda_rows(values), regions=await list_regions(request.state.db))


@get("/hearings", name="hearings:list", include_in_schema=False, opt={"read_only": True})
async def hearing_list(request: Request[Any, Any, Any], status: str | None = None) -> Template:
    status = status if status in ("scheduled", "live", "closed") else None
    hearings, total = await service.hearing_cards(request.state.db, request.state.actor, status=status, limit=100)
    url = url_reverser(request.app).for_ids("hearings:detail", "hearing_id")
    for card in hearings:  # cards carry their text and URL: the template only prints them
        card.url = url(card.id)
    return page(request, "hearings/list.html", hearings=hearings, total=total, status=status,
                status_labels=service.status_labels(), may_create=may_create_hearing(request.state.actor))


@get("/hearings/new", name="hearings:new", include_in_schema=False)
async def new_hearing(request: Request[Any, Any, Any]) -> Template:
    require_create_hearing(request.state.actor)
    values = {"duration_minutes": "90", "format": "online", "languages": ["kk", "ru"], "participation": "all",
              "moderation_mode": "post", "results_visibility": "live", "related_kind": ""}
    return await _form_page(request, hearing=None, values=values)


@post("/hearings", name="hearings:create", include_in_schema=False)
async def create_hearing(request: Request[Any, Any, Any]) -> Response[Any] | Template:
    require_create_hearing(request.state.actor)
    data = await _form_data(request)
    try:
        hearing = await service.create_hearing(request.state.db, request.state.actor, parse_hearing(data))
    except Invalid as exc:
        return await _form_page(request, hearing=None, values=data, errors=exc.errors, status_code=400)
    path = request.app.route_reverse("hearings:detail", hearing_id=hearing.id)
    return redirect(request, path, _("The hearing is saved as a draft. Schedule it to publish it."))


@get("/hearings/{hearing_id:int}/edit", name="hearings:edit", include_in_schema=False)
async def edit_hearing(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Template:
    hearing = await service.visible_hearing(request.state.db, request.state.actor, hearing_id)
    require_chair_hearing(request.state.actor, hearing)
    return await _form_page(request, hearing=hearing, values=_values_of(hearing))


@post("/hearings/{hearing_id:int}/edit", name="hearings:update", include_in_schema=False)
async def update_hearing(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    hearing = await service.visible_hearing(db, actor, hearing_id)
    data = await _form_data(request)
    try:
        await service.update_hearing(db, actor, hearing_id, parse_hearing(data))
    except Invalid as exc:
        return await _form_page(request, hearing=hearing, values=data, errors=exc.errors, status_code=400)
    return redirect(request, request.app.route_reverse("hearings:detail", hearing_id=hearing_id), _("Saved."))


async def _detail(request: Request[Any, Any, Any], hearing_id: int, status_code: int = 200,
                  co_moderator_error: str | None = None) -> Template:
    db, actor = request.state.db, request.state.actor
    hearing = await service.visible_hearing(db, actor, hearing_id)
    return _page(request, "hearings/detail.html", status_code, hearing=hearing,
                 viewer=await viewer_for(db, actor, hearing), about=await service.describe(db, hearing),
                 chair=may_chair_hearing(actor, hearing), may_join=await service.may_join(db, actor, hearing),
                 registrations=await service.registration_counts(db, hearing.id),
                 co_moderator_error=co_moderator_error)


@get("/hearings/{hearing_id:int}", name="hearings:detail", include_in_schema=False)
async def hearing_detail(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Template:
    return await _detail(request, hearing_id)


@post("/hearings/{hearing_id:int}/register", name="hearings:register", include_in_schema=False)
async def register(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[Any]:
    registration = await service.register(request.state.db, request.state.actor, hearing_id)
    return redirect(request, request.app.route_reverse("hearings:detail", hearing_id=hearing_id),
                    _("You are registered as: %(sector)s.", sector=label(SECTOR_LABELS, registration.sector)))


def _chair_action(path: str, name: str, verb: Any, message: str) -> Any:
    @post(path, name=name, include_in_schema=False)
    async def handler(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[Any]:
        await verb(request.state.db, request.state.actor, hearing_id)
        target = "hearings:room" if name == "hearings:open" else "hearings:detail"
        return redirect(request, request.app.route_reverse(target, hearing_id=hearing_id), _(message))

    return handler


schedule = _chair_action("/hearings/{hearing_id:int}/schedule", "hearings:schedule", service.schedule,
                         N_("The hearing is published: people may register now."))
open_hearing = _chair_action("/hearings/{hearing_id:int}/open", "hearings:open", service.open_hearing,
                             N_("The hearing is live."))
close_hearing = _chair_action("/hearings/{hearing_id:int}/close", "hearings:close", service.close_hearing,
                              N_("The hearing is closed."))


@post("/hearings/{hearing_id:int}/co-moderators", name="hearings:add_co_moderator", include_in_schema=False)
async def add_co_moderator(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[Any] | Template:
    form = await request.form()
    try:
        await service.add_co_moderator(request.state.db, request.state.actor, hearing_id, str(form.get("email", "")))
    except Invalid as exc:
        return await _detail(request, hearing_id, 400, co_moderator_error=exc.errors.get("email", exc.message))
    return redirect(request, request.app.route_reverse("hearings:detail", hearing_id=hearing_id),
                    _("The co-moderator is added."))


@post("/hearings/{hearing_id:int}/co-moderators/{user_id:int}/remove", name="hearings:remove_co_moderator",
      include_in_schema=False)
async def remove_co_moderator(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                              user_id: FromPath[int]) -> Response[Any]:
    await service.remove_co_moderator(request.state.db, request.state.actor, hearing_id, user_id)
    return redirect(request, request.app.route_reverse("hearings:detail", hearing_id=hearing_id),
                    _("The co-moderator is removed."))


@get("/hearings/{hearing_id:int}/calendar.ics", name="hearings:ics", include_in_schema=False)
async def calendar(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[bytes]:
    hearing = await service.visible_hearing(request.state.db, request.state.actor, hearing_id)
    settings = request.app.state.settings
    url = settings.base_url.rstrip("/") + request.app.route_reverse("hearings:detail", hearing_id=hearing.id)
    body = ics.calendar(hearing, url=url, host=settings.base_url.split("//")[-1].split("/")[0])
    return Response(body, media_type="text/calendar; charset=utf-8", headers={
        "content-disposition": f'attachment; filename="hearing-{hearing.id}.ics"'})


async def _room_page(request: Request[Any, Any, Any], hearing_id: int, template: str, projector: bool) -> Template:
    db, actor = request.state.db, request.state.actor
    hearing = await service.visible_hearing(db, actor, hearing_id)
    if hearing.status == "draft":
        raise NotFound(_("This hearing does not exist or is not published yet."))
    viewer = Viewer(role="visitor", projector=True) if projector else await viewer_for(db, actor, hearing)
    current = await load_room(db, hearing, viewer)
    query = f"format=html&since={current.seq}" + ("&view=projector" if projector else "")
    ws_url = request.app.route_reverse("hearings:socket", hearing_id=hearing.id) + "?" + query
    stream_url = request.app.route_reverse("hearings:stream", hearing_id=hearing.id) + "?" + query
    return _page(request, template, room=current, hearing=hearing, viewer=viewer, mine=current.my_votes,
                 ws_url=ws_url, stream_url=stream_url)


@get("/hearings/{hearing_id:int}/room", name="hearings:room", include_in_schema=False)
async def room_page(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Template:
    return await _room_page(request, hearing_id, "hearings/room.html", projector=False)


@get("/hearings/{hearing_id:int}/projector", name="hearings:projector", include_in_schema=False)
async def projector(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Template:
    return await _room_page(request, hearing_id, "hearings/projector.html", projector=True)


@get("/hearings/{hearing_id:int}/polls/new", name="hearings:poll_new", include_in_schema=False)
async def new_poll(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Template:
    hearing = await service.visible_hearing(request.state.db, request.state.actor, hearing_id)
    require_chair_hearing(request.state.actor, hearing)
    return _page(request, "hearings/poll_form.html", hearing=hearing, values={"kind": "single"}, errors={})


@post("/hearings/{hearing_id:int}/polls", name="hearings:poll_create", include_in_schema=False)
async def create_poll(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    hearing = await service.visible_hearing(db, actor, hearing_id)
    form = await request.form()
    data = {k: form.get(k) for k in form}
    try:
        await polls.create_poll(db, actor, hearing_id, parse_poll(data))
    except Invalid as exc:
        return _page(request, "hearings/poll_form.html", 400, hearing=hearing, values=data, errors=exc.errors)
    target = "hearings:room" if hearing.status == "live" else "hearings:detail"
    return redirect(request, request.app.route_reverse(target, hearing_id=hearing_id),
                    _("The poll is prepared: open it from the room when the time comes."))


routes = [hearing_list, new_hearing, create_hearing, edit_hearing, update_hearing, hearing_detail, register,
          schedule, open_hearing, close_hearing, add_co_moderator, remove_co_moderator, calendar, room_page,
          projector, new_poll, create_poll]


# ---------------------------------------------------------------- minutes, decisions, commitments (minutes.py)
async def _minutes_page(request: Request[Any, Any, Any], hearing_id: int, status_code: int = 200,
                        errors: dict[str, dict[str, str]] | None = None,
                        values: dict[str, dict[str, Any]] | None = None) -> Template:
    db, actor = request.state.db, request.state.actor
    hearing, row = await minutes_service.closed_hearing(db, actor, hearing_id)
    data = await minutes_service.minutes_data(db, hearing, row, base_url=request.app.state.settings.base_url)
    editable = minutes_service.may_edit_minutes(actor, hearing, row)
    tracked = {c.id for c in await commitment_service.list_commitments(db, hearing.id)
               if commitment_service.may_track_commitment(actor, hearing, c)}
    organizations = await commitment_service.responsible_choices(db) if editable else []
    return _page(request, "hearings/minutes.html", status_code, hearing=hearing, m=data, editable=editable,
                 tracked=tracked, organizations=organizations, errors=errors or {}, values=values or {},
                 csv_help=minutes_service.csv_rows.__doc__)


@get("/hearings/{hearing_id:int}/minutes", name="hearings:minutes", include_in_schema=False)
async def minutes_page(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Template:
    return await _minutes_page(request, hearing_id)


async def _minutes_download(request: Request[Any, Any, Any], hearing_id: int, kind: str) -> Response[str]:
    db = request.state.db
    hearing, row = await minutes_service.closed_hearing(db, request.state.actor, hearing_id)
    data = await minutes_service.minutes_data(db, hearing, row, base_url=request.app.state.settings.base_url)
    body, media = {
        "md": (minutes_service.to_markdown, "text/markdown; charset=utf-8"),
        "csv": (minutes_service.to_csv, "text/csv; charset=utf-8"),
        "json": (minutes_service.to_json, "application/json"),
    }[kind]
    return Response(body(data), media_type=media, headers={
        "content-disposition": f'attachment; filename="hearing-{hearing.id}-minutes.{kind}"'})


@get("/hearings/{hearing_id:int}/minutes.md", name="hearings:minutes_md", include_in_schema=False)
async def minutes_md(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[str]:
    return await _minutes_download(request, hearing_id, "md")


@get("/hearings/{hearing_id:int}/minutes.csv", name="hearings:minutes_csv", include_in_schema=False)
async def minutes_csv(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[str]:
    return await _minutes_download(request, hearing_id, "csv")


@get("/hearings/{hearing_id:int}/minutes.json", name="hearings:minutes_json", include_in_schema=False)
async def minutes_json(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[str]:
    return await _minutes_download(request, hearing_id, "json")


@get("/hearings/{hearing_id:int}/minutes.pdf", name="hearings:minutes_pdf", include_in_schema=False)
async def minutes_pdf(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[bytes]:
    """The minutes as an A4 PDF in the reader's language (drawn in a worker thread: it takes a moment)."""
    db = request.state.db
    hearing, row = await minutes_service.closed_hearing(db, request.state.actor, hearing_id)
    data = await minutes_service.minutes_data(db, hearing, row, base_url=request.app.state.settings.base_url)
    body = await to_thread.run_sync(draw, data, current_language())
    return Response(body, media_type="application/pdf", headers={
        "content-disposition": f'attachment; filename="hearing-{hearing.id}-minutes.pdf"'})


def _to_minutes(request: Request[Any, Any, Any], hearing_id: int, message: str) -> Response[Any]:
    return redirect(request, request.app.route_reverse("hearings:minutes", hearing_id=hearing_id), message)


@post("/hearings/{hearing_id:int}/minutes/decisions", name="hearings:decision_add", include_in_schema=False)
async def add_decision(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[Any] | Template:
    form = await request.form()
    try:
        await minutes_service.add_decision(request.state.db, request.state.actor, hearing_id, form.get("text"))
    except Invalid as exc:
        return await _minutes_page(request, hearing_id, 400, errors={"decision": exc.errors},
                                   values={"decision": {"text": form.get("text", "")}})
    return _to_minutes(request, hearing_id, _("The decision is added."))


@post("/hearings/{hearing_id:int}/minutes/decisions/{decision_id:int}", name="hearings:decision_update",
      include_in_schema=False)
async def update_decision(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                          decision_id: FromPath[int]) -> Response[Any] | Template:
    form = await request.form()
    try:
        await minutes_service.update_decision(request.state.db, request.state.actor, hearing_id, decision_id,
                                              form.get("text"), form.get("position"))
    except Invalid as exc:
        return await _minutes_page(request, hearing_id, 400, errors={f"decision-{decision_id}": exc.errors})
    return _to_minutes(request, hearing_id, _("The decision is saved."))


@post("/hearings/{hearing_id:int}/minutes/decisions/{decision_id:int}/delete", name="hearings:decision_delete",
      include_in_schema=False)
async def delete_decision(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                          decision_id: FromPath[int]) -> Response[Any]:
    await minutes_service.delete_decision(request.state.db, request.state.actor, hearing_id, decision_id)
    return _to_minutes(request, hearing_id, _("The decision is removed."))


@post("/hearings/{hearing_id:int}/minutes/commitments", name="hearings:commitment_add", include_in_schema=False)
async def add_commitment(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[Any] | Template:
    form = await request.form()
    data = {k: form.get(k) for k in form}
    try:
        await commitment_service.add_commitment(request.state.db, request.state.actor, hearing_id,
                                                commitment_service.parse_commitment(data))
    except Invalid as exc:
        return await _minutes_page(request, hearing_id, 400, errors={"commitment": exc.errors},
                                   values={"commitment": data})
    return _to_minutes(request, hearing_id, _("The commitment is added."))


@post("/hearings/{hearing_id:int}/commitments/{commitment_id:int}/status", name="hearings:commitment_status",
      include_in_schema=False)
async def commitment_status(request: Request[Any, Any, Any], hearing_id: FromPath[int],
                            commitment_id: FromPath[int]) -> Response[Any] | Template:
    form = await request.form()
    try:
        await commitment_service.change_status(request.state.db, request.state.actor, hearing_id, commitment_id,
                                               form.get("status"), form.get("note", ""))
    except Invalid as exc:
        return await _minutes_page(request, hearing_id, 400, errors={f"commitment-{commitment_id}": exc.errors},
                                   values={f"commitment-{commitment_id}": {k: form.get(k) for k in form}})
    return _to_minutes(request, hearing_id, _("The status is changed; the participants are notified."))


@post("/hearings/{hearing_id:int}/minutes/publish", name="hearings:minutes_publish", include_in_schema=False)
async def publish_minutes(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[Any]:
    await minutes_service.publish_minutes(request.state.db, request.state.actor, hearing_id)
    return _to_minutes(request, hearing_id, _("The minutes are published."))


routes += [minutes_page, minutes_md, minutes_csv, minutes_json, add_decision, update_decision, delete_decision,
           add_commitment, commitment_status, publish_minutes, minutes_pdf]


@get("/hearings/commitments/organization/{org_id:int}", name="hearings:organization_commitments",
     include_in_schema=False)
async def organization_commitments(request: Request[Any, Any, Any], org_id: FromPath[int]) -> Template:
    """Every commitment an organization took on in closed hearings, with its current state."""
    db = request.state.db
    org = await get_organization(db, org_id)
    rows = await commitment_service.commitments_of_organization(db, org.id)
    data = await commitment_service.commitment_data(db, [c for c, _h in rows], utcnow().date())
    hearings = {h.id: h for _c, h in rows}
    return _page(request, "hearings/minutes_commitments.html", organization=org, commitments=data,
                 hearings=hearings)


routes += [organization_commitments]


# ---------------------------------------------------------------- the room's actions over HTTP (actions.py)
# Every room form is sent over the socket when it is connected (ws-send). Otherwise the same form is
# posted here: by htmx (the answer is the acknowledgement's fragments, errors as the room's notice,
# with their status), or by the browser itself without scripts (back to the room with a flash).


def _room_form(form: Any) -> dict[str, Any]:
    return {k: (form.getall(k) if k == "option_ids" else form.get(k)) for k in form if k != "_csrf_token"}


def _renderer(app: Any) -> Renderer:
    """The live room's renderer (the one its socket pushes with)."""
    return app.state.live_hub.kind(STREAM).renderer  # type: ignore[no-any-return]


def _notice(request: Request[Any, Any, Any], message: str, status_code: int,
            headers: dict[str, str] | None = None) -> Response[str]:
    html = _renderer(request.app).render("notice", notice=message, oob=True)
    return Response(html, status_code=status_code, media_type="text/html; charset=utf-8", headers=headers)


def _room_action(action: Action) -> Any:
    @post("/hearings/{hearing_id:int}" + action.path, name=action.name, include_in_schema=False)
    async def handler(request: Request[Any, Any, Any], hearing_id: FromPath[int]) -> Response[Any]:
        db, actor = request.state.db, request.state.actor
        htmx = bool(request.htmx)
        data = with_client_id(action.kind, _room_form(await request.form()))
        try:
            if actor.user is not None:
                await check_rate(request.app, actor.user.id, hearing_id, action)
            elif htmx:
                raise NotAuthenticated(_("Sign in and register for the hearing to take part."))
            stored, duplicate = await action.run(db, actor, hearing_id, data)
        except ServiceError as exc:
            message = next(iter(exc.errors.values()), exc.message) if exc.errors else exc.message
            if htmx:
                retry = getattr(exc, "retry_after", None)
                return _notice(request, message, exc.status, {"Retry-After": str(retry)} if retry else None)
            if not isinstance(exc, Invalid | Conflict | NotFound):
                raise  # a sign-in redirect, or the error page (403, 429)
            target = request.app.route_reverse("hearings:room", hearing_id=hearing_id)
            return redirect(request, target, message, kind="error")
        if htmx:
            hearing = await service.get_hearing(db, hearing_id)
            viewer = await viewer_for(db, actor, hearing)
            html = "".join(await ack_fragments(db, _renderer(request.app), action.kind, stored, duplicate,
                                               hearing_id, viewer))
            return Response(html, status_code=200, media_type="text/html; charset=utf-8")
        if action.kind == "vote":
            await vote_labels(db, hearing_id, stored)
        target = request.app.route_reverse("hearings:room", hearing_id=hearing_id)
        return redirect(request, target, ack_status(action.kind, stored, duplicate))

    return handler


room_actions = [_room_action(a) for a in ACTIONS.values()]
routes += room_actions
