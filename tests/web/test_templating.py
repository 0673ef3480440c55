"""The template helpers that replace Litestar's and Jinja's own must give what those give."""

from __future__ import annotations

from pathlib import Path

import pytest
from litestar.exceptions import NoRouteMatchFoundException

from asar.app import create_app
from asar.i18n import use_language
from asar.settings import Settings
from asar.web.templating import make_environment, url_reverser

SAMPLES = {int: 7, str: "a-token", Path: "css/asar.css"}


def test_url_for_gives_what_route_reverse_gives_for_every_named_route(tmp_path) -> None:
    app = create_app(Settings(env="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
                              secret_key="x" * 40, data_dir=tmp_path))
    url_for = url_reverser(app)
    checked = 0
    for name in list(app.asgi_router.route_handler_index):
        index = app.get_handler_index_by_name(name)
        assert index is not None
        for route in app.asgi_router.route_mapping[index["identifier"]]:
            params = {p: SAMPLES[d.type] for p, d in route.path_parameters.items()}
            assert url_for(name, **params) == app.route_reverse(name, **params), name
            assert url_for(name, **params) == url_for(name, **params)  # the remembered plan
            checked += 1
    assert checked > 40
    assert url_for("organizations:detail", org_id=12) == "/organizations/12"
    with pytest.raises(NoRouteMatchFoundException):
        url_for("organizations:detail", org_id="12")
    with pytest.raises(NoRouteMatchFoundException):
        url_for("no:such-route")


@pytest.mark.parametrize("autoescape", [True, False])
def test_gettext_in_templates_formats_and_escapes_as_jinja_newstyle(autoescape) -> None:
    env = make_environment()
    env.autoescape = autoescape
    source = ('{{ _("Sign in") }}|{{ _("Hello %(name)s", name=who) }}|'
              '{{ ngettext("%(num)d organization found", "%(num)d organizations found", 3) }}')
    with use_language("en"):
        text = env.from_string(source).render(who="<b>")
    name = "&lt;b&gt;" if autoescape else "<b>"
    assert text == f"Sign in|Hello {name}|3 organizations found"
    with use_language("kk"):
        assert env.from_string('{{ _("Sign in") }}').render() == "Кіру"
