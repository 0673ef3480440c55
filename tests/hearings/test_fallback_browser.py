"""The live room in Chromium with WebSockets blocked (issue 8, item 4c), as on government and office
networks that refuse the upgrade: the page falls back to Server-Sent Events on the same stream and
sends its forms over HTTP (htmx). The chair opens a poll, a voter votes, the tally appears without a
reload on the voter's page and on a second browser's; a browser whose socket works sees the same."""

from __future__ import annotations

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect

from asar.hearings import polls
from asar.hearings.forms import parse_poll
from tests.hearings.browser import CHROMIUM_ARGS, open_room
from tests.hearings.helpers import live_hearing, person, registered, session_cookie

pytestmark = pytest.mark.browser

# Before any of the page's scripts: a WebSocket that never opens and fails as a blocked upgrade does
# (an error, then close 1006), counting the attempts; for URLs containing BLOCKED (every socket, or
# only the room's, so that the page's other socket, the notification bell's, does connect).
BLOCK_WEBSOCKETS = """(() => {
  const Real = window.WebSocket;
  window.__wsAttempts = 0;
  class BlockedWebSocket extends EventTarget {
    constructor(url, protocols) {
      if (!String(url).includes("BLOCKED")) {
        return new Real(url, protocols);
      }
      super();
      window.__wsAttempts += 1;
      this.url = url;
      this.readyState = 0;
      setTimeout(() => {
        this.readyState = 3;
        const error = new Event("error");
        if (this.onerror) this.onerror(error);
        this.dispatchEvent(error);
        const close = new CloseEvent("close", { code: 1006, wasClean: false });
        if (this.onclose) this.onclose(close);
        this.dispatchEvent(close);
      }, 20);
    }
    send() { throw new DOMException("blocked", "InvalidStateError"); }
    close() {}
  }
  for (const [name, value] of [["CONNECTING", 0], ["OPEN", 1], ["CLOSING", 2], ["CLOSED", 3]]) {
    BlockedWebSocket[name] = value;
    BlockedWebSocket.prototype[name] = value;
  }
  window.WebSocket = BlockedWebSocket;
})();"""

FALLBACK = "Connected without WebSocket: updates arrive live."


async def blocked_room(browser: Browser, live: object, cookie: str, url: str, errors: list[str],
                       blocked: str = "/ws/") -> Page:
    """A signed-in room page whose WebSockets (those whose URL contains `blocked`) are blocked, once its
    Server-Sent Events stream is open."""
    context = await browser.new_context(locale="en-GB")
    await context.add_cookies([{"name": "asar_session", "value": cookie, "url": live.url}])  # type: ignore[attr-defined]
    await context.add_init_script(BLOCK_WEBSOCKETS.replace("BLOCKED", blocked))
    page = await context.new_page()
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    await page.goto(url)
    await expect(page.locator("#room-connection")).to_have_text(FALLBACK)
    await page.evaluate("window.__loaded = true")  # gone if the page ever reloads
    return page


async def test_with_websockets_blocked_a_voter_votes_and_everybody_sees_the_tally(db, live) -> None:
    chair_user, chair = await person(db, "government", name="Aliya Official")
    hearing = await live_hearing(db, chair, title="Clean air hearing")
    poll = await polls.create_poll(db, chair, hearing.id, parse_poll(
        {"question": "Ban coal heating in the city?", "options": "Yes\nNo"}))
    voter, _ = await registered(db, hearing, "ngo", name="Nurlan NGO")
    neighbour, _ = await registered(db, hearing, "citizen", name="Saule Citizen")
    observer, _ = await registered(db, hearing, "business", name="Bolat Business")
    room_url = f"{live.url}/hearings/{hearing.id}/room"
    errors: list[str] = []

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            chair_page = await blocked_room(browser, live, await session_cookie(db, chair_user), room_url, errors)
            voter_page = await blocked_room(browser, live, await session_cookie(db, voter), room_url, errors)
            # (only the room's socket is blocked here: the bell's own socket opening must not be taken
            # for the room's)
            neighbour_page = await blocked_room(browser, live, await session_cookie(db, neighbour), room_url, errors,
                                                blocked="/ws/hearings/")
            observer_page = await open_room(browser, live, await session_cookie(db, observer), room_url, errors)
            blocked = (chair_page, voter_page, neighbour_page)

            # The chair opens the prepared poll over HTTP; it reaches every page through its stream.
            await chair_page.get_by_role("button", name="Open the poll").click()
            for page in (*blocked, observer_page):
                await expect(page.locator(f"#poll-{poll.id}")).to_contain_text("Ban coal heating in the city?")

            # The voter votes: the form goes over HTTP, the acknowledgement and the tally come back
            # without a reload, and the other pages see the tally too.
            await voter_page.locator(f"#poll-{poll.id}").get_by_label("Yes", exact=True).check()
            await voter_page.locator(f"#poll-{poll.id}").get_by_role("button", name="Vote").click()
            await expect(voter_page.locator(f"#poll-{poll.id}-mine")).to_have_text("Your vote: Yes")
            await expect(voter_page.locator(f"#poll-{poll.id}").get_by_role("button", name="Vote")).to_be_disabled()
            for page in (*blocked, observer_page):
                figure = page.locator(f"#tally-{poll.id} figcaption")
                await expect(figure).to_contain_text("1 voter")
                await expect(page.locator(f"#tally-{poll.id} .tally__group--ngo .tally__option")
                             .filter(has_text="Yes")).to_contain_text("1 (100%)")

            # A second vote, from the other blocked browser, moves every tally again.
            await neighbour_page.locator(f"#poll-{poll.id}").get_by_label("No", exact=True).check()
            await neighbour_page.locator(f"#poll-{poll.id}").get_by_role("button", name="Vote").click()
            for page in (*blocked, observer_page):
                await expect(page.locator(f"#tally-{poll.id} figcaption")).to_contain_text("2 voters")

            # A refusal comes back as the room's notice (a second vote where changing is not allowed).
            await voter_page.evaluate(f"document.querySelector('#poll-{poll.id}-vote fieldset').disabled = false")
            await voter_page.evaluate(f"document.querySelector('#poll-{poll.id}-vote button').disabled = false")
            await voter_page.locator(f"#poll-{poll.id}").get_by_label("No", exact=True).check()
            await voter_page.locator(f"#poll-{poll.id}").get_by_role("button", name="Vote").click()
            await expect(voter_page.locator("#room-notice")).to_contain_text("You have already voted in this poll")

            for page in blocked:
                assert await page.evaluate("window.__loaded") is True  # never reloaded
                assert await page.evaluate("window.__wsAttempts") >= 1  # the socket was tried, and blocked
                await expect(page.locator("#room-connection")).to_have_text(FALLBACK)
            await expect(observer_page.locator("#room-connection")).to_have_text("Connected: updates arrive live.")
        finally:
            await browser.close()
    # what the browsers log: htmx's report of each blocked attempt (htmx:wsError, an Event) and the
    # refused vote's 409, nothing else
    assert [e for e in errors if e != "[object Event]" and "409 (Conflict)" not in e] == [], errors
