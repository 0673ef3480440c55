"""The Jinja environment: gettext, formatting filters, safe Markdown, and page rendering helpers."""

from __future__ import annotations

import weakref
from collections.abc import MutableMapping
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, nodes, pass_eval_context, select_autoescape
from jinja2 import Template as JinjaTemplate
from jinja2.nodes import EvalContext
from jinja2.visitor import NodeTransformer
from litestar import Litestar, MediaType, Request, Response
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
    format_deadline,
    format_dt,
    format_number,
    format_tenge,
    gettext,
    ngettext,
    npgettext,
    pgettext,
    use_language,
)
from asar.web import csrf
from asar.web import flash as flash_store

TEMPLATE_DIR = ROOT_DIR / "templates"
FRAGMENT_HEADER = "X-Asar-Fragment"  # on a 4xx answer to htmx that is meant for its target


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
        self.id_urls: dict[tuple[str, str], Any] = {}  # see for_ids

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


    PROBE = 918273645546372819  # an id no route path contains otherwise

    def for_ids(self, name: str, param: str) -> Any:
        """`url_for(name, param=id)` as a function of an integer id, for a list's cards (a card
        carries its URL: no call from the template per card). The path around the id is taken
        once from what __call__ writes; anything but a positive int goes to __call__ itself."""

        made = self.id_urls.get((name, param))
        if made is not None:
            return made

        def slow(value: Any) -> str:
            return self(name, **{param: value})

        try:
            probe = self(name, **{param: self.PROBE})
        except Exception:  # noqa: BLE001  (no such route or parameter: raise as url_for does, when used)
            return slow
        if probe.count(str(self.PROBE)) != 1:
            return slow
        prefix, suffix = probe.split(str(self.PROBE))

        def url(value: Any) -> str:
            if type(value) is int and value > 0:
                return f"{prefix}{value}{suffix}"
            return slow(value)

        self.id_urls[(name, param)] = url
        return url


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
        # Litestar's own context (the page's values, `request`, `csrf_input`) with these three
        # given as described above. After a POST the state holds the (masked) token the form
        # sent: unmask, then mask anew.
        token = value_or_default(ScopeState.from_scope(request.scope).csrf_token, "")
        token = csrf.mask(csrf.unmask(token, csrf.PLAIN_LENGTH))
        return {
            **self.context,  # type: ignore[attr-defined]
            "request": request,
            "csrf_input": Markup('<input type="hidden" name="_csrf_token" value="%s" />') % token,
            "csrf_token": lambda: token,
            "url_for": url_reverser(request.app),
        }


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


class LocalizedTemplate(JinjaTemplate):
    """A template compiled for one language (`language`; None for one made from a string)."""

    language: str | None = None

    def render(self, *args: Any, **kwargs: Any) -> str:
        if self.language is not None and self.language != current_language():
            # held across a change of language: render the variant compiled for the current one
            return self.environment.get_template(self.name).render(*args, **kwargs)  # type: ignore[arg-type]
        return super().render(*args, **kwargs)

    def generate(self, *args: Any, **kwargs: Any) -> Any:
        if self.language is not None and self.language != current_language():
            return self.environment.get_template(self.name).generate(*args, **kwargs)  # type: ignore[arg-type]
        return super().generate(*args, **kwargs)


class LocalizedEnvironment(Environment):
    """Templates loaded by name are compiled once per language, with what cannot change within
    one language worked out at compile time (_Folder): `_("…")`, `gettext`/`pgettext` of fixed
    text, `current_language()`, and `url_for(…)` of fixed arguments once an app is attached
    (`url_reverser`). Jinja then writes the result into the compiled code as literal text, joined
    with the template's own: the layout's fixed parts (head, navigation, footer, labels) cost a
    page nothing at render time, while whatever depends on the request or the person stays a
    normal expression. `get_template` gives the variant of the current language (the cache is
    keyed by it), as do `{% extends %}`, `{% include %}` and `{% import %}`, which go through it
    at render time; a template rendered under another language than it was loaded in hands over
    to that language's variant. Templates made with `from_string` are not folded: they may be
    rendered in any language."""

    template_class = LocalizedTemplate
    url_reverser: Any = None  # the app's url_for, set by create_app: fixed URLs are folded too

    def _load_template(self, name: str, globals: MutableMapping[str, Any] | None) -> JinjaTemplate:
        if self.loader is None:
            raise TypeError("no loader for this environment specified")
        language = current_language()
        cache_key = (weakref.ref(self.loader), name, language)
        if self.cache is not None:
            template = self.cache.get(cache_key)
            if template is not None and (not self.auto_reload or template.is_up_to_date):
                if globals:
                    template.globals.update(globals)
                return template  # type: ignore[no-any-return]
        template = self.loader.load(self, name, self.make_globals(globals))
        template.language = language  # type: ignore[attr-defined]
        if self.cache is not None:
            self.cache[cache_key] = template
        return template

    def _parse(self, source: str, name: str | None, filename: str | None) -> nodes.Template:
        tree = super()._parse(source, name, filename)
        if name is not None:  # loaded by name (_load_template): for the current language
            tree = _Folder(self, current_language(), tree).visit(tree)
        return tree


class _Folder(NodeTransformer):
    """Replaces calls whose result is fixed for one language by their result (see
    LocalizedEnvironment). A name the template assigns itself (a loop variable, a macro argument,
    an import) is left alone; so is any call that would raise, which then raises when rendered."""

    FOLDED = frozenset({"_", "gettext", "pgettext", "current_language", "url_for"})

    def __init__(self, env: LocalizedEnvironment, language: str, tree: nodes.Template) -> None:
        self.env = env
        self.language = language
        assigned = {n.name for n in tree.find_all(nodes.Name) if n.ctx != "load"}
        for node in tree.find_all((nodes.Macro, nodes.FromImport, nodes.Import)):
            if isinstance(node, nodes.Macro):
                assigned.add(node.name)
            elif isinstance(node, nodes.Import):
                assigned.add(node.target)
            else:
                assigned.update(n if isinstance(n, str) else n[-1] for n in node.names)
        self.names = self.FOLDED - assigned

    def visit_Call(self, node: nodes.Call) -> nodes.Node:
        node = self.generic_visit(node)
        if (not isinstance(node.node, nodes.Name) or node.node.name not in self.names
                or node.dyn_args is not None or node.dyn_kwargs is not None):
            return node
        try:
            args = [arg.as_const() for arg in node.args]
            kwargs = {kw.key: kw.value.as_const() for kw in node.kwargs}
        except nodes.Impossible:
            return node
        name = node.node.name
        try:
            with use_language(self.language):
                if name == "current_language" and not args and not kwargs:
                    return self._const(current_language(), node)
                if name == "url_for" and self.env.url_reverser is not None:
                    return self._const(self.env.url_reverser(*args, **kwargs), node)
                if kwargs or not all(isinstance(a, str) for a in args):
                    return node
                if name in ("_", "gettext") and len(args) == 1:
                    text = gettext(args[0]) % {}  # what _template_gettext gives, in either escaping
                elif name == "pgettext" and len(args) == 2:
                    text = pgettext(args[0], args[1]) % {}
                else:
                    return node
        except Exception:  # noqa: BLE001  (left to raise when rendered, as it did)
            return node
        return nodes.MarkSafeIfAutoescape(self._const(text, node), lineno=node.lineno).set_environment(self.env)

    def _const(self, value: str, node: nodes.Node) -> nodes.Const:
        return nodes.Const(value, lineno=node.lineno).set_environment(self.env)  # type: ignore[return-value]


def make_environment(directory: Path = TEMPLATE_DIR, *, auto_reload: bool = True) -> LocalizedEnvironment:
    env = LocalizedEnvironment(
        loader=FileSystemLoader(directory),
        autoescape=select_autoescape(["html", "xml"]),
        extensions=["jinja2.ext.i18n"],
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=auto_reload,
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
                       markdown=render_markdown, deadline=format_deadline)
    env.globals.update(LANGUAGES=LANGUAGES, LANGUAGE_NAMES=LANGUAGE_NAMES, current_language=current_language)
    return env


def page(request: Request[Any, Any, Any], template: str, status_code: int = 200, **context: Any) -> Template:
    """Render a full page (or, for an htmx request, the same template: it picks its fragment; a 4xx
    one is marked as meant for the request's target)."""
    context.setdefault("actor", request.state.actor)
    context.setdefault("settings", request.app.state.settings)
    context.setdefault("flashes", flash_store.incoming(request) + request.state.get("flash_now", []))
    context.setdefault("htmx", bool(getattr(request, "htmx", False)))
    context.setdefault("request_path", request.url.path)
    context.setdefault("verification_pending", request.state.get("verification_pending"))
    context.setdefault("unread_notifications", request.state.get("unread_notifications"))
    cls = HTMXPage if context["htmx"] else Page
    response = cls(template_name=template, context=context, status_code=status_code,
                   media_type=MediaType.HTML if template.endswith(".html") else None)
    if context["htmx"] and 400 <= status_code < 500:
        # the fragment the request's target asked for, with its errors: swapped like a success
        # (static/js/htmx-errors.js); an error page (asar.web.errors) is not, and shows its message
        response.headers[FRAGMENT_HEADER] = "target"
    if request.cookies.get(flash_store.FLASH_COOKIE):
        response.cookies.append(flash_store.clear_cookie())
    return response


# (template, language, id(data), values) -> (data, HTML); see render_once
_once: dict[tuple[Any, ...], tuple[Any, Markup]] = {}
ONCE_LIMIT = 256


def render_once(request: Request[Any, Any, Any], template: str, data: Any, **values: Any) -> Markup:
    """A fragment of a page that depends only on the language, on `data` and on a few plain
    `values` (the region choices of the directory's filter form, with the one chosen): rendered
    by `template` (given `data` and the values) once, then reused. `data` is part of the key by
    identity, so it must be an object that is never changed once built, such as the reference
    data's tuples (asar.reference.service: a change builds new ones, and the old fragments are
    no longer found). Never for anything read from the database per request: the page's own
    rows are rendered on every request."""
    key = (template, current_language(), id(data), *values.items())
    hit = _once.get(key)
    if hit is not None and hit[0] is data:
        return hit[1]
    engine = request.app.template_engine.engine  # type: ignore[union-attr]
    html = Markup(engine.get_template(template).render(data=data, **values))
    if len(_once) >= ONCE_LIMIT:
        _once.clear()
    _once[key] = (data, html)  # holding data keeps its id from being reused while the entry lives
    return html


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
