"""The Jinja environment: gettext, formatting filters, safe Markdown, and page rendering helpers."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, pass_eval_context, select_autoescape
from jinja2.nodes import EvalContext
from litestar import Litestar, Request, Response
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Redirect, Template
from litestar.types.internal_types import PathParameterDefinition
from litestar.utils.empty import value_or_default
from litestar.utils.path import join_paths, normalize_path
from litestar.utils.scope.state import ScopeState
from markdown_it import MarkdownIt
from markupsafe import Markup

from asar import ROOT_DIR
from asar.i18n import (
    LANGUAGE_NAMES,
    LANGUAGES,
    current_language,
    format_day,
    format_dt,
    format_number,
    format_tenge,
    gettext,
    ngettext,
    npgettext,
    pgettext,
)
from asar.web import csrf
from asar.web import flash as flash_store

TEMPLATE_DIR = ROOT_DIR / "templates"


class _Reverser:
    """`url_for` for templates: Litestar's route_reverse with each route's path looked up once.

    route_reverse sorts a handler's paths on every call (about 20 µs; a page calls it 10 to 30
    times), and Litestar's template global takes the Jinja context, which costs a copy of it in
    every loop. The result and the errors are route_reverse's own: anything unusual goes to it."""

    _ALLOW_STR = (datetime, date, time, timedelta, float, Path, UUID)  # as route_reverse

    def __init__(self, app: Litestar) -> None:
        self.app = app
        self.static_files = app.state.get("static_files")
        self.plans: dict[tuple[str, tuple[str, ...]], tuple[Any, ...] | str] = {}

    def _plan(self, name: str, keys: tuple[str, ...]) -> tuple[Any, ...] | str:
        index = self.app.get_handler_index_by_name(name)
        if index is None:
            return self.app.route_reverse(name)  # raises NoRouteMatchFoundException
        routes = sorted(self.app.asgi_router.route_mapping[index["identifier"]],
                        key=lambda r: len(r.path_parameters), reverse=True)
        route = next((r for r in routes if set(keys).issuperset(r.path_parameters)), routes[-1])
        components = tuple(route.path_components)
        if not any(isinstance(c, PathParameterDefinition) for c in components):
            return join_paths(components)
        return components

    def __call__(self, name: Any, /, **params: Any) -> str:
        if not isinstance(name, str):
            return self.app.route_reverse(name, **params)
        if name == "static" and self.static_files is not None and params.keys() == {"file_path"}:
            return self.static_files.url(params["file_path"])  # fingerprinted (asar.web.static)
        key = (name, tuple(params))
        plan = self.plans.get(key)
        if plan is None:
            plan = self.plans[key] = self._plan(name, key[1])
        if isinstance(plan, str):
            return plan
        output = []
        for component in plan:
            if isinstance(component, PathParameterDefinition):
                value = params.get(component.name)
                if not isinstance(value, component.type) and (
                    component.type not in self._ALLOW_STR or not isinstance(value, str)
                ):
                    return self.app.route_reverse(name, **params)  # raises with Litestar's message
                output.append(str(value))
            else:
                output.append(component)
        joined = "/".join(output)
        if not joined or joined[0] == "/" or joined[-1] == "/" or "//" in joined:
            return normalize_path(joined)  # what join_paths does; the plain case needs none of it
        return "/" + joined


def url_reverser(app: Litestar) -> _Reverser:
    """The app's template `url_for` (kept in its state: Litestar objects take no weak references)."""
    reverser = app.state.get("url_reverser")
    if reverser is None:
        reverser = app.state["url_reverser"] = _Reverser(app)
    return reverser  # type: ignore[no-any-return]


class _SafeCsrf:
    """Litestar hands `csrf_input` to templates as a plain string, which autoescape would print as
    text; it is given here as the HTML it is, with the token masked afresh for this response
    (asar.web.csrf: pages are gzipped, BREACH). `url_for` and `csrf_token` are given as plain
    functions (the globals Litestar registers take the Jinja context: same results, slower)."""

    def create_template_context(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        context = super().create_template_context(request)  # type: ignore[misc]
        # after a POST the state holds the (masked) token the form sent: unmask, then mask anew
        token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
        token = csrf.mask(csrf.unmask(token, csrf.PLAIN_LENGTH))
        context["csrf_input"] = Markup('<input type="hidden" name="_csrf_token" value="%s" />') % token
        context["csrf_token"] = lambda: token
        context["url_for"] = url_reverser(request.app)
        return context


class Page(_SafeCsrf, Template):
    pass


class HTMXPage(_SafeCsrf, HTMXTemplate):
    pass
_md = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


def render_markdown(text: str | None) -> Markup:
    """Markdown to HTML, sanitized (no raw HTML, safe links only)."""
    html = _md.render(text or "")
    return Markup(nh3.clean(html, link_rel="noopener noreferrer nofollow", url_schemes={"http", "https", "mailto"}))


# (language, context, message id) -> what _() gives. The context is part of the key: an NC_ label
# ("Closed" as a poll status) is equal, as a str, to the bare message id.
_translated_markup: dict[tuple[str, str | None, str], Markup] = {}


@pass_eval_context
def _template_gettext(eval_ctx: EvalContext, message: str, /, **variables: Any) -> str:
    if eval_ctx.autoescape and not variables:
        # Most calls: a fixed message in an HTML template. Catalogs are read once per process
        # (i18n.translations), so the result is fixed for the process too.
        key = (current_language(), getattr(message, "context", None), message)
        cached = _translated_markup.get(key)
        if cached is None:
            cached = _translated_markup[key] = Markup(gettext(message)) % variables
        return cached
    rv = gettext(message)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables  # always a format string, as Jinja's newstyle gettext


@pass_eval_context
def _template_ngettext(eval_ctx: EvalContext, singular: str, plural: str, num: int, /, **variables: Any) -> str:
    variables.setdefault("num", num)
    rv = ngettext(singular, plural, num)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


@pass_eval_context
def _template_pgettext(eval_ctx: EvalContext, context: str, message: str, /, **variables: Any) -> str:
    rv = pgettext(context, message)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


@pass_eval_context
def _template_npgettext(eval_ctx: EvalContext, context: str, singular: str, plural: str, num: int, /,
                        **variables: Any) -> str:
    variables.setdefault("num", num)
    rv = npgettext(context, singular, plural, num)
    if eval_ctx.autoescape:
        rv = Markup(rv)
    return rv % variables


def make_environment(directory: Path = TEMPLATE_DIR) -> Environment:
    env = Environment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.install_gettext_callables(  # type: ignore[attr-defined]
        lambda s, **kw: gettext(s, **kw), lambda s, p, n, **kw: ngettext(s, p, n, **kw), newstyle=True,
        pgettext=lambda c, s, **kw: pgettext(c, s, **kw),
        npgettext=lambda c, s, p, n, **kw: npgettext(c, s, p, n, **kw),
    )
    # The same functions as the newstyle ones just installed, without taking the Jinja context
    # (which Jinja copies for every call inside a loop); `_` went through three such calls.
    env.globals.update(gettext=_template_gettext, ngettext=_template_ngettext, _=_template_gettext,
                       pgettext=_template_pgettext, npgettext=_template_npgettext)
    env.filters.update(dt=format_dt, day=format_day, number=format_number, tenge=format_tenge,
                       markdown=render_markdown)
    env.globals.update(LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES, current_language=current_language)
    return env


def page(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    """Render a full page (or, for an htmx request, the same template: it picks its fragment)."""
    context.setdefault("actor", request.state.actor)
    context.setdefault("settings", request.app.state.settings)
    context.setdefault("flashes", flash_store.incoming(request) + request.state.get("flash_now", []))
    context.setdefault("htmx", bool(getattr(request, "htmx", False)))
    context.setdefault("request_path", request.url.path)
    context.setdefault("verification_pending", request.state.get("verification_pending"))
    context.setdefault("unread_notifications", request.state.get("unread_notifications"))
    cls = HTMXPage if context["htmx"] else Page
    response = cls(template_name=template, context=context, status_code=status_code)
    if request.cookies.get(flash_store.FLASH_COOKIE):
        response.cookies.append(flash_store.clear_cookie())
    return response


def flash_now(request: Request[Any, Any, Any], message: str, kind: str = "error") -> None:
    """Show a message on the page being rendered now."""
    request.state.setdefault("flash_now", []).append({"kind": kind, "text": message})


def redirect(request: Request[Any, Any, Any], path: str, message: str | None = None, kind: str = "success") -> Response[Any]:
    """Redirect (303, or HX-Redirect for htmx) carrying an optional flash message."""
    if getattr(request, "htmx", False):
        response: Response[Any] = Response(content=b"", status_code=200, headers={"HX-Redirect": path})
    else:
        response = Redirect(path=path, status_code=303)
    if message:
        response.cookies.append(flash_store.flash_cookie(request.app.state.settings.secret_key,
                                                         [{"kind": kind, "text": message}]))
    return response
