"""The bell in real browsers (Debian's Chromium), live on the person's own stream `user:<id>`: an
official verifies Ann's organization while Ann has the site open in two tabs; without a reload the
notification appears at the top of her inbox and both bells count it; she marks it read and both
counts drop (issue 8, item 6: the second stream type end to end)."""

from __future__ import annotations

import asyncio

import pytest
from playwright.async_api import async_playwright, expect

from asar.organizations import service as orgs
from tests.factories import make_user
from tests.hearings.browser import CHROMIUM_ARGS
from tests.hearings.helpers import session_cookie
from tests.organizations.helpers import actor_of, make_official, make_org

pytestmark = pytest.mark.browser


async def _listening(live, key: str, sockets: int) -> None:
    """Until the server holds that many sockets on the stream (the pages' ws extension connected)."""
    for _ in range(500):
        feed = live.hub.feeds.get(key)
        if feed is not None and len(feed.conns) >= sockets:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {sockets} sockets on {key}")


async def test_a_notification_appears_without_reload_and_the_count_drops_when_read(db, live) -> None:
    official, _body = await make_official(db)
    ann = await make_user(db, name="Ann Admin", language="en")
    org = await make_org(db, ann, "ngo")  # Ann administers it; it waits for verification
    cookie = await session_cookie(db, ann)
    errors: list[str] = []

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(locale="en-GB")
            await context.add_cookies([{"name": "asar_session", "value": cookie, "url": live.url}])
            inbox, other = await context.new_page(), await context.new_page()
            for page in (inbox, other):
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
            await inbox.goto(f"{live.url}/notifications")
            await other.goto(f"{live.url}/hearings")
            bells = [page.locator("#notification-bell") for page in (inbox, other)]
            for bell in bells:
                await expect(bell).to_have_attribute("data-unread", "0")
            await expect(inbox.get_by_text("No notifications yet.")).to_be_visible()
            await _listening(live, f"user:{ann.id}", 2)

            # another person's action: the official verifies Ann's organization
            await orgs.verify_organization(db, await actor_of(db, official), org.id, base_url=live.url)

            entry = inbox.locator("#notification-list li")
            await expect(entry).to_have_count(1)
            await expect(entry).to_contain_text("Green World has been verified on ASAR.")
            for bell in bells:
                await expect(bell).to_have_attribute("data-unread", "1")
                await expect(bell).to_contain_text("1 unread")
            await expect(inbox.locator("#unread-count")).to_have_text("1 unread")

            await entry.get_by_role("button", name="Mark as read").click()
            for bell in bells:
                await expect(bell).to_have_attribute("data-unread", "0")
            await expect(entry.get_by_role("button", name="Mark as read")).to_have_count(0)
            await expect(entry).to_contain_text("Green World has been verified on ASAR.")
            assert errors == []
        finally:
            await browser.close()


async def test_with_websockets_blocked_the_bell_falls_back_to_server_sent_events(db, live) -> None:
    """As on networks that refuse the WebSocket upgrade: the bell's socket cannot connect, so its page
    reads the person's stream over Server-Sent Events (/sse/streams/user/<id>): a notification raised
    by another person's action appears without reload, and the count drops in the other tab when it
    is read."""
    from tests.hearings.test_fallback_browser import BLOCK_WEBSOCKETS

    official, _body = await make_official(db)
    ann = await make_user(db, name="Ann Blocked", language="en")
    org = await make_org(db, ann, "ngo", name_en="Blue Steppe")
    cookie = await session_cookie(db, ann)
    errors: list[str] = []

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            context = await browser.new_context(locale="en-GB")
            await context.add_cookies([{"name": "asar_session", "value": cookie, "url": live.url}])
            await context.add_init_script(BLOCK_WEBSOCKETS.replace("BLOCKED", "/ws/"))
            inbox, other = await context.new_page(), await context.new_page()
            for page in (inbox, other):
                page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
                page.on("pageerror", lambda e: errors.append(str(e)))
            await inbox.goto(f"{live.url}/notifications")
            await other.goto(f"{live.url}/hearings")
            bells = [page.locator("#notification-bell") for page in (inbox, other)]
            for bell in bells:
                await expect(bell).to_have_attribute("data-unread", "0")
            await _listening(live, f"user:{ann.id}", 2)  # both pages' event streams (no socket opens)
            for page in (inbox, other):
                await page.evaluate("window.__loaded = true")  # gone if the page ever reloads

            await orgs.verify_organization(db, await actor_of(db, official), org.id, base_url=live.url)

            entry = inbox.locator("#notification-list li")
            await expect(entry).to_have_count(1)
            await expect(entry).to_contain_text("Blue Steppe has been verified on ASAR.")
            for bell in bells:
                await expect(bell).to_have_attribute("data-unread", "1")

            await entry.get_by_role("button", name="Mark as read").click()
            for bell in bells:  # the other tab's bell drops through its event stream
                await expect(bell).to_have_attribute("data-unread", "0")
            for page in (inbox, other):
                assert await page.evaluate("window.__loaded") is True  # never reloaded
                assert await page.evaluate("window.__wsAttempts") >= 1  # the socket was tried, and blocked
        finally:
            await browser.close()
    # what the browsers log: htmx's report of each blocked attempt (htmx:wsError), nothing else
    assert [e for e in errors if e != "[object Event]"] == [], errors
