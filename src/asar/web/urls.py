"""Links built by the router for what is written outside a request: mail, notifications, jobs.

`url_for` in templates and `request.app.route_reverse` in handlers need the running app; a job in
the worker or a service verb has none. Here the route table is built once per process from the
same route handlers the app serves (a bare Litestar app: no middleware, plugins or lifespan), and
reversed with the templates' `url_for` (asar.web.templating.url_reverser). A renamed or moved route
changes every link with it; a wrong name raises at once instead of mailing a dead link.

The route handlers come from the composition root (asar.domains calls `use_routes` with the app's
list), so that this module, and what uses it, names no domain.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_router: list[Any] = []
_routes: list[Callable[[Any], list[Any]]] = []


def use_routes(route_handlers: Callable[[Any], list[Any]]) -> None:
    """The app's route handlers (a function of its StaticFiles, as asar.app.route_handlers)."""
    _routes[:] = [route_handlers]
    _router.clear()


def _build() -> Any:
    from litestar import Litestar
    from litestar.datastructures import State

    from asar import ROOT_DIR
    from asar.web.static import StaticFiles
    from asar.web.templating import url_reverser

    if not _routes:
        raise RuntimeError("no routes to build links from: import asar.domains, which gives the app's")
    route_handlers = _routes[0]
    static_files = StaticFiles(ROOT_DIR / "static")
    app = Litestar(route_handlers=route_handlers(static_files), state=State({"static_files": static_files}),
                   openapi_config=None)
    return url_reverser(app)


def path_for(name: str, /, **params: Any) -> str:
    """The path of the named route (`hearings:detail`, hearing_id=5 -> `/hearings/5`)."""
    if not _router:
        _router.append(_build())
    return _router[0](name, **params)  # type: ignore[no-any-return]


def absolute_url(base_url: str, name: str, /, **params: Any) -> str:
    """The named route's address under base_url (the address the platform is served at)."""
    return base_url.rstrip("/") + path_for(name, **params)


def request_path(request: Any, name: str, **params: Any) -> str:
    """The path of the route `name` in a handler (the running app's router)."""
    return str(request.app.route_reverse(name, **params))


def request_base_url(request: Any) -> str:
    """The address the app is reached at (settings.base_url), for links a handler's verb mails."""
    return str(request.app.state.settings.base_url)
