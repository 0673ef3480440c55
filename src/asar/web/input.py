"""One gate for all input: path parameters, query strings, form and JSON bodies are checked here,
before any handler (or the CSRF check) sees them, on every route.

Refused with a translated field error (400, the API's `{"error": ...}` body or the error page):
control characters (C0 except tab/newline/CR, DEL, C1), bidirectional overrides and isolates,
lone surrogates, and numbers beyond 64 bits in a query or body. An integer path parameter outside
1..2^63-1 names nothing: 404. PostgreSQL refuses NUL bytes and both databases overflow on huge
integers, so without this gate such input was a 500. Socket frames get the same rules in every live
stream's connection (`asar.live.connection`, before a frame's handler), and field-specific rules (names made only of invisible characters,
date windows, smaller integer columns) live in the form parsers, through `asar.inputs`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.enums import RequestEncodingType
from litestar.exceptions import HTTPException
from litestar.types import ASGIApp, Receive, Scope, Send

from asar import inputs
from asar.errors import NotFound, ServiceError, invalid
from asar.i18n import gettext as _
from asar.web.errors import http_error_handler, service_error_handler

BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def _query_problems(scope: Scope) -> Iterable[tuple[str, str]]:
    int_names = _int_query_names(scope.get("route_handler"))
    socket = scope["type"] == "websocket"  # the socket's query has no free text: `since`, `format`, `view`
    for key, value in ASGIConnection(scope).query_params.multi_items():
        name = key if not inputs.has_forbidden_characters(key) else "query"
        if inputs.has_forbidden_characters(key) or inputs.has_forbidden_characters(value):
            yield name, "characters"
        elif (socket or key in int_names) and _huge_number(value):
            yield name, "number"


# id(handler) -> (handler, names): the handler is kept, and compared, so that a handler of an app
# since collected cannot lend its id, and its names, to a new one (tests build many apps).
_int_names: dict[int, tuple[Any, frozenset[str]]] = {}


def _int_query_names(handler: Any) -> frozenset[str]:
    """The parameters a handler declares as integers (a bounded type or not): their values must fit
    in 64 bits. Text parameters keep any digits (a search for a long number is no error)."""
    if handler is None:
        return frozenset()
    entry = _int_names.get(id(handler))
    if entry is None or entry[0] is not handler:
        names = set()
        for name, field in handler.parsed_fn_signature.parameters.items():
            if field.is_subclass_of(bool):
                continue
            if field.is_subclass_of(int) or (field.is_optional and int in field.args):
                names.add(name)
        entry = _int_names[id(handler)] = (handler, frozenset(names))
    return entry[1]


def _huge_number(value: str) -> bool:
    """Digits that no integer column can hold."""
    digits = value.strip().lstrip("+-")
    return digits.isascii() and digits.isdigit() and inputs.bounded_int(value, -inputs.INT64_MAX - 1) is None


def _path_problems(scope: Scope) -> tuple[bool, list[tuple[str, str]]]:
    """(an id is out of range, text problems) of the route's path parameters."""
    out_of_range = False
    problems: list[tuple[str, str]] = []
    for name, value in (scope.get("path_params") or {}).items():
        if isinstance(value, bool):
            continue
        if isinstance(value, int) and not 1 <= value <= inputs.INT64_MAX:
            out_of_range = True
        elif isinstance(value, str) and inputs.has_forbidden_characters(value):
            problems.append((name, "characters"))
    return out_of_range, problems


async def _body_problems(scope: Scope, receive: Receive) -> list[tuple[str, str]]:
    request: Request[Any, Any, Any] = Request(scope, receive)  # caches the body for the handler
    content_type = request.content_type[0]
    if content_type in (RequestEncodingType.URL_ENCODED, RequestEncodingType.MULTI_PART):
        problems = []
        for key, value in (await request.form()).multi_items():
            if inputs.has_forbidden_characters(key):
                problems.append(("body", "characters"))
            elif isinstance(value, str) and inputs.has_forbidden_characters(value):
                problems.append((key, "characters"))
        return problems
    body = await request.body()
    if not body or body.lstrip()[:1] not in (b"{", b"["):
        return []
    try:
        data = _loads(body)
    except RecursionError:
        return [("body", "nesting")]
    except ValueError:
        return []  # not JSON: the handler answers for that
    return list(inputs.forbidden_in(data))


def _loads(body: bytes) -> Any:
    try:
        return json.loads(body)
    except ValueError as exc:
        if "integer string conversion" in str(exc):  # more than 4,300 digits
            return {"body": 2**64}
        raise


def input_guard_middleware(app: ASGIApp) -> ASGIApp:
    async def middleware(scope: Scope, receive: Receive, send: Send) -> None:
        kind = scope["type"]
        if kind not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        out_of_range, problems = _path_problems(scope)
        problems.extend(_query_problems(scope))
        if kind == "websocket":
            if out_of_range or problems:
                await send({"type": "websocket.close", "code": 4404 if out_of_range else 4400,
                            "reason": "not_found" if out_of_range else "invalid"})
                return
            await app(scope, receive, send)
            return
        try:
            if out_of_range:
                raise NotFound(_("This page does not exist or was removed."))
            if not problems and scope.get("method") in BODY_METHODS:
                problems = await _body_problems(scope, receive)
            if problems:
                errors: dict[str, str] = {}
                for name, problem in problems:
                    errors.setdefault(name, inputs.problem_message(problem))
                raise invalid(errors)
        except (ServiceError, HTTPException) as exc:
            # answered here, inside the middleware that adds the security headers
            request: Request[Any, Any, Any] = Request(scope, receive, send)
            response = (service_error_handler(request, exc) if isinstance(exc, ServiceError)
                        else http_error_handler(request, exc))
            await response.to_asgi_response(app=None, request=request)(scope, receive, send)
            return
        await app(scope, receive, send)

    return middleware
