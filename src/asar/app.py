"""create_app(settings) -> Litestar: plugins and routers listed explicitly. What the domains add
besides routes (jobs, stream kinds, notification kinds) is composed in asar.domains."""

from __future__ import annotations

from typing import Any

from litestar import Litestar
from litestar.config.csrf import CSRFConfig
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import JsonRenderPlugin
from litestar.plugins.htmx import HTMXPlugin
from litestar.plugins.jinja import JinjaTemplateEngine
from litestar.template import TemplateConfig

from asar import ROOT_DIR
from asar.db import Database
from asar.domains import job_registry, stream_kinds
from asar.lifespan import make_lifespan
from asar.live.plugin import live_plugins
from asar.logging import configure_logging
from asar.settings import Settings
from asar.web import sockets
from asar.web.compression import compression_middleware
from asar.web.context import context_middleware
from asar.web.csrf import MaskedCSRFMiddleware
from asar.web.errors import exception_handlers
from asar.web.input import input_guard_middleware
from asar.web.openapi import components, document_api
from asar.web.security import protect
from asar.web.static import StaticFiles, static_files_route
from asar.web.templating import make_environment, url_reverser

__all__ = ["create_app", "route_handlers", "stream_kinds"]  # stream_kinds: asar.domains', given to the LivePlugin


def route_handlers(static_files: StaticFiles) -> list[Any]:
    from asar.accounts.api import routes as accounts_api
    from asar.accounts.controllers import routes as accounts_pages
    from asar.audit.controllers import routes as audit_pages
    from asar.competitions.api import routes as competitions_api
    from asar.competitions.appeals.api import routes as appeals_api
    from asar.competitions.appeals.controllers import routes as appeals_pages
    from asar.competitions.applications.api import routes as applications_api
    from asar.competitions.applications.controllers import routes as applications_pages
    from asar.competitions.awards.api import routes as awards_api
    from asar.competitions.awards.controllers import routes as awards_pages
    from asar.competitions.compliance.api import routes as compliance_api
    from asar.competitions.compliance.controllers import routes as compliance_pages
    from asar.competitions.controllers import routes as competitions_pages
    from asar.competitions.decision.api import routes as decision_api
    from asar.competitions.decision.controllers import routes as decision_pages
    from asar.competitions.evaluation.api import routes as evaluation_api
    from asar.competitions.evaluation.controllers import routes as evaluation_pages
    from asar.competitions.opendata.api import routes as opendata_api
    from asar.competitions.ruleset.api import routes as ruleset_api
    from asar.competitions.ruleset.controllers import routes as ruleset_pages
    from asar.hearings.api import routes as hearings_api
    from asar.hearings.controllers import routes as hearings_pages
    from asar.hearings.live import routes as hearings_live
    from asar.mail.controllers import routes as mail_pages
    from asar.matching.api import routes as matching_api
    from asar.matching.controllers import routes as matching_pages
    from asar.notifications.api import routes as notifications_api
    from asar.notifications.controllers import routes as notifications_pages
    from asar.organizations.api import routes as organizations_api
    from asar.organizations.controllers import routes as organizations_pages
    from asar.pledges.api import routes as pledges_api
    from asar.pledges.controllers import routes as pledges_pages
    from asar.projects.api import routes as projects_api
    from asar.projects.browse import routes as projects_browse
    from asar.projects.controllers import routes as projects_pages
    from asar.reference.api import routes as reference_api
    from asar.sponsors.api import routes as sponsors_api
    from asar.sponsors.controllers import routes as sponsors_pages
    from asar.storage.controllers import routes as storage_pages
    from asar.web.controllers import routes as web_pages
    from asar.workdays.api import routes as workdays_api
    from asar.workdays.controllers import routes as workdays_pages

    static = static_files_route(static_files)

    return [static, *web_pages, *accounts_pages, *organizations_pages, *audit_pages, *mail_pages,
            *notifications_pages, *accounts_api, *organizations_api, *reference_api, *notifications_api,
            *hearings_pages, *hearings_api, *hearings_live, *projects_browse, *sponsors_pages, *sponsors_api,
            *matching_pages, *matching_api, *pledges_pages, *pledges_api, *projects_pages, *projects_api,
            *competitions_pages, *competitions_api, *applications_pages, *applications_api, *evaluation_api, *evaluation_pages, *opendata_api,
            *compliance_pages, *compliance_api, *decision_pages, *decision_api, *appeals_pages, *appeals_api, *awards_pages,
            *awards_api, *storage_pages,
            *ruleset_pages, *ruleset_api,
            *workdays_pages, *workdays_api]


def create_app(settings: Settings | None = None, database: Database | None = None,
               inline_jobs: bool = False) -> Litestar:
    settings = settings or Settings()
    configure_logging(settings)

    env = make_environment(auto_reload=settings.env != "production")  # templates change with a deploy
    static_files = StaticFiles(ROOT_DIR / "static")
    # Litestar's own CSRF middleware, with the page's token masked per response (asar.web.csrf),
    # given as the last middleware: where Litestar puts it when `csrf_config` is set.
    csrf = CSRFConfig(secret=settings.secret_key or "", cookie_name="asar_csrf", header_name="x-csrftoken",
                      cookie_httponly=False, exclude=["/api/", "/healthz"])
    app = Litestar(
        route_handlers=route_handlers(static_files),
        lifespan=[make_lifespan(settings, job_registry(), database, inline_jobs)],
        # security headers, the Host check and trusted proxies: the edge, asar.web.security.protect
        middleware=[compression_middleware, context_middleware, input_guard_middleware,
                    DefineMiddleware(MaskedCSRFMiddleware, config=csrf)],
        plugins=[HTMXPlugin(), *live_plugins(settings, sockets, lambda: stream_kinds(settings), inline=inline_jobs)],
        template_config=TemplateConfig(instance=JinjaTemplateEngine.from_environment(env)),
        exception_handlers=exception_handlers,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(title="ASAR API", version="1", path="/schema", components=components(),
                                     render_plugins=[JsonRenderPlugin(path=["/", "/openapi.json"])]),
        request_max_body_size=2 * 1024 * 1024,
        state=State({"settings": settings, "static_files": static_files}),
        debug=False,
    )
    document_api(app)
    env.url_reverser = url_reverser(app)  # fixed URLs are written into the compiled templates
    return protect(app, settings)
