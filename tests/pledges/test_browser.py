"""Pledging in real browsers (Debian's Chromium), three at once (issue 9, "Show"): a member of a
verified business opens a rural school project's sponsorship page, pledges 1,000,000 ₸ through the
review step and gets the receipt (number, amount in words); the NGO's member, in a second browser
with the same page open, sees the pledge arrive without reloading (the bell counts it and the
panel lists it) and accepts it there; an anonymous visitor, in a third browser, sees the progress
bar fill without reloading.

The journey starts from the project's sponsorship page (/projects/<id>/sponsorship), which the
project page links to; the matching dashboard's "matched for you" list is the matching helper's."""

from __future__ import annotations

import asyncio
import re

import pytest
from playwright.async_api import async_playwright, expect

from tests.hearings.browser import CHROMIUM_ARGS
from tests.hearings.helpers import session_cookie
from tests.pledges.helpers import sides

pytestmark = pytest.mark.browser


async def _listening(live, key: str, sockets: int) -> None:
    """Until the server holds that many sockets on the stream (the pages' ws extension connected)."""
    for _ in range(500):
        feed = live.hub.feeds.get(key)
        if feed is not None and len(feed.conns) >= sockets:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {sockets} sockets on {key}")


async def test_a_business_pledges_the_ngo_accepts_and_everyone_sees_it_live(db, live) -> None:
    w = await sides(db, goal=1_000_000)
    pid = w["project"].id
    sponsorship = f"{live.url}/projects/{pid}/sponsorship"
    errors: list[str] = []

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            pages = {}
            for role, user in (("sponsor", w["biz_user"]), ("ngo", w["ngo_user"]), ("visitor", None)):
                context = await browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
                if user is not None:
                    await context.add_cookies([{"name": "asar_session", "value": await session_cookie(db, user),
                                                "url": live.url}])
                page = await context.new_page()
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
                pages[role] = page
            ngo, visitor, sponsor = pages["ngo"], pages["visitor"], pages["sponsor"]
            await ngo.goto(sponsorship)
            await visitor.goto(sponsorship)
            bar = visitor.locator(f"#funding-{pid}")
            await expect(bar).to_have_attribute("data-committed", "0")
            await expect(ngo.locator("#notification-bell")).to_have_attribute("data-unread", "0")
            await _listening(live, f"project:{pid}", 2)
            await _listening(live, f"user:{w['ngo_user'].id}", 1)

            # the sponsor: the project's page, the form, the review step, the receipt
            await sponsor.goto(sponsorship)
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
            await expect(ngo.locator("#notification-bell")).to_have_attribute("data-unread", "1")
            offer = ngo.locator(f"#pledge-list-{pid} li")
            await expect(offer).to_have_count(1)
            await expect(offer).to_contain_text("Kazakh Copper")
            await expect(visitor.locator(f"#funding-{pid}")).to_have_attribute("data-reserved", "1000000")
            await offer.get_by_role("button", name="Accept").click()
            await expect(offer).to_contain_text("accepted")

            # the visitor: the bar moved, without a reload
            await expect(bar).to_have_attribute("data-committed", "1000000")
            await expect(bar).to_contain_text("Funded")
            await sponsor.reload()
            await expect(sponsor.locator("#receipt-state")).to_have_text("accepted")
            assert errors == []
        finally:
            await browser.close()
