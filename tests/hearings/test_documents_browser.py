"""Citing a clause from the room's own form in a real browser (Debian's Chromium): the clause select
sits outside the form (form="post-form") and htmx still sends it; the choice survives the ack."""

from __future__ import annotations

import pytest
from playwright.async_api import async_playwright, expect

from tests.hearings.browser import CHROMIUM_ARGS, open_room
from tests.hearings.helpers import live_hearing, person, registered, session_cookie

pytestmark = pytest.mark.browser

DOCUMENT = {"document_title": "Проект правил", "document_text": "1. Гранты.\n2. Размер:\n1) малый;\n2) большой."}


async def test_a_participant_cites_a_clause_from_the_room(db, live) -> None:
    _, official = await person(db, "government")
    hearing = await live_hearing(db, official, **DOCUMENT)
    user, _ = await registered(db, hearing, "ngo", name="Nurlan NGO")
    cookie = await session_cookie(db, user)
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            page = await open_room(browser, live, cookie, f"{live.url}/hearings/{hearing.id}/room", errors)
            await page.locator("#post-clause").select_option("2.1")
            await page.get_by_label("Your comment").fill("The small grant is too small")
            await page.get_by_role("button", name="Send").click()
            await expect(page.locator("#post-form-status")).to_have_text("Published.")
            post = page.locator("#post-list article").filter(has_text="The small grant is too small")
            await expect(post.locator(".post__clause a")).to_have_text("On clause 2.1")
            assert (await post.locator(".post__clause a").get_attribute("href")).endswith(
                f"/hearings/{hearing.id}#clause-2.1")
            await expect(page.locator("#post-clause")).to_have_value("2.1")  # kept after the ack
            await post.locator(".post__clause a").click()
            await expect(page.locator("#clause-2\\.1")).to_contain_text("малый;")
        finally:
            await browser.close()
    assert errors == []
