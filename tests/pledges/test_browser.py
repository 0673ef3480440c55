"""Pledging in real browsers (Debian's Chromium), three at once (issue 9, "Show"): a member of a
verified business opens "matched for you", finds a rural school project with the reasons it was
matched, opens its page, pledges 1,000,000 ₸ through the review step and gets the receipt (number,
amount in words); the NGO's member, in a second browser with the project page open, sees the pledge
arrive without reloading (the bell counts it and the sponsorship panel lists it) and accepts it
there; an anonymous visitor, in a third browser, sees the progress bar move without reloading, and so
does a fourth whose network blocks WebSockets (its page reads the stream over Server-Sent Events,
static/js/live-fallback.js); a lifecycle step then changes both visitors' status badges. Before it
all, the NGO's member creates and publishes a project through the form (one refused input, with
its message)."""

from __future__ import annotations

import asyncio
import re
from datetime import date, timedelta

import pytest
from playwright.async_api import async_playwright, expect

from asar.i18n import format_tenge, gettext, use_language
from asar.projects import service as projects
from tests.factories import make_user
from tests.hearings.browser import CHROMIUM_ARGS
from tests.hearings.helpers import actor_of, join, make_org, session_cookie
from tests.hearings.test_fallback_browser import BLOCK_WEBSOCKETS
from tests.matching.helpers import M, make_project, make_sponsor

pytestmark = pytest.mark.browser


async def _listening(live, key: str, sockets: int) -> None:
    """Until the server holds that many sockets on the stream (the pages' ws extension connected)."""
    for _ in range(500):
        feed = live.hub.feeds.get(key)
        if feed is not None and len(feed.conns) >= sockets:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {sockets} sockets on {key}")


async def _create_project_in_the_form(page, base: str) -> None:
    """The NGO's member fills in the project form (areas, a region with its settlement type, the
    funding stack, two milestones); the first try's stack does not add up and is refused with its
    message, the rest kept; the corrected draft is saved, then published."""
    start = date.today() + timedelta(days=40)
    await page.goto(f"{base}/projects/new")
    await page.locator("select[name=kind]").select_option("ngo_initiative")
    await page.locator("[name=title_kk]").fill("Ауыл балаларына арналған шахмат үйірмесі")
    await page.locator("[name=title_ru]").fill("Шахматный кружок для сельских детей")
    await page.locator("[name=summary_ru]").fill("Кружок в трёх сёлах района.")
    await page.locator("input[name=areas]").first.check()
    region = page.locator("input[name=regions]").first
    await region.check()
    await page.locator(f"select[name=settlement_{await region.get_attribute('value')}]").select_option("rural")
    await page.locator("[name=starts_on]").fill(start.isoformat())
    await page.locator("[name=ends_on]").fill((start + timedelta(days=200)).isoformat())
    await page.locator("[name=budget]").fill("3 000 000")
    await page.locator("[name=own_contribution]").fill("500 000")
    await page.locator("[name=sponsorship_goal]").fill("2 000 000")  # 2,500,000 of 3,000,000: refused
    for n, (title, amount) in enumerate((("Chess sets", "1 000 000"), ("Lessons", "2 000 000")), start=1):
        await page.get_by_label(f"Milestone {n}: title", exact=True).fill(title)
        await page.get_by_label(f"Milestone {n}: deliverable", exact=True).fill(f"{title} delivered")
        await page.get_by_label(f"Milestone {n}: due on", exact=True).fill((start + timedelta(days=60 * n)).isoformat())
        await page.get_by_label(f"Milestone {n}: tranche", exact=True).fill(amount)
    await page.get_by_role("button", name="Save the draft").click()
    with use_language("en"):
        refusal = gettext("The funding stack does not add up: own contribution, state funding and sponsorship "
                          "goal make %(stack)s, but the budget is %(budget)s.", stack=format_tenge(2_500_000),
                          budget=format_tenge(3_000_000))
    await expect(page.locator("main")).to_contain_text(refusal)
    await expect(page.get_by_label("Milestone 2: tranche", exact=True)).to_have_value("2 000 000")  # kept as typed
    await page.locator("[name=sponsorship_goal]").fill("2 500 000")
    await page.get_by_role("button", name="Save the draft").click()
    await expect(page).to_have_url(re.compile(r"/projects/\d+$"))
    project_id = page.url.rsplit("/", 1)[1]
    await page.get_by_role("button", name="Publish").click()
    await expect(page.locator(f"#project-status-{project_id}")).to_have_text("Published")
    await expect(page.locator("main")).to_contain_text("Chess sets")


async def test_a_business_finds_a_matched_project_pledges_the_ngo_accepts_everyone_sees_it(db, live) -> None:
    ngo = await make_org(db, "ngo", name="Green Steppe")
    project = await make_project(db, ngo.id, "Libraries for village schools", regions=(("KZ-75", "rural"),),
                                 groups=("children",), goal=4 * M, tranches=(2 * M, 2 * M))
    ngo_user = await make_user(db, name="Nurlan NGO", language="en")
    await join(db, ngo_user, ngo)
    _business, sponsor_user, _profile = await make_sponsor(db, "Kazakh Copper", prefers_rural="1")
    sponsor_user.language = "en"
    await db.commit()
    pid = project.id
    project_page = f"{live.url}/projects/{pid}"
    errors: list[str] = []

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            pages = {}
            for role, user in (("sponsor", sponsor_user), ("ngo", ngo_user), ("visitor", None), ("blocked", None)):
                context = await browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
                if role == "blocked":  # a network that refuses the WebSocket upgrade: Server-Sent Events
                    await context.add_init_script(BLOCK_WEBSOCKETS.replace("BLOCKED", "/ws/"))
                if user is not None:
                    await context.add_cookies([{"name": "asar_session", "value": await session_cookie(db, user),
                                                "url": live.url}])
                page = await context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                pages[role] = page
            ngo_page, visitor, sponsor, blocked = pages["ngo"], pages["visitor"], pages["sponsor"], pages["blocked"]
            await _create_project_in_the_form(ngo_page, live.url)
            refused = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
            assert errors.count(refused) == 1, errors  # the refused form's answer, logged by Chromium
            errors.remove(refused)
            await ngo_page.goto(project_page)
            await visitor.goto(project_page)
            await blocked.goto(project_page)
            bar = visitor.locator(f"#funding-{pid}")
            await expect(bar).to_have_attribute("data-committed", "0")
            section = blocked.locator("section.live-fallback[data-live-fallback='sse']")
            await expect(section).to_have_count(1)  # its socket failed: the page reads the stream over SSE
            await blocked.evaluate("window.__loaded = true")  # gone if the page ever reloads
            await expect(ngo_page.locator("#notification-bell")).to_have_attribute("data-unread", "0")
            await _listening(live, f"project:{pid}", 3)
            await _listening(live, f"user:{ngo_user.id}", 1)

            # the sponsor: matched for you, the reasons, the project's page
            await sponsor.goto(f"{live.url}/matches")
            card = sponsor.locator(f"#match-{pid}")
            await expect(card).to_contain_text("The project works in villages, which the sponsor gives priority to.")
            await card.get_by_role("link", name="Libraries for village schools").click()
            await expect(sponsor).to_have_url(project_page)
            # the form, the review step, the receipt
            await sponsor.get_by_role("link", name="Pledge funds").click()
            await sponsor.get_by_label("Amount, whole tenge").fill("1 000 000")
            await sponsor.get_by_label("Conditions (optional)").fill("Our logo in the books")
            await sponsor.get_by_role("button", name="Review the pledge").click()
            await expect(sponsor.locator("#review-words")).to_have_text("One million tenge")
            await sponsor.get_by_role("button", name="Confirm the pledge").click()
            await expect(sponsor.locator("#receipt-number")).to_have_text(re.compile(r"^ASAR-\d{4}-\d{6}-\d$"))
            await expect(sponsor.locator("#receipt-words")).to_have_text("One million tenge")
            await expect(sponsor.locator("#receipt-state")).to_have_text("awaiting the project's answer")

            # the NGO: the bell and the panel, without a reload
            await expect(ngo_page.locator("#notification-bell")).to_have_attribute("data-unread", "1")
            offer = ngo_page.locator(f"#pledge-list-{pid} li")
            await expect(offer).to_have_count(1)
            await expect(offer).to_contain_text("Kazakh Copper")
            await expect(bar).to_have_attribute("data-reserved", str(M))
            await offer.get_by_role("button", name="Accept").click()
            await expect(offer).to_contain_text("accepted")

            # the visitor: the bar moved, without a reload
            await expect(bar).to_have_attribute("data-committed", str(M))
            await expect(visitor.locator(f"#funding-{pid} progress")).to_have_attribute("value", "25")
            # the visitor whose network blocks WebSockets: the same, over Server-Sent Events
            await expect(blocked.locator(f"#funding-{pid}")).to_have_attribute("data-committed", str(M))
            # a lifecycle step reaches both visitors' status badges without a reload
            await projects.change_status(db, await actor_of(db, ngo_user), pid, "in_progress")
            for page in (visitor, blocked):
                await expect(page.locator(f"#project-status-{pid}")).to_have_text("In progress")
            assert await blocked.evaluate("window.__loaded") is True
            assert await blocked.evaluate("window.__wsAttempts") >= 1  # the socket was tried, and blocked
            await sponsor.reload()
            await expect(sponsor.locator("#receipt-state")).to_have_text("accepted")
            # what the browsers log: htmx's report of each blocked attempt (htmx:wsError), nothing else
            assert [e for e in errors if e != "[object Event]"] == [], errors
        finally:
            await browser.close()
