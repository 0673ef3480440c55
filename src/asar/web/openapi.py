"""The JSON API's contract in one place: who may call an operation, which errors it can answer,
and the body every error has (`{"error": {"code", "message", "fields"?}}`, see web/errors.py).

Operations that need a signed-in person carry the `signed_in` guard; `document_api` reads the
guards, the parameters and the method of every /api route after the app is built and declares:

- 400 (bad input) where there is a parameter or a body, or the verb changes something;
- 401 and the Bearer requirement where `signed_in` guards the route (the others accept a token too:
  what you see may depend on who you are);
- 403 where a signed-in person may still be refused: changes, and reads marked `restricted`;
- 404 where the path names something; 409 where a change can meet a state that forbids it;
- 413 where there is a body; 429 where `throttled` is marked (failed sign-ins, mail sending).

A handler's `opt={"errors": {...}}` adds statuses the rules cannot see. The schemathesis run in
tests/test_api_contract.py keeps the rules honest: an error status not declared fails it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Litestar
from litestar.connection import ASGIConnection
from litestar.handlers import BaseRouteHandler, HTTPRouteHandler
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Components, Operation, SecurityScheme
from litestar.routes import HTTPRoute
from litestar.types import Empty

from asar.errors import NotAuthenticated
from asar.i18n import gettext as _

BEARER = "BearerToken"
MUTATING = frozenset({"POST", "PUT", "PATCH", "DELETE"})
DESCRIPTIONS = {
    400: "The input is not valid: `fields` names each field that is wrong, with a translated message.",
    401: "Not signed in: send `Authorization: Bearer <token>` with a valid, unrevoked token.",
    403: "Signed in, but this person (acting for this organization) may not do this.",
    404: "Nothing with this id, or nothing this person may see.",
    409: "The current state does not allow this (for example the hearing is closed).",
    413: "The body is larger than the server accepts.",
    429: "Too many attempts: wait the seconds in `Retry-After`.",
}


class ErrorDetail(msgspec.Struct):
    """`code`: bad_request or invalid (400), unauthenticated (401), forbidden (403), not_found (404),
    conflict (409), too_large (413), rate_limited (429); in hearings also not_registered, banned, muted
    (403) and not_live, poll_closed, already_voted, hand_raised, queue_empty (409)."""

    code: str
    message: str  # translated into the request's language
    fields: dict[str, str] | msgspec.UnsetType = msgspec.UNSET  # field name -> message, for invalid input


class ErrorBody(msgspec.Struct):
    """Every error the API answers has this body."""

    error: ErrorDetail


def signed_in(connection: ASGIConnection[Any, Any, Any, Any], _handler: BaseRouteHandler) -> None:
    """Guard: a signed-in person (by Bearer token on the API)."""
    actor = connection.scope.get("state", {}).get("actor")
    if actor is None or actor.user is None:
        raise NotAuthenticated(_("Please sign in first."))


@dataclass
class OptionalBodyOperation(Operation):
    """An operation whose body may be left out (every field of it has a default)."""

    def __post_init__(self) -> None:
        if self.request_body is not None and not isinstance(self.request_body, dict):
            self.request_body.required = False  # type: ignore[union-attr]


def components() -> Components:
    return Components(security_schemes={BEARER: SecurityScheme(
        type="http", scheme="bearer",
        description="A personal API token from `POST /api/v1/token` (or the profile page), sent as "
                    "`Authorization: Bearer <token>`.")})


def error_statuses(handler: HTTPRouteHandler, path: str) -> set[int]:
    """The error statuses an operation can answer, by the rules in this module's docstring."""
    methods = {str(m) for m in handler.http_methods}
    params = handler.parsed_fn_signature.parameters
    has_body = "data" in params
    has_input = bool(set(params) - {"request", "data"}) or has_body
    mutating = bool(methods & MUTATING)
    guarded = signed_in in (handler.guards or [])
    statuses: set[int] = set()
    if has_input or mutating:
        statuses.add(400)
    if guarded:
        statuses.add(401)
        if mutating or handler.opt.get("restricted"):
            statuses.add(403)
        if mutating:
            statuses.add(409)
    if "{" in path:
        statuses.add(404)
    if has_body:
        statuses.add(413)
    if handler.opt.get("throttled"):
        statuses.add(429)
    statuses |= set(handler.opt.get("errors", ()))
    return statuses


def _body_is_optional(handler: HTTPRouteHandler) -> bool:
    data = handler.parsed_fn_signature.parameters.get("data")
    return data is not None and (data.has_default or data.is_optional)


def document_api(app: Litestar) -> None:
    """Declare errors, security and optional bodies on every /api operation (before the schema is built)."""
    for route in app.routes:
        if not isinstance(route, HTTPRoute) or not route.path.startswith("/api/"):
            continue
        for handler in route.route_handlers:
            errors = {status: ResponseSpec(data_container=ErrorBody, description=DESCRIPTIONS.get(status, "Error"),
                                           generate_examples=False)
                      for status in sorted(error_statuses(handler, route.path))}
            handler.responses = {**errors, **(handler.responses or {})}
            guarded = signed_in in (handler.guards or [])
            handler.security = [{BEARER: []}] if guarded else [{BEARER: []}, {}]
            handler._resolved_security = Empty
            if _body_is_optional(handler):
                handler.operation_class = OptionalBodyOperation
