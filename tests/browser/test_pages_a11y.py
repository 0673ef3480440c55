"""The main pages in Kazakh on a phone and in English on a desktop (issue 7, items 14 and 18; the
project list, a project's page and the sponsor's dashboard since issue 9): no serious or critical
axe-core violation, nothing wider than the screen, the poll results by sector inside it, and on a
phone a header that folds its menu behind one button (which works without JavaScript). One server
with the demo data, one browser, each page loaded once per language (the sponsor's dashboard signed
in as the demo company's administrator). Issue 10's competition pages likewise, on the demo's calls and
what tests/browser/competitions_world.py adds through the verbs, each signed in as who uses it; there the
phone also wants 24-pixel tap targets, headings in order, every table scrolling inside its own box and
nothing shown that is hidden."""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest
from playwright.async_api import Browser, Page, expect

from asar import demo
from asar.demo import competitions as demo_calls
from asar.i18n import gettext, use_language
from tests.browser import competitions_world
from tests.browser.axe import axe_source, serious_violations
from tests.browser.conftest import LiveServer

pytestmark = pytest.mark.browser

SPONSOR = "business.admin@demo.asar.kz"  # the demo company's administrator
PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# How much a page overflows, and where the by-sector results and the header sit (CSS pixels).
LAYOUT_JS = """() => ({
  width: window.innerWidth,
  scrollWidth: document.documentElement.scrollWidth,
  header: document.querySelector(".site-header").getBoundingClientRect().height,
  wide: Array.from(document.body.querySelectorAll("*"), (el) => [el, el.getBoundingClientRect().right])
    .filter(([el, right]) => right > window.innerWidth + 0.5 && !el.closest(".visually-hidden"))
    .slice(-3).map(([el, right]) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(right)}px)`),
  groups: Array.from(document.querySelectorAll(".tally__group"), (el) => {
    const r = el.getBoundingClientRect();
    return {left: r.left, right: r.right, name: el.querySelector("h4").textContent.trim()};
  }),
})"""


def t(lang: str, message: str) -> str:
    with use_language(lang):
        return gettext(message)


async def main_pages(page: Page, base: str) -> dict[str, str]:
    """The addresses of the main pages, found as a visitor finds them."""
    await page.goto(base + "/organizations")
    org = await page.locator("main a[href^='/organizations/']").first.get_attribute("href")
    await page.goto(base + "/hearings")
    upcoming = await page.get_by_role("link", name=demo.UPCOMING_TITLE).get_attribute("href")
    closed = await page.get_by_role("link", name=demo.CLOSED_TITLE).get_attribute("href")
    await page.goto(base + "/projects")
    project = await page.locator("main li.project-card h2 a").first.get_attribute("href")
    return {"home": "/", "directory": "/organizations", "organization": org, "hearings": "/hearings",
            "hearing": upcoming, "room": f"{closed}/room", "projects": "/projects", "project": project,
            "sign in": "/sign-in", "register": "/register"}


async def sign_in_as(page: Page, base: str, email: str) -> None:
    """Sign in through the form, with the demo password the sign-in page shows."""
    await page.goto(base + "/sign-in")
    form = page.locator("main form").first
    await form.locator("input[name=email]").fill(email)
    await form.locator("input[name=password]").fill(demo.DEMO_PASSWORD)
    await form.locator("button[type=submit]").click()
    await page.wait_for_url(lambda url: "/sign-in" not in url)


async def test_main_pages_are_accessible_and_fit_phone_and_desktop(live_server: LiveServer, browser: Browser,
                                                                  ) -> None:
    problems: list[str] = []
    base = live_server.url
    for lang, viewport in (("en", DESKTOP), ("kk", PHONE)):
        context = await browser.new_context(viewport=viewport, locale=lang)
        await context.add_cookies([{"name": "asar_lang", "value": lang, "url": base}])
        page = await context.new_page()
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        pages = await main_pages(page, base)
        for name, path in pages.items():
            await page.goto(base + path)
            assert await page.evaluate("document.documentElement.lang") == lang
            problems.extend(await serious_violations(page, f"{lang} {name} {path}"))
            layout: dict[str, Any] = await page.evaluate(LAYOUT_JS)
            if layout["scrollWidth"] > layout["width"]:
                problems.append(f"{lang} {name}: {layout['scrollWidth']}px wide in a {layout['width']}px window "
                                f"({', '.join(layout['wide'])})")
            if viewport is PHONE and layout["header"] > 0.12 * viewport["height"]:
                problems.append(f"{lang} {name}: the header is {layout['header']}px high on a phone")
            if name == "room":  # the closed demo hearing's poll: everybody, then the four sectors
                if len(layout["groups"]) != 5:
                    problems.append(f"{lang} room: {len(layout['groups'])} groups of poll results, not 5")
                for group in layout["groups"]:
                    if group["left"] < 0 or group["right"] > layout["width"]:
                        problems.append(f"{lang} room: results of {group['name']} at {group}, "
                                        f"outside the {layout['width']}px window")
        # the menu: always shown on a desktop, behind one button on a phone
        nav = page.get_by_role("navigation", name=t(lang, "Main"))
        hearings = nav.get_by_role("link", name=t(lang, "Hearings"))
        toggle = page.locator(".site-menu__toggle")
        if viewport is DESKTOP:
            await expect(hearings).to_be_visible()
            await expect(toggle).to_be_hidden()
        else:
            await expect(hearings).to_be_hidden()
            await toggle.click()
            await expect(hearings).to_be_visible()
            problems.extend(await serious_violations(page, f"{lang} open menu"))
            await hearings.click()
            await page.wait_for_url("**/hearings")
        # the sponsor's dashboard ("matched for you", with the reasons), as the demo company's
        # administrator (the language chosen on this device still holds)
        await sign_in_as(page, base, SPONSOR)
        await page.goto(base + "/matches")
        assert await page.evaluate("document.documentElement.lang") == lang
        assert await page.locator("main [id^='match-']").count() > 0, "no match on the sponsor's dashboard"
        problems.extend(await serious_violations(page, f"{lang} sponsor dashboard /matches"))
        layout = await page.evaluate(LAYOUT_JS)
        if layout["scrollWidth"] > layout["width"]:
            problems.append(f"{lang} sponsor dashboard: {layout['scrollWidth']}px wide in a {layout['width']}px "
                            f"window ({', '.join(layout['wide'])})")
        await context.close()

    # Without JavaScript the phone's menu still opens (it is a <details>).
    context = await browser.new_context(viewport=PHONE, java_script_enabled=False, locale="ru-RU")
    page = await context.new_page()
    await page.goto(base + "/")
    sign_in = page.get_by_role("link", name=t("ru", "Sign in"), exact=True)
    await expect(sign_in).to_be_hidden()
    await page.get_by_text(t("ru", "Menu"), exact=True).click()
    await sign_in.click()
    await page.wait_for_url("**/sign-in")
    await context.close()
    assert problems == [], "\n".join(problems)


# The competition pages (issue 10), each visited once per viewport, signed in as whoever uses it: (who, what,
# path with the subjects of tests/browser/competitions_world.py). None: an anonymous visitor.
COMPETITION_PAGES: tuple[tuple[str | None, str, str], ...] = (
    (None, "call list", "/competitions"),
    (None, "call in intake", "/competitions/{intake}"),
    (None, "call with results and an appeal", "/competitions/{results}"),
    (None, "public results", "/calls/{results}/results"),
    (None, "protocol", "/calls/{results}/protocol"),
    (None, "awarded call", "/competitions/{awarded}"),
    (None, "awarded project", "/projects/{project}"),
    (None, "working-day calendar", "/calendar"),
    (demo_calls.UMIT, "application form", "/applications/{draft_application}"),
    (demo_calls.UMIT, "award with its report form", "/awards/{award}"),
    (demo_calls.UMIT, "my organization's applications", "/applications"),
    (demo_calls.UMIT, "submitted application", "/applications/{submitted}"),
    (demo_calls.UMIT, "receipt", "/applications/{submitted}/receipt"),
    (demo_calls.KAMKOR, "appeal form", "/applications/{appeal_form}/appeal"),
    (demo_calls.ALMATY, "scoring sheet", "/applications/{sheet}/scoring"),
    (demo_calls.ALMATY, "decision", "/calls/{deciding}/decision"),
    (demo_calls.ALMATY, "appeals received", "/calls/{results}/appeals"),
    (demo_calls.ABAI, "compliance check", "/calls/{compliance}/compliance"),
    (demo_calls.MINISTRY, "call form", "/competitions/{draft_call}/edit"),
    (demo_calls.MINISTRY, "commission form", "/competitions/{draft_call}/commission"),
    (demo_calls.MINISTRY, "scoring progress", "/calls/{scoring}/scoring"),
    (demo_calls.MINISTRY, "awards and reports to review", "/calls/{awarded}/awards"),
    (demo_calls.MINISTRY, "report to review", "/awards/{reported}"),
    ("admin@demo.asar.kz", "calendar admin", "/admin/calendar"),
    ("admin@demo.asar.kz", "competition rules", "/admin/competition-rules"),
)
# axe rules off by default that a phone needs: WCAG 2.2's 24-pixel tap targets, headings in order, one h1
PHONE_RULES = ("target-size", "heading-order", "page-has-heading-one")

# Overflow past the window, every table of the page's main part that does not scroll inside its own box
# (itself or an ancestor with overflow-x auto or scroll, within the window), and what shows although hidden.
FIT_JS = """() => {
  const width = window.innerWidth;
  const loose = Array.from(document.querySelectorAll("main table"), (table) => {
    let box = table;
    while (box && !["auto", "scroll"].includes(getComputedStyle(box).overflowX)) box = box.parentElement;
    const inside = box && box.getBoundingClientRect().right <= width + 0.5;
    const name = table.id || (table.querySelector("caption, th") || table).textContent.trim().slice(0, 40);
    return inside ? null : `table ${name}`;
  }).filter(Boolean);
  const wide = Array.from(document.body.querySelectorAll("*"), (el) => [el, el.getBoundingClientRect().right])
    .filter(([el, right]) => right > width + 0.5 && !el.closest(".visually-hidden"))
    .filter(([el]) => !el.parentElement || el.parentElement.getBoundingClientRect().right <= width + 0.5)
    .slice(0, 4).map(([el, right]) => `${el.tagName.toLowerCase()}.${el.className} (${Math.round(right)}px)`);
  const shown = Array.from(document.querySelectorAll("[hidden]"), (el) => [el, el.getClientRects().length])
    .filter(([el, boxes]) => boxes > 0).map(([el]) => `${el.tagName.toLowerCase()}.${el.className}`);
  return {width, scrollWidth: document.documentElement.scrollWidth, wide, loose, shown};
}"""


async def competition_problems(browser: Browser, base: str, world: competitions_world.Competitions,
                               ) -> list[str]:
    """What axe and the phone check find on each competition page, English on a desktop, Kazakh on a phone:
    one browser context per person, signed in once, its pages on the desktop, then on the phone."""
    problems: list[str] = []
    subjects = dataclasses.asdict(world)
    people: dict[str | None, list[tuple[str, str]]] = {}
    for who, name, path in COMPETITION_PAGES:
        people.setdefault(who, []).append((name, path.format(**subjects)))
    for who, visits in people.items():
        context = await browser.new_context(viewport=DESKTOP, locale="en")
        await context.add_init_script(axe_source())  # by the DevTools protocol: the page's CSP does not govern it
        page = await context.new_page()
        page.on("pageerror", lambda e: problems.append(f"page error: {e}"))
        await context.add_cookies([{"name": "asar_lang", "value": "en", "url": base}])
        if who is not None:  # the language chosen on the device holds after signing in
            await sign_in_as(page, base, who)
        for lang, viewport in (("en", DESKTOP), ("kk", PHONE)):
            if lang != "en":  # as a person switches: the header's button (it keeps a signed-in person's choice)
                # a form post and a redirect: expect() retries across the navigation, where a page function
                # evaluated mid-navigation meets a document without its <html> (CI on 1bfb871 failed so)
                await page.locator(f"form.lang-switch button[value={lang}]").click()
                await expect(page.locator("html")).to_have_attribute("lang", lang)
                await page.wait_for_load_state()
            await page.set_viewport_size(viewport)
            for name, path in visits:
                where = f"{lang} {name} {path}"
                response = await page.goto(base + path)
                if response is None or response.status != 200:
                    problems.append(f"{where}: HTTP {response and response.status}")
                    continue
                assert await page.evaluate("document.documentElement.lang") == lang, where
                problems.extend(await serious_violations(page, where, also=PHONE_RULES))
                fit: dict[str, Any] = await page.evaluate(FIT_JS)
                if fit["scrollWidth"] > fit["width"]:
                    problems.append(f"{where}: {fit['scrollWidth']}px wide in a {fit['width']}px window "
                                    f"({', '.join(fit['wide'])})")
                problems.extend(f"{where}: {element} shows although hidden" for element in fit["shown"])
                if viewport is PHONE:  # on a desktop a table that fits need not scroll
                    problems.extend(f"{where}: {table} does not scroll inside its own box" for table in fit["loose"])
        await context.close()
    return problems


async def test_competition_pages_are_accessible_and_fit_phone_and_desktop(live_server: LiveServer, browser: Browser,
                                                                         ) -> None:
    """Issue 10's pages as a new user meets them on a desktop and on a phone: the call list, a call in intake and
    one with its results and appeals, the call and application forms (with budget lines and stages), the
    compliance check, a scoring sheet and the issuer's progress, the decision with its meeting and winners' forms,
    the public results and protocol, the appeal form and the appeals received, the working-day calendar and its
    admin page."""
    world = await competitions_world.build(live_server.database_url, live_server.url)
    problems = await competition_problems(browser, live_server.url, world)
    assert problems == [], "\n".join(problems)
