"""A competition from the call to a funded project in real browsers (Debian's Chromium), one browser context
per person (issue 10, "Show"): an official of a verified government body creates a state-grant call with two
lots through the form, announces it and forms a commission of three; two NGOs apply at the same time through
the application form (autosave; one draft survives a reload; stages; a PDF attached; submitted, with a
receipt) while the official's call page counts the submissions live; a third NGO, too young, is told why it
may not apply and its submission is refused; intake closes; the official marks both applications admissible
and ends the compliance check; three members score, one of them recused from an application (which they then
cannot open); the official closes scoring; the meeting is recorded with its attendance (quorum), the
ranking's winner confirmed and the results published; an anonymous visitor reads the winners and every
member's points (the recusal marked) and the minutes; the NGO that lost appeals, the official dismisses the
appeal with reasons and the answer is public (without the appellant); the appeal window closes; the official
awards the call; the winner signs the grant agreement, the award's project has a tranche per stage, the
winner reports on the first milestone with evidence and the official's approval releases the first tranche
(and only it), shown on the project's page.

Steps that cannot wait in real time move the call's own times in the database, as
tests/competitions/test_compliance.py and test_evaluation_service.py do, never the server's code or clock:
intake closing (`closes_at` one second into the past, then the real job that opens the compliance check,
`compliance.jobs.open_compliance_checks`) and the end of the appeal window (`appeals_close_at` one second
into the past)."""

from __future__ import annotations

import asyncio
import itertools
import re
from datetime import timedelta
from typing import Any

import pytest
from playwright.async_api import Browser, Page, async_playwright, expect
from sqlalchemy import update

from asar.competitions.compliance.jobs import open_compliance_checks
from asar.competitions.models import Call
from asar.db import utcnow
from asar.organizations.models import Organization
from tests.competitions.application_helpers import old_bin, real_pdf
from tests.competitions.helpers import almaty, ensure_mci
from tests.factories import make_user, valid_bin
from tests.hearings.browser import CHROMIUM_ARGS
from tests.hearings.conftest import db, live, live_db_url  # noqa: F401
from tests.hearings.helpers import join, session_cookie

pytestmark = pytest.mark.browser

_young = itertools.count(1)


def young_bin() -> str:
    """A valid BIN of an organization registered this month (its first four digits: YYMM)."""
    prefix = utcnow().strftime("%y%m") + "4"
    while True:
        try:
            return valid_bin(f"{prefix}{next(_young):06d}")
        except ValueError:
            continue


async def _org(session: Any, sector: str, name: str, bin_: str) -> Organization:
    org = Organization(sector=sector, name_kk=name, name_ru=name, name_en=name, bin=bin_,
                       legal_form="state_body" if sector == "government" else "public_association",
                       verified_at=utcnow())
    session.add(org)
    await session.commit()
    return org


async def _listening(server: Any, key: str, sockets: int) -> None:
    """Until the server holds that many sockets on the stream (the page's ws extension connected)."""
    for _ in range(500):
        feed = server.hub.feeds.get(key)
        if feed is not None and len(feed.conns) >= sockets:
            return
        await asyncio.sleep(0.01)
    raise AssertionError(f"no {sockets} sockets on {key}")


class People:
    """One signed-in browser context per person, opened when first needed."""

    def __init__(self, browser: Browser, server: Any, session: Any, errors: list[str]) -> None:
        self.browser, self.live, self.db, self.errors = browser, server, session, errors
        self.pages: dict[str, Page] = {}

    async def page(self, name: str, user: Any) -> Page:
        if name not in self.pages:
            context = await self.browser.new_context(locale="en-GB", extra_http_headers={"Accept-Language": "en"})
            if user is not None:
                await context.add_cookies([{"name": "asar_session", "value": await session_cookie(self.db, user),
                                            "url": self.live.url}])
            context.set_default_timeout(10_000)
            page = await context.new_page()
            page.on("console", lambda m: self.errors.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: self.errors.append(str(e)))
            self.pages[name] = page
        return self.pages[name]


async def _create_call(page: Page, base: str, members: list[str]) -> int:
    """The official fills in the call form: two lots, two criteria, one required document, who may apply;
    announces the call and sets a commission of three."""
    opens = utcnow() - timedelta(hours=1)
    await page.goto(f"{base}/competitions/new")
    await page.locator("select[name=kind]").select_option("state_grant")
    await page.get_by_label("Title in Kazakh").fill("Ауыл жастарына арналған мемлекеттік грант")
    await page.get_by_label("Title in Russian").fill("Государственный грант для сельской молодёжи")
    await page.locator("#f-description").fill("Поддержка **молодёжных** инициатив в сёлах.")
    await page.locator("input[name=areas]").first.check()
    await page.locator("input[name=regions]").first.check()
    await page.get_by_label("Total budget, whole tenge").fill("20000000")
    await page.get_by_label("Intake opens (Almaty time)").fill(almaty(opens))
    await page.get_by_label("Intake closes (Almaty time)").fill(almaty(opens + timedelta(days=25)))
    for code in ("kk", "ru"):
        await page.locator(f"input[name=languages][value={code}]").check()
    await page.locator("input[name=eligibility][value=organization_verified]").check()
    await page.locator("input[name=eligibility][value=organization_age]").check()
    await page.get_by_label("Minimum age in months").fill("12")
    for n, (title, budget, months) in enumerate((("Спорт секциялары", "10000000", "6"),
                                                 ("Еріктілер орталығы", "8000000", "9")), start=1):
        await page.get_by_label(f"Lot {n}: title", exact=True).fill(title)
        await page.get_by_label(f"Lot {n}: budget", exact=True).fill(budget)
        await page.get_by_label(f"Lot {n}: months", exact=True).fill(months)
        await page.get_by_label(f"Lot {n}: size class", exact=True).select_option("short")
    for n, (title, weight) in enumerate((("Актуальность", "60"), ("Бюджет", "40")), start=1):
        await page.get_by_label(f"Criterion {n}: title", exact=True).fill(title)
        await page.get_by_label(f"Criterion {n}: weight", exact=True).fill(weight)
        await page.get_by_label(f"Criterion {n}: maximum points", exact=True).fill("10")
    await page.get_by_label("Document 1: title", exact=True).fill("Устав")
    await page.get_by_role("button", name="Save the draft").click()
    await expect(page).to_have_url(re.compile(r"/competitions/\d+$"))
    call_id = int(page.url.rsplit("/", 1)[1])
    await page.get_by_role("button", name="Announce the call").click()
    await expect(page.locator(f"#call-stage-{call_id}")).to_contain_text("Intake open")
    await page.get_by_role("link", name="Commission").click()
    for n, email in enumerate(members, start=1):
        await page.get_by_label(f"Member {n}: e-mail address", exact=True).fill(email)
    await page.get_by_role("button", name="Save the commission").click()
    await expect(page).to_have_url(f"{base}/competitions/{call_id}")
    await expect(page.locator("section[aria-labelledby=commission] li")).to_have_count(3)
    return call_id


async def _apply(page: Page, base: str, call_id: int, lot: int, title: str, amounts: tuple[int, int, int], *,
                 reload: bool) -> int:
    """An NGO's member opens its draft on a lot and fills it in; the autosave stores it (after a reload
    everything is there); attaches its charter; submits and gets the receipt. The application's id."""
    await page.goto(f"{base}/competitions/{call_id}")
    await page.locator("tbody tr").nth(lot - 1).get_by_role("button", name="Apply to this lot").click()
    await expect(page).to_have_url(re.compile(r"/applications/\d+$"))
    application_id = int(page.url.rsplit("/", 1)[1])
    await page.locator("select[name=language]").select_option("ru")
    await page.get_by_label("Project title").fill(title)
    await page.get_by_label("Project plan").fill("Сорок занятий в трёх сёлах района; итоги — на встрече с акиматом.")
    await page.get_by_label("Indicator 1", exact=True).fill("Подростков в секциях")
    await page.get_by_label("Target value 1", exact=True).fill("120")
    await page.get_by_label("Name 1", exact=True).fill("Айгерім Сейітова")
    await page.get_by_label("Role in the project 1", exact=True).fill("руководитель")
    for n, (category, amount) in enumerate(zip(("salaries", "goods", "administration"), amounts, strict=True)):
        await page.locator(f"select[name=line_category_{n}]").select_option(category)
        await page.locator(f"input[name=line_description_{n}]").fill(category)
        await page.locator(f"input[name=line_amount_{n}]").fill(str(amount))
    total = sum(amounts)
    stages = (("Секции открыты", "Расписание и списки", 3, total // 2), ("Турнир", "Итоговый отчёт", 6, total - total // 2))
    for n, (stage, deliverable, month, _amount) in enumerate(stages):
        await page.locator(f"input[name=stage_title_{n}]").fill(stage)
        await page.locator(f"input[name=stage_deliverable_{n}]").fill(deliverable)
        await page.locator(f"input[name=stage_month_{n}]").fill(str(month))
    await page.get_by_label("Stage 1: Amount, ₸", exact=True).fill(str(stages[0][3]))  # its own name, not the budget's
    last = f"stage_amount_1={stages[1][3]}"
    async with page.expect_response(lambda r: r.url.endswith("/save") and last in (r.request.post_data or "")):
        await page.locator("input[name=stage_amount_1]").fill(str(stages[1][3]))  # autosave, no button
    await expect(page.locator("#autosave-status")).to_contain_text(re.compile(r"Saved at \d\d:\d\d"))
    checks = page.locator("#application-checks")
    await expect(checks).to_contain_text("Attach the document «Устав» as a PDF.")
    if reload:
        await page.reload()
        await expect(page.get_by_label("Project title")).to_have_value(title)
        await expect(page.locator("input[name=line_amount_2]")).to_have_value(str(amounts[2]))
        await expect(page.locator("select[name=line_category_2]")).to_have_value("administration")
        await expect(page.locator("input[name=stage_amount_1]")).to_have_value(str(stages[1][3]))
    await page.locator("input[type=file]").first.set_input_files(
        files=[{"name": "charter.pdf", "mimeType": "application/pdf", "buffer": real_pdf("Charter")}])
    await page.get_by_role("button", name="Attach").click()
    await expect(checks).to_contain_text("The application is complete and within the call's rules")
    await page.get_by_role("button", name="Submit the application").click()
    await expect(page).to_have_url(f"{base}/applications/{application_id}/receipt")
    await expect(page.locator("dl.facts")).to_contain_text(re.compile(rf"{call_id}-\d{{4}}-000\d"))
    return application_id


async def _score(page: Page, base: str, application_id: int, points: tuple[int, int]) -> None:
    await page.goto(f"{base}/applications/{application_id}/scoring")
    await page.get_by_label("I have no conflict of interest").check()
    await page.get_by_role("button", name="Declare").click()
    fields = page.locator("input[name^=points_]")
    for n, value in enumerate(points):
        await fields.nth(n).fill(str(value))
    await page.locator("textarea[name^=comment_]").first.fill("Обоснованный план.")
    await page.get_by_role("button", name="Submit scores").click()
    await expect(page.locator("main")).to_contain_text("Your scores are submitted")


async def test_a_call_goes_from_the_form_to_a_funded_project(db, live) -> None:  # noqa: F811
    official = await make_user(db, name="Official Aliya")
    body = await _org(db, "government", "Akimat of Abai District", old_bin())
    await join(db, official, body, role="admin")
    ngos = []
    for name, bin_ in (("Rural Youth", old_bin()), ("Steppe Volunteers", old_bin()), ("Fresh Start", young_bin())):
        user = await make_user(db, name=f"{name} member")
        await join(db, user, await _org(db, "ngo", name, bin_), role="admin")
        ngos.append(user)
    members = [await make_user(db, name=f"Member {x}") for x in "ABC"]
    for year in (utcnow().year, utcnow().year + 1):  # the year intake opens in Almaty (UTC+5)
        await ensure_mci(db, year)
    await db.commit()
    base = live.url
    errors: list[str] = []

    async with async_playwright() as p:
        browser = await p.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        try:
            people = People(browser, live, db, errors)
            desk = await people.page("official", official)
            call_id = await _create_call(desk, base, [m.email for m in members])
            await _listening(live, f"call:{call_id}", 1)
            lot_counts = desk.locator(f"#call-counts-{call_id} strong")

            # two NGOs apply to lot 1 at the same time; the official's page counts them without a reload
            first, second = await asyncio.gather(
                _apply(await people.page("ngo1", ngos[0]), base, call_id, 1, "Спорт в каждом ауле",
                       (5_000_000, 2_000_000, 500_000), reload=True),
                _apply(await people.page("ngo2", ngos[1]), base, call_id, 1, "Волонтёры сёл",
                       (4_000_000, 1_500_000, 400_000), reload=False))
            await expect(lot_counts.first).to_have_text("2")

            # a third NGO, registered this month, is told why it may not apply, and cannot submit
            young = await people.page("ngo3", ngos[2])
            await young.goto(f"{base}/competitions/{call_id}")
            await young.locator("tbody tr").first.get_by_role("button", name="Apply to this lot").click()
            reason = re.compile(r"Months since your organization was registered: only [01]; the call asks for at least 12\.")
            await expect(young.locator("#application-checks .check--fail").first).to_have_text(reason)
            await young.get_by_role("button", name="Submit the application").click()
            await expect(young.locator(".error-summary")).to_contain_text(reason)  # refused, and why
            refused = "Failed to load resource: the server responded with a status of 400 (Bad Request)"
            assert errors.count(refused) == 1, errors  # the refused submission's answer, logged by Chromium
            errors.remove(refused)

            # intake closes (the closing time moved a second into the past; the real job opens the check)
            await db.execute(update(Call).where(Call.id == call_id).values(closes_at=utcnow() - timedelta(seconds=1)))
            await db.commit()
            assert await open_compliance_checks({"db": live.db}) == 1
            await expect(desk.locator(f"#call-stage-{call_id}")).to_contain_text("Compliance check")

            # the compliance check: both admissible; the check ends and scoring starts
            await desk.reload()  # the issuer's way to the check appears with the stage
            await desk.get_by_role("link", name="Compliance check").click()
            for app in (first, second):
                row = desk.locator(f"#compliance-row-{app}")
                await row.get_by_label("Admissible", exact=True).check()
                await row.get_by_role("button", name="Save the mark").click()
                await expect(row.locator("[role=status]")).to_contain_text("Admissible")
            await desk.get_by_role("button", name="End the check and start scoring").click()
            await expect(desk.locator(f"#call-stage-{call_id}")).to_contain_text("Scoring")
            ngo1 = people.pages["ngo1"]
            await ngo1.goto(f"{base}/applications/{first}")
            await expect(ngo1.locator("#compliance")).to_contain_text("The application is admissible")

            # three members score; C is recused from the second application and cannot open it after
            a, b, c = [await people.page(f"member{n}", m) for n, m in enumerate(members)]

            async def sheets(page: Page, marks: list[tuple[int, tuple[int, int]]]) -> None:
                for application, points in marks:
                    await _score(page, base, application, points)

            await asyncio.gather(sheets(a, [(first, (9, 8)), (second, (6, 7))]),
                                 sheets(b, [(first, (8, 9)), (second, (7, 6))]), sheets(c, [(first, (10, 9))]))
            await c.goto(f"{base}/applications/{second}/scoring")
            await c.get_by_label("I have a conflict of interest and recuse myself").check()
            await c.get_by_role("button", name="Declare").click()
            await expect(c).to_have_url(f"{base}/calls/{call_id}/scoring")
            await expect(c.locator("main")).to_contain_text("You are recused from this application.")
            answer = await c.goto(f"{base}/applications/{second}/scoring")
            assert answer is not None and answer.status == 404
            assert errors.count("Failed to load resource: the server responded with a status of 404 (Not Found)") == 1
            errors.clear()

            # the official sees progress only, then closes scoring and reads the ranking
            await desk.goto(f"{base}/calls/{call_id}/scoring")
            await expect(desk.locator("main")).to_contain_text("Score sheets submitted: 5 of 5.")
            await desk.get_by_role("button", name="Close scoring").click()
            await expect(desk.locator("main")).to_contain_text("Scoring is closed")
            ranking = desk.locator("main table").nth(1)
            await expect(ranking.locator("tbody tr")).to_have_count(2)
            await expect(ranking.locator("tbody tr").first).to_contain_text(str(first))

            # the decision: the meeting with everyone present (quorum 2 of 3), the ranking's proposal confirmed,
            # the results published
            await desk.goto(f"{base}/competitions/{call_id}")
            await desk.locator("#decision-link").click()
            await desk.get_by_label("Date and time of the meeting (Almaty time)").fill(almaty(utcnow()))
            present = desk.locator("input[name=present]")
            await expect(present).to_have_count(3)  # all() does not wait: the page may still be parsing the rest
            for box in await present.all():
                await box.check()
            await desk.get_by_label("Minutes of the meeting").fill("Присутствовали трое.\nКомиссия рассмотрела рейтинг и приняла решение.")
            await desk.get_by_role("button", name="Record the meeting").click()
            await expect(desk.locator("#meeting-summary")).to_contain_text(
                "Quorum: 3 of 3 members present, 2 needed (2/3): met.")
            # member C, recused from the second application, counts neither as present nor in the total for it
            await expect(desk.locator(f"#candidate-{second} td").nth(4)).to_have_text("2 present, 2 needed")
            await expect(desk.locator(f"#candidate-{first} input[name=win_{first}]")).to_be_checked()
            await desk.get_by_role("button", name="Confirm the winners").click()
            await expect(desk.locator("main")).to_contain_text("Winners confirmed on")
            await desk.get_by_role("button", name="Publish the results").click()
            await expect(desk).to_have_url(f"{base}/calls/{call_id}/results")

            # results and every member's scores are public: an anonymous visitor reads them
            visitor = await people.page("visitor", None)
            await visitor.goto(f"{base}/calls/{call_id}/results")
            winners = visitor.locator("ul.winners")
            await expect(winners).to_contain_text("Rural Youth")
            await expect(winners).not_to_contain_text("Steppe Volunteers")
            scores = visitor.locator(f"#application-{second} tbody tr")
            await expect(scores).to_have_count(3)
            await expect(visitor.locator(f"#application-{second}")).to_contain_text("recused: a conflict of interest")
            await expect(visitor.locator(f"#application-{first}")).to_contain_text("Обоснованный план.")
            await expect(visitor.locator("main")).to_contain_text("Комиссия рассмотрела рейтинг и приняла решение.")

            # the NGO that did not win appeals; the official dismisses it with reasons; the answer is public
            ngo2 = people.pages["ngo2"]
            await ngo2.goto(f"{base}/applications/{second}")
            await ngo2.locator("#appeal-link").click()
            await ngo2.get_by_label("What you appeal against and why").fill("Просим пересмотреть оценку бюджета.")
            await ngo2.get_by_role("button", name="File the appeal").click()
            await expect(ngo2.locator("#appeal-page [role=status]").first).to_contain_text("Awaiting the answer")
            await desk.goto(f"{base}/competitions/{call_id}")
            await desk.get_by_role("link", name="Appeals received").click()
            await desk.get_by_label("Dismissed").check()
            answer = "Баллы выставлены по критериям; бюджет оценён тремя членами комиссии."
            await desk.get_by_label("Reasoned answer (published without the applicant's name)").fill(answer)
            await desk.get_by_role("button", name="Send the answer").click()
            await expect(desk.locator("#appeals-summary")).to_contain_text("Awaiting an answer: 0.")
            await visitor.goto(f"{base}/competitions/{call_id}")
            await expect(visitor.locator(f"#call-appeals-{call_id}")).to_contain_text(answer)
            await expect(visitor.locator(f"#call-appeals-{call_id}")).not_to_contain_text("Steppe Volunteers")

            # the appeal window closes (moved a second into the past); the official awards the call: the winner
            # becomes a project with a tranche per stage
            await db.execute(update(Call).where(Call.id == call_id).values(appeals_close_at=utcnow() - timedelta(seconds=1)))
            await db.commit()
            await desk.goto(f"{base}/calls/{call_id}/awards")
            await desk.get_by_role("button", name="Award the call").click()
            await expect(desk.locator("#call-awards tbody tr")).to_have_count(1)
            await expect(desk.locator("#call-awards")).to_contain_text("Rural Youth")
            award_url = await desk.locator("#call-awards tbody a").first.get_attribute("href")
            assert award_url is not None

            # the winner signs the agreement and reports on the first milestone; the official approves: released
            await ngo1.goto(base + award_url)
            await ngo1.get_by_role("button", name="Sign the grant agreement").click()
            await expect(ngo1.locator("#award-signature")).to_contain_text("Signed on")
            tranches = ngo1.locator("[id^=award-tranches-] tbody tr")
            await expect(tranches).to_have_count(2)
            await ngo1.get_by_label("What was done").fill("Секции открыты в трёх сёлах, расписание утверждено.")
            await ngo1.locator("input[name=achieved_0]").fill("60")
            await ngo1.locator("input[name^=spent_]").first.fill("2500000")
            await ngo1.locator("#f-evidence").set_input_files(
                files=[{"name": "schedule.pdf", "mimeType": "application/pdf", "buffer": real_pdf("Schedule")}])
            await ngo1.get_by_role("button", name="Submit the report").click()
            await expect(ngo1.locator("main")).to_contain_text("Waiting for review")
            await desk.goto(base + award_url)
            await desk.get_by_role("button", name="Approve and release the tranche").click()
            await expect(desk.locator("#tranche-1")).to_contain_text("Released on")
            await expect(desk.locator("#tranche-2")).not_to_contain_text("Released on")
            await desk.get_by_role("link", name="Спорт в каждом ауле").click()  # the project the award became
            await expect(desk.locator("#project-award")).to_contain_text("Released on")
            assert errors == [], errors
        finally:
            await browser.close()
