"""Organization pages as a person uses them: register an organization, browse and filter the
directory (htmx swaps only the results), invite by the mailed link, switch whom one acts for,
verify."""

from __future__ import annotations

import html
import re

import pytest
from sqlalchemy import select

from asar.accounts.models import User
from asar.audit.models import AuditEntry
from asar.db import utcnow
from asar.organizations.models import Membership, Organization
from tests.factories import make_user
from tests.organizations.helpers import (
    add_member,
    area,
    audit_actions,
    csrf,
    fresh_bin,
    mailed_link,
    make_official,
    make_org,
    region,
    reload,
    sign_in,
)

pytestmark = pytest.mark.sqlite


# One app per backend for the session, a savepoint per test (tests/permission_table.py): these
# replace conftest's app per test. The module's world is empty: each test builds what it needs.
@pytest.fixture
def client(table_case):
    return table_case.client


@pytest.fixture
def session(table_case):
    return table_case.session


@pytest.fixture
def database(table_case):
    return table_case.table.db


async def _form(client, session, **overrides) -> dict:
    """A complete registration form (the fields a browser sends)."""
    data = {
        "_csrf_token": await csrf(client), "sector": "ngo", "name_kk": "Жасыл әлем", "name_ru": "Зелёный мир",
        "name_en": "Green World", "bin": fresh_bin(), "legal_form": "public_foundation",
        "regions": [str((await region(session, "KZ-71")).id), str((await region(session, "KZ-75")).id)],
        "settlement": "both", "areas": [str((await area(session, "education")).id)],
        "description": "We plant **trees**.\n\n<script>alert(1)</script>",
        "website": "https://green.example.kz", "email": "info@green.example.kz", "phone": "+7 701 000 00 00",
        "address": "Astana",
    }
    data.update(overrides)
    return data


def text_of(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", " ", page))


# ---------------------------------------------------------------- registering
async def test_register_an_organization_and_see_its_page(client, session) -> None:
    user = await make_user(session)
    await sign_in(client, session, user)
    r = await client.get("/organizations/new")
    assert r.status_code == 200 and 'name="bin"' in r.text
    assert '<input type="hidden" name="_csrf_token"' in r.text  # a real field, not escaped text
    data = await _form(client, session)
    r = await client.post("/organizations", data=data)
    assert r.status_code == 303, r.text
    page = await client.get(r.headers["location"])
    assert page.status_code == 200
    body = page.text
    assert "Green World" in body and data["bin"] in body
    assert "Public foundation" in body and "Urban and rural" in body
    assert "Astana" in body and "Almaty" in body and "Education and science" in body
    assert "<strong>trees</strong>" in body and "<script>alert" not in body  # Markdown, sanitized
    assert "badge--unverified" in body and "is not verified yet" in body
    assert "info@green.example.kz" in body
    assert "The organization is registered" in body  # the flash message
    org = (await session.execute(select(Organization).where(Organization.bin == data["bin"]))).scalar_one()
    assert (await reload(session, user)).acting_org_id == org.id
    assert f'<option value="{org.id}" selected' in body  # the header's acting-for switch


@pytest.mark.parametrize(("lang", "message"), [
    ("en", "This BIN is not valid: its last digit, a check digit, does not match the first 11. A BIN (business identification number) is the organization's 12-digit number, like 971240001315; you find it on its state registration certificate or on egov.kz."),
    ("ru", "Этот БИН недействителен: его последняя, контрольная цифра не совпадает с первыми 11. БИН (бизнес-идентификационный номер) — это 12-значный номер организации, например 971240001315; его можно найти в свидетельстве (справке) о государственной регистрации организации или на egov.kz."),
    ("kk", "Бұл БСН жарамсыз: оның соңғы, бақылау цифры алғашқы 11 цифрға сәйкес келмейді. БСН (бизнес-сәйкестендіру нөмірі) — ұйымның 12 цифрдан тұратын нөмірі, мысалы, 971240001315. Оны ұйымның мемлекеттік тіркеу туралы куәлігінен немесе egov.kz сайтынан табуға болады."),
])
async def test_a_bin_with_a_wrong_check_digit_is_refused_in_each_language(client, session, lang, message) -> None:
    user = await make_user(session, language=lang)
    await sign_in(client, session, user)
    good = fresh_bin()
    data = await _form(client, session, bin=good[:11] + str((int(good[11]) + 1) % 10), name_en="Typo Ltd")
    r = await client.post("/organizations", data=data)
    assert r.status_code == 400
    assert message in text_of(r.text)
    assert 'class="error-summary" role="alert"' in r.text
    assert 'id="f-bin"' in r.text and 'aria-invalid="true"' in r.text
    assert 'value="Typo Ltd"' in r.text  # what was typed is kept
    assert (await session.execute(select(Organization).where(Organization.name_en == "Typo Ltd"))).first() is None


async def test_a_registered_bin_cannot_be_registered_again(client, session) -> None:
    user = await make_user(session, language="ru")
    other = await make_org(session, await make_user(session))
    await sign_in(client, session, user)
    r = await client.post("/organizations", data=await _form(client, session, bin=other.bin))
    assert r.status_code == 409
    assert "Организация с таким БИН уже зарегистрирована." in text_of(r.text)


async def test_visitors_are_sent_to_sign_in_to_register_an_organization(client, session) -> None:
    r = await client.get("/organizations/new")
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")
    r = await client.post("/organizations", data=await _form(client, session))
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")


async def test_legal_forms_follow_the_chosen_sector(client, session) -> None:
    r = await client.get("/organizations/legal-forms?sector=business", headers={"hx-request": "true",
                                                                                  "accept-language": "en"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div class="field" id="legal-form-field">')
    assert "Joint-stock company (JSC)" in r.text and "Public foundation" not in r.text
    r = await client.get("/organizations/legal-forms", headers={"accept-language": "ru"})
    assert "Товарищество с ограниченной ответственностью (ТОО)" in r.text and "Частное учреждение" in r.text


async def test_only_org_admins_edit_the_profile(client, session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    member = await make_user(session)
    await add_member(session, org, member)
    await sign_in(client, session, member)
    assert (await client.get(f"/organizations/{org.id}/edit")).status_code == 403
    r = await client.post(f"/organizations/{org.id}/edit", data=await _form(client, session, name_en="Hijack"))
    assert r.status_code == 403
    await sign_in(client, session, owner)
    r = await client.get(f"/organizations/{org.id}/edit")
    assert r.status_code == 200 and org.bin in r.text
    data = await _form(client, session, bin=org.bin, name_en="Green World 2", website="ftp://x")
    r = await client.post(f"/organizations/{org.id}/edit", data=data)
    assert r.status_code == 400 and "http://" in r.text
    data["website"] = "https://green2.example.kz"
    r = await client.post(f"/organizations/{org.id}/edit", data=data)
    assert r.status_code == 303
    assert (await reload(session, org)).name_en == "Green World 2"


# ---------------------------------------------------------------- the directory
async def _directory_orgs(session):
    owner = await make_user(session)
    astana, almaty = await region(session, "KZ-71"), await region(session, "KZ-75")
    education, ecology = await area(session, "education"), await area(session, "environment")
    steppe = await make_org(session, owner, "ngo", name_en="Steppe", name_kk="Дала қоры", name_ru="Фонд Степь",
                            regions=[astana.id], areas=[education.id], settlement="rural", verified=True)
    oil = await make_org(session, owner, "business", name_en="Oil", name_kk="Мұнай", name_ru="Нефть",
                         regions=[almaty.id], areas=[ecology.id], settlement="urban")
    akimat = await make_org(session, owner, "government", name_en="Akimat", name_kk="Әкімдік", name_ru="Акимат",
                            regions=[astana.id, almaty.id], areas=[], settlement="both", verified=True)
    return {"steppe": steppe, "oil": oil, "akimat": akimat, "astana": astana, "almaty": almaty,
            "education": education, "ecology": ecology}


def _names(page: str) -> set[str]:
    return set(re.findall(r'<h2><a href="/organizations/\d+">([^<]+)</a></h2>', page))


async def test_directory_lists_organizations_with_badges(client, session) -> None:
    await _directory_orgs(session)
    r = await client.get("/organizations", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert _names(r.text) == {"Steppe", "Oil", "Akimat"}
    assert 'id="org-results"' in r.text and 'hx-target="#org-results"' in r.text and "hx-push-url" in r.text
    assert "badge--verified" in r.text and "badge--unverified" in r.text
    assert "3 organizations found" in r.text
    r = await client.get("/organizations", headers={"accept-language": "kk"})
    assert {"Дала қоры", "Мұнай", "Әкімдік"} == _names(r.text)
    assert "Расталған" in r.text and "Ұйымдар" in r.text


async def test_the_directory_shows_a_change_to_an_organization_on_the_very_next_request(client, session) -> None:
    """Nothing of a page's rows is kept between requests (only the layout's fixed text is
    compiled per language): a renamed or newly verified organization shows at once, in every
    language."""
    d = await _directory_orgs(session)
    for lang, old in (("en", "Oil"), ("kk", "Мұнай")):
        r = await client.get("/organizations?verified=1", headers={"accept-language": lang})
        assert old not in _names(r.text)
    oil = d["oil"]
    oil.name_en, oil.name_kk, oil.name_ru, oil.verified_at = "Oil Two", "Мұнай екі", "Нефть два", utcnow()
    await session.commit()
    for lang, new in (("en", "Oil Two"), ("kk", "Мұнай екі"), ("ru", "Нефть два")):
        for path in ("/organizations", "/organizations?verified=1"):
            r = await client.get(path, headers={"accept-language": lang})
            assert new in _names(r.text), (lang, path)


async def test_the_directory_filter_choices_follow_the_language_the_choice_and_a_renamed_region(
        client, session) -> None:
    """The region and area choices are rendered once per language and choice (render_once) and
    again when the reference data changes."""
    d = await _directory_orgs(session)
    astana, education = d["astana"], d["education"]
    r = await client.get(f"/organizations?region={astana.id}", headers={"accept-language": "en"})
    assert f'<option value="{astana.id}" selected>{astana.name_en}</option>' in r.text
    assert f'<option value="{education.id}">{education.name_en}</option>' in r.text
    r = await client.get(f"/organizations?area={education.id}", headers={"accept-language": "kk"})
    assert f'<option value="{astana.id}">{astana.name_kk}</option>' in r.text
    assert f'<option value="{education.id}" selected>{education.name_kk}</option>' in r.text
    astana.name_kk = "Жаңа атау"
    await session.commit()
    r = await client.get("/organizations", headers={"accept-language": "kk"})
    assert f'<option value="{astana.id}">Жаңа атау</option>' in r.text


@pytest.mark.parametrize(("query", "expected"), [
    ("sector=business", {"Oil"}),
    ("region={astana}", {"Steppe", "Akimat"}),
    ("area={education}", {"Steppe"}),
    ("settlement=rural", {"Steppe", "Akimat"}),
    ("settlement=urban", {"Oil", "Akimat"}),
    ("settlement=both", {"Akimat"}),
    ("verified=1", {"Steppe", "Akimat"}),
    ("q=степь", {"Steppe"}),
    ("q={oil_bin}", {"Oil"}),
    ("sector=ngo&region={almaty}", set()),
])
async def test_each_directory_filter(client, session, query, expected) -> None:
    d = await _directory_orgs(session)
    url = "/organizations?" + query.format(astana=d["astana"].id, almaty=d["almaty"].id,
                                           education=d["education"].id, oil_bin=d["oil"].bin)
    r = await client.get(url, headers={"accept-language": "en"})
    assert r.status_code == 200
    assert _names(r.text) == expected
    if not expected:
        assert "No organization matches these filters." in r.text


async def test_htmx_filter_request_returns_only_the_results_fragment(client, session) -> None:
    d = await _directory_orgs(session)
    r = await client.get(f"/organizations?sector=ngo&region={d['astana'].id}",
                         headers={"hx-request": "true", "hx-target": "org-results", "accept-language": "en"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<div id="org-results">')
    assert "<html" not in r.text and "site-header" not in r.text and "<form" not in r.text
    assert _names(r.text) == {"Steppe"}


async def test_directory_pages_keep_the_filters(client, session) -> None:
    owner = await make_user(session)
    for i in range(21):
        await make_org(session, owner, "business", name_en=f"Company {i:02d}", name_ru=f"Компания {i:02d}")
    await make_org(session, owner, "ngo", name_en="Lonely NGO")
    r = await client.get("/organizations?sector=business", headers={"accept-language": "en"})
    assert len(_names(r.text)) == 20
    assert 'href="/organizations?sector=business&amp;page=2"' in r.text
    r = await client.get("/organizations?sector=business&page=2", headers={"accept-language": "en"})
    assert len(_names(r.text)) == 1


async def test_bad_directory_filters_get_a_friendly_error(client, session) -> None:
    r = await client.get("/organizations?sector=church&page=abc", headers={"accept-language": "en"})
    assert r.status_code == 400
    assert "Choose the sector" in r.text


# ---------------------------------------------------------------- members and invitations
async def test_members_are_visible_to_members_only(client, session) -> None:
    owner = await make_user(session, name="Aigerim Owner", email="owner@example.kz")
    org = await make_org(session, owner)
    await sign_in(client, session, await make_user(session))
    r = await client.get(f"/organizations/{org.id}")
    assert r.status_code == 200 and "Aigerim Owner" not in r.text
    assert (await client.get(f"/organizations/{org.id}/members")).status_code == 403
    await sign_in(client, session, owner)
    r = await client.get(f"/organizations/{org.id}")
    assert "Aigerim Owner" in r.text
    r = await client.get(f"/organizations/{org.id}/members")
    assert r.status_code == 200 and "owner@example.kz" in r.text


async def test_invitation_by_the_mailed_link(client, session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    invitee = await make_user(session, email="dana@example.kz", name="Dana")
    await sign_in(client, session, owner)
    r = await client.post(f"/organizations/{org.id}/invitations",
                          data={"_csrf_token": await csrf(client), "email": "dana@example.kz", "role": "admin"})
    assert r.status_code == 303
    assert "dana@example.kz" in (await client.get(r.headers["location"])).text  # pending list
    link = await mailed_link(session, "dana@example.kz")
    path = link.removeprefix("http://testserver.local")

    client.cookies.clear()
    r = await client.get(path, headers={"accept-language": "en"})
    assert r.status_code == 200 and "Sign in with that address" in r.text

    stranger = await make_user(session)
    await sign_in(client, session, stranger)
    r = await client.get(path)
    assert "This invitation was sent to dana@example.kz" in r.text
    r = await client.post(path, data={"_csrf_token": await csrf(client)})
    assert r.status_code == 403 and "dana@example.kz" in r.text

    await sign_in(client, session, invitee)
    r = await client.get(path)
    assert "Accept the invitation" in r.text
    r = await client.post(path, data={"_csrf_token": await csrf(client)})
    assert r.status_code == 303 and r.headers["location"] == f"/organizations/{org.id}"
    membership = (await session.execute(select(Membership).where(Membership.user_id == invitee.id))).scalar_one()
    assert membership.role == "admin" and membership.organization_id == org.id
    r = await client.post(path, data={"_csrf_token": await csrf(client)})
    assert r.status_code == 409
    assert await audit_actions(session, org.id) == ["organization.created", "membership.invited",
                                                    "membership.accepted"]


async def test_invitation_form_errors_are_shown_on_the_members_page(client, session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    await sign_in(client, session, owner)
    r = await client.post(f"/organizations/{org.id}/invitations",
                          data={"_csrf_token": await csrf(client), "email": "not an email", "role": "boss"})
    assert r.status_code == 400
    assert 'value="not an email"' in r.text and 'id="f-email"' in r.text and 'aria-invalid="true"' in r.text


async def test_last_admin_cannot_leave_or_be_demoted(client, session) -> None:
    owner = await make_user(session, language="ru")
    org = await make_org(session, owner)
    member = await make_user(session)
    await add_member(session, org, member)
    await sign_in(client, session, owner)
    token = await csrf(client)
    r = await client.post(f"/organizations/{org.id}/leave", data={"_csrf_token": token})
    assert r.status_code == 409 and "хотя бы один администратор" in text_of(r.text)
    r = await client.post(f"/organizations/{org.id}/members/{owner.id}/role",
                          data={"_csrf_token": token, "role": "member"})
    assert r.status_code == 409
    r = await client.post(f"/organizations/{org.id}/members/{member.id}/role",
                          data={"_csrf_token": token, "role": "admin"})
    assert r.status_code == 303
    r = await client.post(f"/organizations/{org.id}/members/{member.id}/remove", data={"_csrf_token": token})
    assert r.status_code == 303
    assert (await audit_actions(session, org.id))[-2:] == ["membership.role_changed", "membership.removed"]


async def test_a_member_leaves(client, session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    member = await make_user(session)
    await add_member(session, org, member)
    await sign_in(client, session, member)
    r = await client.post(f"/organizations/{org.id}/members/{owner.id}/remove",
                          data={"_csrf_token": await csrf(client)})
    assert r.status_code == 403
    r = await client.post(f"/organizations/{org.id}/leave", data={"_csrf_token": await csrf(client)})
    assert r.status_code == 303
    assert (await session.execute(select(Membership).where(Membership.user_id == member.id))).first() is None


# ---------------------------------------------------------------- acting for
async def test_acting_for_switch(client, session) -> None:
    user = await make_user(session)
    mine = await make_org(session, user)
    foreign = await make_org(session, await make_user(session))
    await sign_in(client, session, user)
    token = await csrf(client)
    r = await client.post("/acting-for", data={"_csrf_token": token, "organization_id": str(foreign.id),
                                               "next": "/organizations"})
    assert r.status_code == 403
    assert (await reload(session, user)).acting_org_id == mine.id
    r = await client.post("/acting-for", data={"_csrf_token": token, "organization_id": "", "next": "/organizations"})
    assert r.status_code == 303 and r.headers["location"] == "/organizations"
    assert (await reload(session, user)).acting_org_id is None
    r = await client.post("/acting-for", data={"_csrf_token": token, "organization_id": str(mine.id),
                                               "next": "//evil.example"})
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert (await reload(session, user)).acting_org_id == mine.id
    r = await client.post("/acting-for", data={"_csrf_token": token, "organization_id": "abc"})
    assert r.status_code == 400


# ---------------------------------------------------------------- verification
async def test_official_verifies_an_ngo_from_the_queue(client, session) -> None:
    official, body = await make_official(session)
    ngo = await make_org(session, await make_user(session), "ngo", name_en="Fresh NGO")
    gov = await make_org(session, await make_user(session), "government", name_en="Other akimat")
    await sign_in(client, session, official)
    r = await client.get("/organizations/awaiting-verification", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert "Fresh NGO" in r.text and "Other akimat" not in r.text
    r = await client.get(f"/organizations/{ngo.id}")
    assert "Verify this organization" in r.text
    assert r.text.count('<input type="hidden" name="_csrf_token"') >= 2  # acting-for switch and verify
    r = await client.get(f"/organizations/{gov.id}")
    assert "Verify this organization" not in r.text
    r = await client.post(f"/organizations/{ngo.id}/verify",
                          data={"_csrf_token": await csrf(client), "next": "/organizations/awaiting-verification"})
    assert r.status_code == 303 and r.headers["location"] == "/organizations/awaiting-verification"
    assert (await reload(session, ngo)).verified_by_id == official.id
    r = await client.post(f"/organizations/{gov.id}/verify", data={"_csrf_token": await csrf(client)})
    assert r.status_code == 403 and "Only the platform administrator verifies government bodies." in r.text
    entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "organization.verified",
                                                            AuditEntry.object_id == ngo.id))).scalar_one()
    assert entry.actor_id == official.id and entry.actor_org_id == body.id


async def test_citizens_cannot_verify_or_see_the_queue(client, session) -> None:
    ngo = await make_org(session, await make_user(session), "ngo")
    await sign_in(client, session, await make_user(session))
    assert (await client.get("/organizations/awaiting-verification")).status_code == 403
    r = await client.post(f"/organizations/{ngo.id}/verify", data={"_csrf_token": await csrf(client)})
    assert r.status_code == 403
    assert not (await reload(session, ngo)).verified


async def test_admin_verifies_a_government_body_and_revokes(client, session) -> None:
    gov = await make_org(session, await make_user(session), "government")
    admin = await make_user(session, admin=True)
    await sign_in(client, session, admin)
    token = await csrf(client)
    r = await client.post(f"/organizations/{gov.id}/verify", data={"_csrf_token": token})
    assert r.status_code == 303
    page = await client.get(f"/organizations/{gov.id}")
    assert "badge--verified" in page.text and "Withdraw verification" in page.text
    r = await client.post(f"/organizations/{gov.id}/revoke-verification",
                          data={"_csrf_token": token, "reason": "Duplicate"})
    assert r.status_code == 303
    assert not (await reload(session, gov)).verified
    assert (await audit_actions(session, gov.id))[-2:] == ["organization.verified",
                                                           "organization.verification_revoked"]


async def test_unknown_organization_is_a_friendly_404(client, session) -> None:
    r = await client.get("/organizations/999999", headers={"accept-language": "en"})
    assert r.status_code == 404 and "This organization does not exist." in r.text
    r = await client.get("/organizations/99999999999999999999999", headers={"accept-language": "en"})
    assert r.status_code == 404 and "This page does not exist or was removed." in r.text  # beyond any id
    owner = await make_user(session)
    org = await make_org(session, owner)
    await sign_in(client, session, owner)
    r = await client.post(f"/organizations/{org.id}/members/99999999999999999999999/remove",
                          data={"_csrf_token": await csrf(client)})
    assert r.status_code == 404


async def test_user_acting_for_field_is_cleared_when_removed(client, session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    member = await make_user(session)
    await add_member(session, org, member)
    member.acting_org_id = org.id
    await session.commit()
    await sign_in(client, session, owner)
    await client.post(f"/organizations/{org.id}/members/{member.id}/remove", data={"_csrf_token": await csrf(client)})
    await session.commit()
    acting = (await session.execute(select(User.acting_org_id).where(User.id == member.id))).scalar_one()
    assert acting is None


async def test_directory_query_count_does_not_grow_with_the_page(client, session, database) -> None:
    """Regions and areas are loaded per page (selectin), not per organization."""
    from sqlalchemy import event

    owner = await make_user(session)
    statements: list[str] = []

    def count(_conn, _cursor, statement, *_args) -> None:
        statements.append(statement)

    async def queries_for_directory() -> int:
        statements.clear()
        event.listen(database.engine.sync_engine, "before_cursor_execute", count)
        try:
            r = await client.get("/organizations")
        finally:
            event.remove(database.engine.sync_engine, "before_cursor_execute", count)
        assert r.status_code == 200
        return len(statements)

    await make_org(session, owner)
    few = await queries_for_directory()
    for _ in range(15):
        await make_org(session, owner)
    assert await queries_for_directory() == few <= 8
