"""What the hearings' browser tests share: Chromium's options and a signed-in room page."""

from __future__ import annotations

from typing import Any

from playwright.async_api import Browser, Page, expect

CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--no-first-run", "--disable-quic"]


async def open_room(browser: Browser, live: Any, cookie: str, url: str, errors: list[str],
                    **options: Any) -> Page:
    """A fresh browser context signed in with the session cookie, on `url`, its socket connected;
    console errors and page errors go to `errors`; `options` for the context (e.g. a viewport)."""
    context = await browser.new_context(locale="en-GB", **options)
    await context.add_cookies([{"name": "asar_session", "value": cookie, "url": live.url}])
    page = await context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(url)
    await expect(page.locator("#room-connection")).to_have_text("Connected: updates arrive live.")
    return page
