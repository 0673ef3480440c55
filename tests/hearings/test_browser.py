"""The live room in real browsers (Debian's Chromium): the chair opens a poll, NGO, business and
citizen browsers vote and every browser sees the tallies by sector change live; a question is
asked, upvoted, taken and answered — all through the page's own forms over the WebSocket.
The citizen is on a phone (390×844), the chair on a desktop (1280×800): both rooms pass axe-core
with no serious or critical violation and keep the results by sector inside the window (issue 7,
items 14, 16 and 18)."""

from __future__ import annotations

import pytest
from playwright.async_api import Page, async_playwright, expect

from asar.hearings import polls
from asar.hearings.forms import parse_poll
from tests.browser.axe import serious_violations
from tests.hearings.browser import CHROMIUM_ARGS, open_room
from tests.hearings.helpers import live_hearing, person, registered, session_cookie

pytestmark = pytest.mark.browser

VIEWPORTS = {"citizen": {"width": 390, "height": 844}, "chair": {"width": 1280, "height": 800}}

# The window's width, how wide the page is, the header's height and where each block of the
# results by sector sits (CSS pixels).
LAYOUT_JS = """(poll) => ({
  width: window.innerWidth,
  scrollWidth: document.documentElement.scrollWidth,
  header: document.querySelector(".site-header").getBoundingClientRect().height,
  groups: Array.from(document.querySelectorAll(`#tally-${poll} .tally__group`), (el) => {
    const r = el.getBoundingClientRect();
    return [Math.round(r.left), Math.round(r.right)];
  }),
})"""


async def test_polls_and_questions_live_across_four_browsers(db, live) -> None:
    official_user, official = await person(db, "government", name="Aliya Official")
    hearing = await live_hearing(db, official, title="Clean air hearing")
    poll = await polls.create_poll(db, official, hearing.id, parse_poll(
        {"question": "Ban coal heating in the city?", "options": "Yes\nNo"}))
    people = {"chair": official_user}
    for sector, name in (("ngo", "Nurlan NGO"), ("business", "Bolat Business"), ("citizen", "Saule Citizen")):
        people[sector] = (await registered(db, hearing, sector, name=name))[0]
    cookies = {role: await session_cookie(db, user) for role, user in people.items()}
    room_url = f"{live.url}/hearings/{hearing.id}/room"
    errors: list[str] = []

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            pages: dict[str, Page] = {}
            for role, cookie in cookies.items():
                pages[role] = await open_room(browser, live, cookie, room_url, errors,
                                              viewport=VIEWPORTS.get(role, VIEWPORTS["chair"]))
            projector = await pages["chair"].context.new_page()
            projector.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            await projector.goto(f"{live.url}/hearings/{hearing.id}/projector")
            await expect(projector.locator("#room-connection")).to_have_text("Connected: updates arrive live.")

            # Everybody sees who is in the room, by sector (the hall screen is not counted).
            for page in (*pages.values(), projector):
                await expect(page.locator("#presence")).to_contain_text("In the room now: 4")
            for label in ("Government: 1", "Business: 1", "NGOs: 1", "Citizens: 1", "Visitors: 0"):
                await expect(pages["citizen"].locator("#presence")).to_contain_text(label)

            # The chair opens the prepared poll: it appears in every browser, and "No polls yet." goes.
            await expect(pages["citizen"].locator("#poll-list")).to_contain_text("No polls yet.")
            await pages["chair"].get_by_role("button", name="Open the poll").click()
            for page in pages.values():
                await expect(page.locator(f"#poll-{poll.id}")).to_contain_text("Ban coal heating in the city?")
                await expect(page.locator("#poll-list")).not_to_contain_text("No polls yet.")

            # Three sectors vote from their own browsers; everybody sees the tally by sector.
            choices = {"ngo": "Yes", "business": "No", "citizen": "Yes"}
            for n, (sector, choice) in enumerate(choices.items(), start=1):
                page = pages[sector]
                await page.locator(f"#poll-{poll.id}").get_by_label(choice, exact=True).check()
                await page.locator(f"#poll-{poll.id}").get_by_role("button", name="Vote").click()
                await expect(page.locator(f"#poll-{poll.id}-mine")).to_have_text(f"Your vote: {choice}")
                # this poll does not allow changing a vote: the button is no longer active
                await expect(page.locator(f"#poll-{poll.id}").get_by_role("button", name="Vote")).to_be_disabled()
                for other in pages.values():
                    await expect(other.locator(f"#tally-{poll.id} figcaption")).to_contain_text(
                        f"{n} voter" if n == 1 else f"{n} voters")
            tally = pages["chair"].locator(f"#tally-{poll.id}")
            groups = [t.split("\n")[0].strip() for t in await tally.locator(".tally__group h4").all_inner_texts()]
            assert groups == ["All", "Government", "Business", "NGOs", "Citizens"]
            for group, text in (("all", "2 (67%)"), ("ngo", "1 (100%)"), ("citizen", "1 (100%)"), ("business", "0 (0%)")):
                option = tally.locator(f".tally__group--{group} .tally__option").filter(has_text="Yes")
                await expect(option).to_contain_text(text)
            await expect(projector.locator(f"#tally-{poll.id} figcaption")).to_contain_text("3 voters")
            assert await projector.locator(f"#poll-{poll.id} form").count() == 0  # no controls on the hall screen

            # The citizen asks; the NGO upvotes; the chair takes it and answers.
            await pages["citizen"].get_by_label("Your question to the panel").fill("When will the filters be installed?")
            await pages["citizen"].get_by_role("button", name="Ask").click()
            await expect(pages["citizen"].locator("#ask-form-status")).to_have_text("Published.")
            await expect(pages["citizen"].get_by_label("Your question to the panel")).to_be_focused()
            question = pages["ngo"].locator("#question-list li").filter(has_text="When will the filters be installed?")
            await expect(question).to_be_visible()
            own = pages["citizen"].locator("#question-list li").filter(has_text="When will the filters be installed?")
            await expect(own).to_be_visible()
            await expect(own.get_by_role("button", name="Upvote")).to_have_count(0)
            await question.get_by_role("button", name="Upvote").click()
            for page in pages.values():
                await expect(page.locator("#question-list")).to_contain_text("1 upvote")
            chair_question = pages["chair"].locator("#question-list li").filter(has_text="filters")
            await chair_question.get_by_role("button", name="Answer now").click()
            for page in [*pages.values(), projector]:
                await expect(page.locator("#current-question")).to_contain_text("When will the filters be installed?")
            chair_question = pages["chair"].locator("#question-list li").filter(has_text="filters")
            await chair_question.get_by_label("Answer given").fill("Before the next heating season.")
            await chair_question.get_by_role("button", name="Mark answered").click()
            for page in pages.values():
                await expect(page.locator("#question-list")).to_contain_text("Before the next heating season.")

            # On the phone and on the desktop: nothing wider than the window, the results by sector
            # inside it, a header that leaves the phone's screen to the room, and no serious or
            # critical axe-core violation.
            problems: list[str] = []
            for role in ("citizen", "chair"):
                page = pages[role]
                layout = await page.evaluate(LAYOUT_JS, poll.id)
                assert layout["scrollWidth"] <= layout["width"], (role, layout)
                assert len(layout["groups"]) == 5, (role, layout)
                assert all(0 <= left and right <= layout["width"] for left, right in layout["groups"]), (role, layout)
                problems.extend(await serious_violations(page, f"{role} room"))
            assert (await pages["citizen"].evaluate(LAYOUT_JS, poll.id))["header"] <= 0.12 * 844
            assert problems == [], "\n".join(problems)

            # The chair closes the poll: the final result stays on every page.
            await pages["chair"].locator(f"#poll-{poll.id}").get_by_role("button", name="Close the poll").click()
            for page in [*pages.values(), projector]:
                await expect(page.locator(f"#poll-{poll.id}")).to_contain_text("Closed")
                await expect(page.locator(f"#poll-{poll.id} .vote-form")).to_have_count(0)
        finally:
            await browser.close()
    assert errors == []
