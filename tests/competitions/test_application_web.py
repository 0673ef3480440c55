"""Application pages as people use them, on the module's world (a few round trips; signed-in people read pages in their own language, English here): the autosave
(htmx) answers "saved at" with the checks, and the draft is there after a reload; the Save button
works without JavaScript; documents are uploaded as real PDFs only and served to the applicant
alone; submitting gives a receipt with the registration number; bad input gets a translated
message, never a 500."""

from __future__ import annotations

import re
from typing import Any

import pytest

from asar.accounts.models import User
from asar.competitions import service as calls
from asar.competitions.applications.budget import CATEGORIES
from asar.competitions.applications.service import document_file
from asar.competitions.controllers import call_values
from asar.competitions.live import FACES, CallStream
from asar.competitions.models import Call
from asar.storage.pdf import PDF_MAX_BYTES
from tests.competitions.application_helpers import World, build_world, real_pdf
from tests.competitions.test_application_permissions import form
from tests.organizations.helpers import actor_of, bearer, csrf, sign_in

pytestmark = pytest.mark.sqlite
HX = {"hx-request": "true", "accept-language": "en"}


@pytest.fixture(scope="module")
async def world(table: Any) -> World:
    async with table.build() as session:
        return await build_world(session)


async def signed_in(table_case: Any, world: World, role: str = "member") -> Any:
    client = table_case.client
    await sign_in(client, table_case.session, await table_case.session.get(User, world.users[role]))
    return client


async def test_autosave_answers_saved_at_and_the_draft_survives_a_reload(world: World, table_case: Any) -> None:
    client = await signed_in(table_case, world)
    page = await client.get(f"/applications/{world.draft}", headers={"accept-language": "en"})
    assert page.status_code == 200 and 'hx-trigger="change delay:600ms' in page.text and "Saved at" in page.text
    data = {**form(), "title": "Автосохранённое название", "_csrf_token": await csrf(client)}
    r = await client.post(f"/applications/{world.draft}/save", data=data, headers=HX)
    assert r.status_code == 200 and re.search(r"Saved at \d\d:\d\d", r.text), r.text[:500]
    assert 'id="application-checks"' in r.text and 'hx-swap-oob="true"' in r.text
    reloaded = await client.get(f"/applications/{world.draft}", headers={"accept-language": "en"})
    assert 'value="Автосохранённое название"' in reloaded.text


async def test_an_autosave_that_cannot_reach_the_server_says_so_in_each_language(
        world: World, table_case: Any) -> None:
    """A failed send (slow or broken connection) must not leave the last "Saved at" standing: the form
    carries the translated message and loads the script that puts it in the status line."""
    client = await signed_in(table_case, world)
    wanted = {"en": "Not saved: the connection to ASAR failed.", "ru": "Не сохранено: связь с АСАР прервалась.",
              "kk": "Сақталмады: АСАР-мен байланыс үзілді."}
    user = await table_case.session.get(User, world.users["member"])
    for lang, text in wanted.items():
        user.language = lang  # a signed-in person's own language wins over the browser's
        await table_case.session.flush()
        page = await client.get(f"/applications/{world.draft}", headers={"accept-language": lang})
        assert page.status_code == 200 and 'data-status="autosave-status"' in page.text
        assert f'data-unsaved="{text}' in page.text, lang
        found = re.search(r'src="(/static/js/autosave[^"]*\.js)"', page.text)
        assert found, lang
    script = await client.get(found.group(1))
    assert script.status_code == 200
    for event in ("htmx:sendError", "htmx:timeout", "htmx:responseError"):
        assert event in script.text


async def test_the_save_button_works_without_javascript_and_bad_input_is_explained(
        world: World, table_case: Any) -> None:
    client = await signed_in(table_case, world)
    data = {**form(), "title": "Без скриптов", "_csrf_token": await csrf(client)}
    r = await client.post(f"/applications/{world.draft}/save", data=data, headers={"accept-language": "en"})
    assert r.status_code == 303 and r.headers["location"] == f"/applications/{world.draft}"
    bad = {**form(), "line_amount_0": "ten million", "_csrf_token": await csrf(client)}
    r = await client.post(f"/applications/{world.draft}/save", data=bad)
    assert r.status_code == 400 and "Line 1: the amount must be a whole number of tenge" in r.text
    r = await client.post(f"/applications/{world.draft}/save", data=bad, headers=HX)
    assert r.status_code == 200 and "Not saved:" in r.text
    control = {**form(), "title": "Bad\x07title", "_csrf_token": await csrf(client)}
    r = await client.post(f"/applications/{world.draft}/save", data=control, headers={"accept-language": "en"})
    assert r.status_code == 400 and "characters that are not allowed" in r.text


async def test_documents_are_real_pdfs_served_to_the_applicant_alone(world: World, table_case: Any) -> None:
    client = await signed_in(table_case, world)
    path = f"/applications/{world.draft}/documents/{world.document}"
    r = await client.post(path, data={"_csrf_token": await csrf(client)}, headers={"accept-language": "en"},
                          files={"file": ("charter.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 99, "application/pdf")})
    assert r.status_code == 400 and "This file is not a PDF document." in r.text
    pdf = real_pdf("Charter, 2026")
    r = await client.post(path, data={"_csrf_token": await csrf(client)},
                          files={"file": ("устав.pdf", pdf, "application/pdf")})
    assert r.status_code == 303
    served = await client.get(path)
    assert served.status_code == 200 and served.content == pdf
    assert served.headers["content-disposition"].startswith("attachment")
    from sqlalchemy import select

    from asar.storage.models import StoredFile

    token = (await table_case.session.execute(select(StoredFile.token).where(StoredFile.sha256 != "")
                                              .order_by(StoredFile.id.desc()))).scalars().first()
    assert (await client.get(f"/files/{token}")).status_code == 404  # never through the public route
    other = await signed_in(table_case, world, "other_member")
    assert (await other.get(path)).status_code == 404


async def test_submit_gives_a_receipt_and_the_issuer_sees_it(world: World, table_case: Any) -> None:
    client = await signed_in(table_case, world)
    r = await client.post(f"/applications/{world.draft}/submit", data={"_csrf_token": await csrf(client)})
    assert r.status_code == 303 and r.headers["location"] == f"/applications/{world.draft}/receipt"
    receipt = await client.get(r.headers["location"])
    assert receipt.status_code == 200 and "Registration number" in receipt.text
    assert re.search(rf"{world.call}-\d{{4}}-0002", receipt.text)
    table_case.client.cookies.clear()
    issuer = await signed_in(table_case, world, "official")
    listed = await issuer.get(f"/calls/{world.call}/applications", headers={"accept-language": "en"})
    assert listed.status_code == 200 and f"{world.call}-" in listed.text and "0002" in listed.text


async def test_the_call_page_offers_each_lot_to_an_ngo_and_the_list_to_the_issuer(
        world: World, table_case: Any) -> None:
    client = await signed_in(table_case, world, "other_member")
    page = await client.get(f"/competitions/{world.call}")
    assert page.status_code == 200
    assert page.text.count('action="/calls/') == 3 and "Apply to this lot" in page.text
    assert f"/calls/{world.call}/applications" not in page.text
    issuer = await signed_in(table_case, world, "official")
    page = await issuer.get(f"/competitions/{world.call}")
    assert "Apply to this lot" not in page.text and f"/calls/{world.call}/applications" in page.text


async def test_an_ngo_finds_its_own_applications_from_the_list_and_the_call_page(
        world: World, table_case: Any) -> None:
    """A lot the organization applied to leads to its application (draft or submitted), not to a second
    "Apply"; the list of calls leads to the organization's applications."""
    client = await signed_in(table_case, world)
    page = await client.get(f"/competitions/{world.call}", headers={"accept-language": "en"})
    assert f'href="/applications/{world.draft}"' in page.text and "Your draft application: continue" in page.text
    assert f'href="/applications/{world.submitted}"' in page.text and "Your application No." in page.text
    assert page.text.count("Apply to this lot") == 1  # the third lot only
    listing = await client.get("/competitions", headers={"accept-language": "en"})
    assert 'href="/applications"' in listing.text and 'id="my-applications"' in listing.text
    table_case.client.cookies.clear()
    citizen = await signed_in(table_case, world, "citizen")
    listing = await citizen.get("/competitions", headers={"accept-language": "en"})
    assert 'href="/applications"' not in listing.text


async def test_the_call_page_counts_submitted_applications_per_lot_and_its_stream_pushes_them(
        world: World, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    page = await client.get(f"/competitions/{world.call}", headers={"accept-language": "en"})  # anyone
    assert page.status_code == 200 and "Applications submitted" in page.text
    counts = {lot: re.search(rf'id="lot-count-{lot}">[^<]*<strong>(\d+)</strong>', page.text) for lot in world.lots}
    assert {lot: int(m.group(1)) for lot, m in counts.items() if m} == {  # the draft on lot 1 does not count
        world.lots[0]: 0, world.lots[1]: 1, world.lots[2]: 0}
    call = await session.get(Call, world.call)
    assert FACES["call.applications"] == ("counts",)
    frame = await CallStream().pieces(table_case.table.shared.hub, session, call, FACES["call.applications"], "ru")
    assert f'id="call-counts-{world.call}" hx-swap-oob="true"' in frame and "Поданные заявки" in frame
    assert re.search(rf'id="lot-count-{world.lots[1]}">[^<]*<strong>1</strong>', frame)


def edit_form(values: dict[str, Any], **caps: str) -> dict[str, Any]:
    """The call's edit form as the page fills it (controllers.call_values), with the budget caps typed."""
    form: dict[str, Any] = {k: v for k, v in values.items() if isinstance(v, str)}
    for name in ("areas", "regions", "languages", "eligibility"):
        form[name] = values[name]
    for prefix, key in (("lot", "lots"), ("criterion", "criteria"), ("document", "documents")):
        for i, row in enumerate(values[key]):
            form.update({f"{prefix}_{part}_{i}": value for part, value in row.items()})
    return {**form, **{f"cap_{c}": caps.get(c, "") for c in CATEGORIES}}


async def test_budget_caps_are_set_in_the_calls_form_and_amended_after_the_lock(world: World, table_case: Any) -> None:
    session = table_case.session
    client = await signed_in(table_case, world, "official")
    unlocked = await calls.load_call(session, world.unlocked_call)
    page = await client.get(f"/competitions/{unlocked.id}/edit", headers={"accept-language": "en"})
    assert page.status_code == 200 and 'name="cap_administration"' in page.text and "Budget caps" in page.text
    data = edit_form(call_values(unlocked), administration="5", travel="20")
    r = await client.post(f"/competitions/{unlocked.id}/edit", data={**data, "_csrf_token": await csrf(client)})
    assert r.status_code == 303, r.text[:2000]
    assert await calls.budget_caps_of(session, unlocked.id) == {"administration": 5, "travel": 20}  # before the lock
    page = await client.get(f"/competitions/{unlocked.id}/edit", headers={"accept-language": "en"})
    assert 'name="cap_travel" value="20"' in page.text
    bad = edit_form(call_values(unlocked), goods="150")
    r = await client.post(f"/competitions/{unlocked.id}/edit", data={**bad, "_csrf_token": await csrf(client)},
                          headers={"accept-language": "en"})
    assert r.status_code == 400 and "Goods: a cap is a whole number of per cent from 0 to 100." in r.text

    locked = await calls.load_call(session, world.call)  # an application is submitted: the rules are locked
    closes = locked.closes_at
    data = edit_form(call_values(locked), administration="8")
    r = await client.post(f"/competitions/{locked.id}/edit", data={**data, "_csrf_token": await csrf(client)},
                          headers={"accept-language": "en"})
    assert r.status_code == 400 and "Say why the rules change" in r.text  # no reason: refused, nothing changed
    assert await calls.budget_caps_of(session, locked.id) == {}
    r = await client.post(f"/competitions/{locked.id}/edit", data={
        **data, "reason": "Administration may take 8%.", "_csrf_token": await csrf(client)})
    assert r.status_code == 303
    amendment = (await calls.list_amendments(session, locked))[-1]
    assert amendment.parts == ["budget_caps"] and amendment.affects_applicants
    assert (amendment.before["budget_caps"], amendment.after["budget_caps"]) == ({}, {"administration": 8})
    assert await calls.budget_caps_of(session, locked.id) == {"administration": 8}
    await session.refresh(locked)
    assert locked.closes_at > closes  # an amendment applicants feel extends intake


async def test_the_json_api_attaches_a_document_with_the_pages_checks(world: World, table_case: Any) -> None:
    session, client = table_case.session, table_case.client
    headers = {**await bearer(session, await session.get(User, world.users["member"])), "accept-language": "en"}
    path = f"/api/v1/applications/{world.draft}/documents/{world.document}"
    png = await client.put(path, headers=headers,
                           files={"file": ("charter.pdf", b"\x89PNG\r\n\x1a\n" + b"\x00" * 99, "application/pdf")})
    assert png.status_code == 400 and "This file is not a PDF document." in png.text  # by content, not by name
    big = await client.put(path, headers=headers, files={"file": ("big.pdf", b"%PDF-1.7\n" + b"0" * (PDF_MAX_BYTES + 65 * 1024),
                                                                 "application/pdf")})
    assert big.status_code == 413
    other = await client.put(f"/api/v1/applications/{world.draft}/documents/{world.document + 999}", headers=headers,
                             files={"file": ("x.pdf", real_pdf("X"), "application/pdf")})
    assert other.status_code == 404  # not one of the call's required documents
    pdf = real_pdf("Charter, API")
    r = await client.put(path, headers=headers, files={"file": ("устав-api.pdf", pdf, "application/pdf")})
    assert r.status_code == 200, r.text
    assert [(d["document_id"], d["filename"], d["size"]) for d in r.json()["documents"]] == [
        (world.document, "устав-api.pdf", len(pdf))]
    member = await actor_of(session, await session.get(User, world.users["member"]))
    assert (await document_file(session, member, world.draft, world.document))[1] == pdf  # stored, privately
    schema = (await client.get("/schema/openapi.json")).json()
    operation = schema["paths"]["/api/v1/applications/{application_id}/documents/{document_id}"]["put"]
    assert "multipart/form-data" in operation["requestBody"]["content"]
