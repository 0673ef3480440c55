"""The decision's pages: the commission's decision page (the meeting and attendance form, the winners per
lot with the ranking as the default proposal, publication), the public results page, and the protocol
(page, PDF, Markdown, JSON). Every rule is the service's; a refused form comes back with its messages and
the values as sent (400), and nothing changes."""

from __future__ import annotations

from typing import Any

import msgspec
from anyio import to_thread
from litestar import Request, Response, get, post
from litestar.params import FromPath
from litestar.response import Template

from asar.competitions import choices
from asar.competitions.decision import forms, protocol, service
from asar.competitions.decision.models import MAX_MINUTES, MAX_REASON
from asar.db import utcnow
from asar.errors import Conflict, Invalid
from asar.i18n import current_language, format_dt, local_datetime
from asar.i18n import gettext as _
from asar.web.templating import page, redirect
from asar.web.urls import request_base_url, request_path

T = "competitions/decision/"


def _meeting_values(board: service.Board) -> dict[str, Any]:
    d = board.decision
    if d is None:
        return {"meeting_at": "", "present": [], "hearing_id": "", "minutes": ""}
    return {"meeting_at": local_datetime(d.meeting_at).strftime("%Y-%m-%dT%H:%M"),
            "present": [str(m) for m in d.present_ids()], "hearing_id": str(d.hearing_id or ""),
            "minutes": d.minutes}


def _winner_values(board: service.Board) -> dict[str, Any]:
    """The winners form as confirmed, or the default proposal before the first confirmation."""
    values: dict[str, Any] = {}
    for lot in board.lots:
        for c in lot.candidates:
            key = c.application.id
            if board.confirmed:
                chosen, amount = c.winner is not None, c.winner.amount if c.winner else c.application.requested
                reason = c.winner.departs_reason if c.winner else ""
            else:
                chosen, amount, reason = c.proposed is not None, c.proposed or c.application.requested, ""
            values[f"win_{key}"] = chosen
            values[f"amount_{key}"] = str(amount)
            values[f"reason_{key}"] = reason
    return values


async def _decision_page(request: Request[Any, Any, Any], call_id: int, *, status_code: int = 200,
                         errors: dict[str, str] | None = None, meeting: dict[str, Any] | None = None,
                         winners: dict[str, Any] | None = None) -> Template:
    db, actor = request.state.db, request.state.actor
    board = await service.board_for(db, actor, call_id)
    call = board.call
    open_stage = call.status == service.STAGE
    return page(request, T + "page.html", status_code, **choices.LABELS, board=board, call=call, errors=errors or {},
                meeting=meeting or _meeting_values(board), winners=winners or _winner_values(board),
                hearings=await service.issuer_hearings(db, call) if open_stage else [],
                may_record=open_stage and service.may_record(actor, call),
                may_publish=service.may_publish(actor, call) and board.confirmed,
                quorum_rule=f"{board.rules.quorum.numerator}/{board.rules.quorum.denominator}",
                shown=protocol.shown, max_minutes=MAX_MINUTES, max_reason=MAX_REASON,
                quorum_text=protocol.quorum_text, quorum_out=lambda q: protocol._quorum(q, board.rules))


@get("/calls/{call_id:int}/decision", name="decision:page", include_in_schema=False)
async def decision_page(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    return await _decision_page(request, call_id)


@post("/calls/{call_id:int}/decision/meeting", name="decision:meeting", include_in_schema=False)
async def record_meeting(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any] | Template:
    form = await request.form()
    present = [v for v in form.getall("present", []) if isinstance(v, str)][:20]
    values = {"meeting_at": str(form.get("meeting_at") or "")[:40], "present": present,
              "hearing_id": str(form.get("hearing_id") or "")[:20],
              "minutes": str(form.get("minutes") or "")[: MAX_MINUTES + 1]}
    try:
        meeting = forms.parse_meeting(values, present)
        await service.record_meeting(request.state.db, request.state.actor, call_id, meeting)
    except Invalid as exc:
        return await _decision_page(request, call_id, status_code=400, errors=exc.errors, meeting=values)
    except Conflict as exc:
        return redirect(request, request_path(request, "decision:page", call_id=call_id), exc.message, kind="error")
    return redirect(request, request_path(request, "decision:page", call_id=call_id) + "#winners",
                    _("The meeting is recorded. Confirm the winners of each lot."))


@post("/calls/{call_id:int}/decision/winners", name="decision:winners", include_in_schema=False)
async def confirm_winners(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any] | Template:
    db, actor = request.state.db, request.state.actor
    board = await service.board_for(db, actor, call_id)
    form = await request.form()
    lots = {lot.lot.id: [c.application.id for c in lot.candidates] for lot in board.lots}
    values: dict[str, Any] = {}
    for ids in lots.values():
        for app_id in ids:
            values[f"win_{app_id}"] = form.get(f"win_{app_id}") in ("1", "on", "yes", "true")
            values[f"amount_{app_id}"] = str(form.get(f"amount_{app_id}") or "")[:40]
            values[f"reason_{app_id}"] = str(form.get(f"reason_{app_id}") or "")[: MAX_REASON + 1]
    try:
        picks = forms.parse_winners_form(values, lots)
        await service.confirm_winners(db, actor, call_id, picks)
    except Invalid as exc:
        return await _decision_page(request, call_id, status_code=400, errors=exc.errors, winners=values)
    except Conflict as exc:
        return await _decision_page(request, call_id, status_code=409, errors={"winners": exc.message},
                                    winners=values)
    return redirect(request, request_path(request, "decision:page", call_id=call_id) + "#publish",
                    _("The winners are confirmed. Publish the results when the protocol is ready."))


@post("/calls/{call_id:int}/decision/publish", name="decision:publish", include_in_schema=False)
async def publish(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    try:
        await service.publish_results(request.state.db, request.state.actor, call_id, base_url=request_base_url(request))
    except Conflict as exc:
        return redirect(request, request_path(request, "decision:page", call_id=call_id), exc.message, kind="error")
    return redirect(request, request_path(request, "decision:results", call_id=call_id),
                    _("The results are published: applicants are told, and the appeal window is open."))


# ---------------------------------------------------------------- the public results and the protocol
@get("/calls/{call_id:int}/results", name="decision:results", include_in_schema=False, opt={"read_only": True})
async def results(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    board = await service.public_board(request.state.db, request.state.actor, call_id)
    data = protocol.protocol(board, request_base_url(request))
    return page(request, T + "results.html", **choices.LABELS, call=board.call, p=data, quorum_text=protocol.quorum_text)


@get("/calls/{call_id:int}/protocol", name="decision:protocol", include_in_schema=False, opt={"read_only": True})
async def protocol_page(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Template:
    board = await service.public_board(request.state.db, request.state.actor, call_id, with_sheets=False)
    data = protocol.protocol(board, request_base_url(request), with_scores=False)
    return page(request, T + "protocol.html", **choices.LABELS, call=board.call, p=data, quorum_text=protocol.quorum_text)


async def _protocol(request: Request[Any, Any, Any], call_id: int) -> Any:
    board = await service.public_board(request.state.db, request.state.actor, call_id)
    return protocol.protocol(board, request_base_url(request))


def _download(body: bytes | str, media: str, name: str) -> Response[Any]:
    return Response(body, media_type=media, headers={"content-disposition": f'attachment; filename="{name}"'})


@get("/calls/{call_id:int}/protocol.json", name="decision:protocol_json", include_in_schema=False,
     opt={"read_only": True})
async def protocol_json(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    data = await _protocol(request, call_id)
    return _download(msgspec.json.encode(data), "application/json", f"call-{call_id}-protocol.json")


@get("/calls/{call_id:int}/protocol.md", name="decision:protocol_md", include_in_schema=False,
     opt={"read_only": True})
async def protocol_md(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    data = await _protocol(request, call_id)
    return _download(protocol.to_markdown(data), "text/markdown", f"call-{call_id}-protocol.md")


@get("/calls/{call_id:int}/protocol.pdf", name="decision:protocol_pdf", include_in_schema=False,
     opt={"read_only": True})
async def protocol_pdf(request: Request[Any, Any, Any], call_id: FromPath[int]) -> Response[Any]:
    """The protocol as an A4 PDF in the reader's language (drawn in a worker thread: it takes a moment)."""
    data = await _protocol(request, call_id)
    body = await to_thread.run_sync(protocol.to_pdf, data, current_language(), format_dt(utcnow()))
    return _download(body, "application/pdf", f"call-{call_id}-protocol.pdf")


routes = [decision_page, record_meeting, confirm_winners, publish, results, protocol_page, protocol_json,
          protocol_md, protocol_pdf]
