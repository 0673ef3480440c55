"""Friendly error pages and JSON errors with a stable code and a translated message."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import structlog
from litestar import MediaType, Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.response import Redirect

from asar.errors import NotAuthenticated, ServiceError
from asar.i18n import gettext as _
from asar.i18n import set_language
from asar.web.context import request_language

log = structlog.get_logger("asar.errors")

CODES = {400: "bad_request", 401: "unauthenticated", 403: "forbidden", 404: "not_found",
         405: "method_not_allowed", 409: "conflict", 413: "too_large", 429: "rate_limited",
         500: "server_error"}


def _message(status: int) -> str:
    return {
        400: _("The request could not be understood. Please check what you entered."),
        401: _("Please sign in first."),
        403: _("You may not do this."),
        404: _("This page does not exist or was removed."),
        405: _("This action is not available here."),
        409: _("This conflicts with the current state. Please reload and try again."),
        413: _("What you sent is too large."),
        429: _("Too many attempts. Please wait and try again."),
        500: _("Something went wrong on our side. We have logged it; please try again."),
    }.get(status, _("Something went wrong on our side. We have logged it; please try again."))


def _wants_json(request: Request[Any, Any, Any]) -> bool:
    return request.url.path.startswith("/api/") or request.url.path == "/healthz"


def _ensure_language(request: Request[Any, Any, Any]) -> None:
    state = request.scope.get("state", {})
    if "language" not in state:
        from asar.permissions import ANONYMOUS

        set_language(request_language(request, state.get("actor", ANONYMOUS)))


def error_response(request: Request[Any, Any, Any], status: int, code: str, message: str,
                   fields: dict[str, str] | None = None, headers: dict[str, str] | None = None) -> Response[Any]:
    if _wants_json(request):
        body: dict[str, Any] = {"error": {"code": code, "message": message}}
        if fields:
            body["error"]["fields"] = fields
        return Response(content=body, status_code=status, media_type=MediaType.JSON, headers=headers)
    from asar.permissions import ANONYMOUS

    state = request.scope.get("state", {})
    from asar.web.templating import Page

    return Page(
        template_name="web/error.html",
        status_code=status,
        headers=headers,
        context={"status": status, "message": message, "fields": fields or {},
                 "actor": state.get("actor", ANONYMOUS), "settings": request.app.state.settings,
                 "flashes": [], "htmx": False, "request_path": request.url.path,
                 "unread_notifications": state.get("unread_notifications")},
    )


def _signed_out(request: Request[Any, Any, Any]) -> Response[Any]:
    """A page asked for by someone not signed in: the sign-in page; for htmx a 401 whose message
    static/js/htmx-errors.js shows (a redirect would be followed and the sign-in page swapped into
    the form, taking away what the person typed)."""
    if getattr(request, "htmx", False):
        return error_response(request, 401, CODES[401], _(
            "You are signed out. Sign in again in another tab (what you entered here stays on this page), "
            "then send it again."))
    return Redirect(path=f"/sign-in?next={quote(request.url.path)}", status_code=303)


def service_error_handler(request: Request[Any, Any, Any], exc: ServiceError) -> Response[Any]:
    if isinstance(exc, NotAuthenticated) and not _wants_json(request):
        return _signed_out(request)
    headers = {"Retry-After": str(exc.retry_after)} if hasattr(exc, "retry_after") else None
    return error_response(request, exc.status, exc.code, exc.message, exc.errors, headers)


def http_error_handler(request: Request[Any, Any, Any], exc: HTTPException) -> Response[Any]:
    _ensure_language(request)
    status = exc.status_code
    fields: dict[str, str] | None = None
    message = _message(status)
    if isinstance(exc, ValidationException):
        message = _("The request is not valid. Please check the fields.")
        fields = {}
        for item in exc.extra or []:
            if isinstance(item, dict):
                fields[str(item.get("key") or "body")] = _("This value is not valid.")
    if status == 403 and "csrf" in str(exc.detail).lower():
        message = _("This form has expired or was sent from elsewhere. Please reload the page and try again.")
    if status == 401 and not _wants_json(request):
        return _signed_out(request)
    return error_response(request, status, CODES.get(status, "error"), message, fields,
                          headers=dict(exc.headers or {}) or None)


def server_error_handler(request: Request[Any, Any, Any], exc: Exception) -> Response[Any]:
    log.exception("unhandled error", path=request.url.path, exc_info=exc)
    _ensure_language(request)
    return error_response(request, 500, "server_error", _message(500))


exception_handlers = {
    ServiceError: service_error_handler,
    HTTPException: http_error_handler,
    Exception: server_error_handler,
}
