"""The Jinja environment: gettext, formatting filters, safe Markdown, and page rendering helpers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import nh3
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from litestar import Request, Response
from litestar.plugins.htmx import HTMXTemplate
from litestar.response import Redirect, Template
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
)
from asar.web import flash as flash_store

TEMPLATE_DIR = ROOT_DIR / "templates"


class _SafeCsrf:
    """Litestar hands `csrf_input` to templates as a plain string, which autoescape would print as
    text; mark it as the HTML it is."""

    def create_template_context(self, request: Request[Any, Any, Any]) -> dict[str, Any]:
        context = super().create_template_context(request)  # type: ignore[misc]
        context["csrf_input"] = Markup(context["csrf_input"])
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
        lambda s, **kw: gettext(s, **kw), lambda s, p, n, **kw: ngettext(s, p, n, **kw), newstyle=True
    )
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
