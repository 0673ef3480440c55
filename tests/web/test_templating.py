"""The template helpers that replace Litestar's and Jinja's own must give what those give."""

from __future__ import annotations

from pathlib import Path
from typing import Any

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


def test_a_url_for_ids_gives_what_route_reverse_gives_for_every_route_with_one_int_parameter(tmp_path) -> None:
    """The cards of a list carry their URL, made by url_reverser(app).for_ids(name, param)."""
    app = create_app(Settings(env="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
                              secret_key="x" * 40, data_dir=tmp_path))
    reverser = url_reverser(app)
    checked = 0
    for name in list(app.asgi_router.route_handler_index):
        index = app.get_handler_index_by_name(name)
        assert index is not None
        for route in app.asgi_router.route_mapping[index["identifier"]]:
            ints = [p for p, d in route.path_parameters.items() if d.type is int]
            if len(route.path_parameters) != 1 or len(ints) != 1:
                continue
            url = reverser.for_ids(name, ints[0])
            for value in (1, 7, 12345, 2**63 - 1):
                assert url(value) == app.route_reverse(name, **{ints[0]: value}), name
            checked += 1
    assert checked > 10
    assert reverser.for_ids("hearings:detail", "hearing_id")(5) == "/hearings/5"
    with pytest.raises(NoRouteMatchFoundException):
        reverser.for_ids("hearings:detail", "hearing_id")("5")  # what url_for does with a str
    with pytest.raises(NoRouteMatchFoundException):
        reverser.for_ids("no:such-route", "id")(5)


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


def _named(tmp_path: Path, **templates: str):
    """An environment over tmp_path holding templates (name -> source)."""
    for name, source in templates.items():
        (tmp_path / name).write_text(source, encoding="utf-8")
    return make_environment(tmp_path)


def test_a_template_loaded_by_name_has_its_fixed_text_compiled_in_for_each_language(tmp_path) -> None:
    env = _named(tmp_path, **{"page.html": '<html lang="{{ current_language() }}">{{ _("Sign in") }}|'
                                           '{{ pgettext("hearing status", "Closed") }}|{{ _(word) }}</html>'})
    for lang, expected in (("kk", '<html lang="kk">Кіру|Аяқталды|'), ("en", '<html lang="en">Sign in|Closed|')):
        with use_language(lang):
            assert env.get_template("page.html").render(word="Hearings").startswith(expected)
            code = env.compile(env.loader.get_source(env, "page.html")[0], name="page.html", raw=True)
            # the fixed text is in the compiled code; only the variable message is a call
            assert repr(expected) in code
            assert code.count("context.call(") == 1
    with use_language("en"):
        held = env.get_template("page.html")
    with use_language("kk"):  # a template held across a change of language renders the current one
        assert held.render(word="Hearings") == '<html lang="kk">Кіру|Аяқталды|Тыңдаулар</html>'


def test_folding_keeps_escaping_formatting_and_errors_as_at_render_time(tmp_path) -> None:
    env = _named(tmp_path, **{
        "a.html": '{{ _("Hello %(name)s", name=who) }}|{% for _ in [1] %}{{ _ }}{% endfor %}',
        "b.txt": '{{ _("Sign in") }}',
        "c.html": "{{ url_for('no:such-route') }}",
    })
    with use_language("en"):
        assert env.get_template("a.html").render(who="<b>") == "Hello &lt;b&gt;|1"  # a loop's `_` is its own
        assert env.get_template("b.txt").render() == "Sign in"  # no escaping outside HTML
        with pytest.raises(NoRouteMatchFoundException):
            env.get_template("c.html").render(url_for=lambda name: url_reverser(_app(tmp_path))(name))


def _app(tmp_path: Path):
    return create_app(Settings(env="test", database_url=f"sqlite+aiosqlite:///{tmp_path}/x.db",
                               secret_key="x" * 40, data_dir=tmp_path))


def test_the_apps_fixed_urls_are_compiled_into_its_templates(tmp_path) -> None:
    app = _app(tmp_path)
    env = app.template_engine.engine
    with use_language("ru"):
        code = env.compile(env.loader.get_source(env, "base.html")[0], name="base.html", raw=True)
    stylesheet = url_reverser(app)("static", file_path="css/asar.css")
    assert stylesheet != "/static/css/asar.css" and stylesheet in code  # the fingerprinted URL
    assert '<a href="/organizations">Организации</a>' in code
    # every URL and label of the layout is fixed; what is left to call is the per-response token
    assert "url_for" not in code and "gettext" not in code
    assert code.count("context.call(") == 1 and "csrf_token" in code


def test_render_once_renders_a_fragment_once_per_language_data_and_values(tmp_path) -> None:
    from types import SimpleNamespace

    from asar.web.templating import render_once

    env = _named(tmp_path, **{"f.html": '{{ _("Sign in") }}:{% for x in data %}{{ x }}{% if x == selected %}*'
                                        "{% endif %}{% endfor %}"})
    renders: list[str] = []
    real = env.get_template

    def counting(name: str, *args: Any, **kwargs: Any) -> Any:
        renders.append(name)
        return real(name, *args, **kwargs)

    env.get_template = counting  # type: ignore[method-assign]
    request = SimpleNamespace(app=SimpleNamespace(template_engine=SimpleNamespace(engine=env)))
    data = ("a", "<b>")
    with use_language("en"):
        assert render_once(request, "f.html", data, selected="a") == "Sign in:a*&lt;b&gt;"
        assert render_once(request, "f.html", data, selected="a") == "Sign in:a*&lt;b&gt;"
        assert render_once(request, "f.html", data, selected=None) == "Sign in:a&lt;b&gt;"
    with use_language("kk"):
        assert render_once(request, "f.html", data, selected="a") == "Кіру:a*&lt;b&gt;"
        assert render_once(request, "f.html", ("c",), selected="a") == "Кіру:c"  # new data: rendered anew
    assert len(renders) == 4
