"""Links built by the router for what is written outside a request: mail, notifications, jobs.

`url_for` in templates and `request.app.route_reverse` in handlers need the running app; a job in
the worker or a service verb has none. Here the route table is built once per process from the
same route handlers the app serves (a bare Litestar app: no middleware, plugins or lifespan), and
reversed with the templates' `url_for` (asar.web.templating.url_reverser). A renamed or moved route
changes every link with it; a wrong name raises at once instead of mailing a dead link.
"""

from __future__ import annotations

from typing import Any

_router: list[Any] = []


def _build() -> Any:
    from litestar import Litestar
    from litestar.datastructures import State

    from asar import ROOT_DIR
    from asar.app import route_handlers
    from asar.web.static import StaticFiles
    from asar.web.templating import url_reverser

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
