"""Every htmx request on every page has an answer a person can see when it is not a success
(docs/frontend.md): a 4xx fragment meant for the target is marked for swapping, other refusals carry
their translated message, and base.html loads static/js/htmx-errors.js with its translated messages.
The template checks read the files; the web checks are a few round trips on the shared app."""

from __future__ import annotations

import re
from typing import Any

from jinja2 import nodes

from asar import ROOT_DIR
from asar.i18n import gettext, use_language
from asar.web.templating import FRAGMENT_HEADER, TEMPLATE_DIR, make_environment
from tests.accounts.helpers import post_form, sign_in
from tests.factories import make_user

HX_REQUEST = re.compile(r"\bhx-(?:get|post|put|patch|delete)=\"|\bhx-boost=")
HX_TARGET = re.compile(r"\bhx-target=\"#([^\"]+)\"")
ID = re.compile(r"\bid=\"([^\"]+)\"")
EXPRESSION = re.compile(r"\{\{.*?\}\}")
HX = {"hx-request": "true"}
# The alert region's messages, as base.html renders them (data attribute -> message id).
ALERT_MESSAGES = {
    "data-network": "ASAR could not be reached: check your connection. Nothing you entered is lost; "
                    "send it again when you are back online.",
    "data-timeout": "ASAR is taking too long to answer. Nothing you entered is lost; please try again.",
    "data-too-large": "What you sent is too large.",
    "data-too-many": "Too many attempts. Please wait and try again.",
    "data-client": "This could not be done. Nothing you entered is lost; reload the page in another tab to see "
                   "the current state.",
    "data-server": "ASAR could not handle this right now. Nothing you entered is lost; please try again in a moment.",
}


def t(lang: str, message: str) -> str:
    with use_language(lang):
        return gettext(message)


def templates() -> dict[str, str]:
    return {p.relative_to(TEMPLATE_DIR).as_posix(): p.read_text() for p in sorted(TEMPLATE_DIR.rglob("*.html"))}


def htmx_templates() -> dict[str, str]:
    """The templates with an htmx request (hx-get/post/put/patch/delete, hx-boost)."""
    return {name: text for name, text in templates().items() if HX_REQUEST.search(text)}


def test_every_htmx_request_is_listed_in_the_front_end_doc() -> None:
    doc = (ROOT_DIR / "docs" / "frontend.md").read_text()
    missing = [name for name in htmx_templates() if f"`{name}`" not in doc]
    assert htmx_templates(), "no template with an htmx request found: is the pattern still right?"
    assert not missing, ("templates with htmx requests missing from docs/frontend.md's table (add a row: the "
                         f"request, its target, the controller and its answers): {missing}")


def test_every_htmx_target_is_an_element_some_template_renders() -> None:
    """A target that names no element makes htmx swap nothing and report nothing."""

    def shape(s: str) -> str:  # ids and targets alike: `{{ x.id }}` -> `{}`
        return EXPRESSION.sub("{}", s)

    ids = {shape(found) for text in templates().values() for found in ID.findall(text)}

    def rendered(target: str) -> bool:  # an expression in the target stands for any text of the id
        pattern = re.compile(".+".join(re.escape(part) for part in shape(target).split("{}")))
        return any(pattern.fullmatch(found) for found in ids)

    wrong = [(name, target) for name, text in htmx_templates().items() for target in HX_TARGET.findall(text)
             if not rendered(target)]
    assert not wrong, wrong


def test_every_page_with_an_htmx_request_loads_the_error_handler() -> None:
    """Every page is built on base.html (the one template that writes <html>), and base.html loads
    htmx, then htmx-errors.js, and holds the alert region with all its messages (its role=alert element comes with a message)."""
    env = make_environment()
    sources = templates()
    shells = [name for name, text in sources.items() if "<html" in text]
    assert shells == ["base.html"], shells
    parents = {}  # template -> the template it extends
    for name, text in sources.items():
        extends = [node.template.value for node in env.parse(text).find_all(nodes.Extends)
                   if isinstance(node.template, nodes.Const)]
        parents[name] = extends[0] if extends else None

    def shell_of(name: str) -> str:
        while parents.get(name):
            name = parents[name]
        return name

    for name, text in htmx_templates().items():
        if parents[name] is not None:  # a page: built on base.html
            assert shell_of(name) == "base.html", name
        else:  # a fragment: swapped into, or included in, a page
            assert "<html" not in text, name
    base = sources["base.html"]
    htmx_at = base.index("file_path='vendor/htmx-2.0.11.min.js'")
    handler_at = base.index("file_path='js/htmx-errors.js'")
    assert htmx_at < handler_at
    assert '"responseHandling"' in base and '"timeout"' in base
    region = base[base.index('id="request-alert"'):]
    region = region[:region.index("</div>")]
    assert 'class="request-alert__close' in region
    for attribute, message in ALERT_MESSAGES.items():
        assert f"{attribute}=\"{{{{ _('{message}') }}}}\"" in region, attribute


def test_the_handler_knows_the_server_s_marks() -> None:
    script = (ROOT_DIR / "static" / "js" / "htmx-errors.js").read_text()
    assert FRAGMENT_HEADER in script and "data-error-message" in script
    assert '"role", "alert"' in script
    for event in ("htmx:beforeSwap", "htmx:responseError", "htmx:sendError", "htmx:timeout"):
        assert event in script
    for attribute in ALERT_MESSAGES:
        camel = re.sub(r"-(\w)", lambda m: m.group(1).upper(), attribute.removeprefix("data-"))
        assert f"data.{camel}" in script or f"dataset.{camel}" in script, camel
    assert "data-error-message" in (TEMPLATE_DIR / "web" / "error.html").read_text()


async def test_a_form_refused_over_htmx_gets_its_errors_swapped_and_anything_else_a_message(table_case: Any) -> None:
    client, session = table_case.client, table_case.session
    user = await make_user(session, language="kk")
    await sign_in(client, user.email)

    page = await client.get("/profile")
    assert page.status_code == 200 and '<html lang="kk">' in page.text
    assert re.search(r'<script src="/static/js/htmx-errors[^"]*\.js" defer>', page.text)
    for attribute, message in ALERT_MESSAGES.items():
        text = t("kk", message)
        assert text != message, message  # translated
        assert f'{attribute}="{text}"' in page.text.replace("&#39;", "'"), attribute

    # A validation error: the target's own fragment, with the translated error, marked for swapping.
    r = await post_form(client, "/profile/tokens", {"name": ""}, headers=HX)
    assert r.status_code == 400 and r.headers.get(FRAGMENT_HEADER) == "target"
    assert r.text.lstrip().startswith('<section id="api-tokens"')
    assert t("kk", "Give the token a name, for example the program that will use it.") in r.text

    # Anything else: not marked (nothing is swapped) and the server's message marked on its page.
    r = await post_form(client, "/profile/tokens/987654321/revoke", {}, headers=HX)
    assert r.status_code == 404 and FRAGMENT_HEADER.lower() not in r.headers
    assert re.search(r"data-error-message>\s*" + re.escape(t("kk", "This token does not exist or was already revoked.")), r.text)

    # Signed out (the session ended in another tab): htmx gets a 401 and a message, not the sign-in page.
    client.cookies.delete("asar_session")
    r = await post_form(client, "/profile/tokens", {"name": "reports"}, headers={**HX, "accept-language": "ru"})
    assert r.status_code == 401 and FRAGMENT_HEADER.lower() not in r.headers
    signed_out = t("ru", "You are signed out. Sign in again in another tab (what you entered here stays on this "
                         "page), then send it again.")
    assert f"data-error-message>{signed_out}<" in r.text
    r = await post_form(client, "/profile/tokens", {"name": "reports"})
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")
