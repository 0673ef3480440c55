"""The speaker queue in real browsers: a participant raises a hand from the room's form, the chair sees
it arrive and gives the floor, every page (and the hall screen) counts down the same turn, and the
speaker's own buttons follow (finish speaking), all over the WebSocket."""

from __future__ import annotations

import re

import pytest
from playwright.async_api import async_playwright, expect

from tests.hearings.browser import CHROMIUM_ARGS, open_room
from tests.hearings.helpers import live_hearing, person, registered, session_cookie

pytestmark = pytest.mark.browser


async def test_raise_give_count_down_and_finish(db, live) -> None:
    official_user, official = await person(db, "government", name="Aliya Official")
    hearing = await live_hearing(db, official, title="Speaker queue hearing")
    speaker_user, _ = await registered(db, hearing, "ngo", name="Nurlan NGO")
    cookies = {"chair": await session_cookie(db, official_user), "ngo": await session_cookie(db, speaker_user)}
    room_url = f"{live.url}/hearings/{hearing.id}/room"
    errors: list[str] = []
    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            pages = {}
            for role, cookie in cookies.items():
                pages[role] = await open_room(browser, live, cookie, room_url, errors)
            projector = await pages["chair"].context.new_page()
            await projector.goto(f"{live.url}/hearings/{hearing.id}/projector")
            await expect(projector.locator("#room-connection")).to_have_text("Connected: updates arrive live.")

            ngo = pages["ngo"]
            await ngo.get_by_label("Topic or clause (optional)").fill("Clause 4: bus lanes")
            await ngo.get_by_role("button", name="Raise my hand").click()
            await expect(ngo.get_by_role("button", name="Lower my hand")).to_be_visible()
            queue = pages["chair"].locator("#floor .floor__queue")
            await expect(queue).to_contain_text("Nurlan NGO")
            await expect(queue).to_contain_text("Clause 4: bus lanes")

            await pages["chair"].get_by_label("Minutes").fill("2")
            await pages["chair"].get_by_role("button", name="Give the floor to the next speaker").click()
            for page in (*pages.values(), projector):
                await expect(page.locator("#floor .floor__speaker")).to_contain_text("Nurlan NGO")
                await expect(page.locator("#floor .floor__countdown")).to_have_text(re.compile(r"^[12]:\d\d$"))
            countdown = projector.locator("#floor .floor__countdown")
            first = await countdown.inner_text()
            await expect(countdown).not_to_have_text(first)  # it ticks (once a second; a starved page later)
            # the speaker's own buttons followed the chair's action (no ack of theirs came)
            await expect(ngo.get_by_role("button", name="Finish speaking")).to_be_visible()
            await expect(ngo.get_by_role("button", name="Lower my hand")).to_be_hidden()

            await ngo.get_by_role("button", name="Finish speaking").click()
            for page in (*pages.values(), projector):
                await expect(page.locator("#floor")).to_contain_text("Nobody has the floor.")
            await expect(ngo.get_by_role("button", name="Raise my hand")).to_be_visible()
        finally:
            await browser.close()
    assert errors == []
