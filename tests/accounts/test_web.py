"""The accounts pages as a person uses them: forms, cookies, redirects, mail links, languages."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from asar import demo
from asar.accounts.models import ApiToken, EmailToken, LoginThrottle, User
from asar.accounts.sessions import COOKIE, open_session, user_for_session
from asar.audit.models import AuditEntry
from asar.db import utcnow
from asar.organizations.models import Membership, Organization
from asar.reference.models import Region
from tests.accounts.helpers import (
    csrf,
    fresh,
    has_session,
    link_path,
    mails_to,
    post_form,
    session_cookie,
    session_rows,
    sign_in,
)
from tests.factories import PASSWORD, make_user, valid_bin

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
def settings(table_case):
    """The shared app's own settings: what a test changes in them is put back after it."""
    settings = table_case.table.app.state.settings
    before = settings.demo_credentials
    yield settings
    settings.demo_credentials = before
EN = {"accept-language": "en"}


async def register_on_the_site(client, email="dana@example.kz", name="Dana Abenova", language="en",
                               password="a long enough secret", ui="en"):
    return await post_form(client, "/register", {"name": name, "email": email, "password": password,
                                                  "language": language}, headers={"accept-language": ui})


async def test_register_confirm_by_mail_sign_in_and_see_the_profile(client, session) -> None:
    r = await client.get("/register", headers=EN)
    assert r.status_code == 200
    assert 'name="_csrf_token"' in r.text and 'for="email"' in r.text

    r = await register_on_the_site(client, language="ru")
    assert r.status_code == 303
    assert r.headers["location"] == "/sign-in"
    assert session_cookie(client) is None  # signed in only once the address is confirmed
    r = await client.get("/sign-in", headers=EN)
    assert '<html lang="ru">' in r.text  # the language chosen on the form
    assert "Мы отправили письмо на адрес dana@example.kz" in r.text
    # no SMTP server here (the embedded default): the person is told where the message went
    assert "В этой установке нет почтового сервера" in r.text

    [mail] = await mails_to(session, "dana@example.kz")
    assert mail.subject == "Подтвердите адрес электронной почты на АСАР"
    path = link_path(mail)  # the full link, built from the base URL
    r = await client.get(path)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"
    r = await sign_in(client, "dana@example.kz", "a long enough secret")
    assert r.status_code == 303
    set_cookie = next(h for h in r.headers.get_list("set-cookie") if h.startswith(COOKIE + "="))
    assert "HttpOnly" in set_cookie and "SameSite=lax" in set_cookie.replace("Lax", "lax")
    assert "Max-Age=1209600" in set_cookie and "Secure" not in set_cookie  # base URL is http here
    r = await client.get("/profile")
    assert "Dana Abenova" in r.text
    assert "Please confirm your e-mail address" not in r.text
    user = (await session.execute(select(User).where(User.email == "dana@example.kz"))).scalar_one()
    assert user.confirmed


def _answer(r, page: str) -> tuple:
    """What a registering person can observe: status, where it leads, the cookies' names and
    attributes, and the page it leads to (its CSRF token aside)."""
    cookies = sorted(re.sub(r"^([^=]+)=[^;]*", r"\1", h) for h in r.headers.get_list("set-cookie"))
    return r.status_code, r.headers.get("location"), cookies, re.sub(r"[0-9a-f]{40,}", "", page)


async def test_registering_a_registered_address_answers_exactly_alike(client, session) -> None:
    """The answer never tells whether an address has an account; its owner is mailed instead."""
    r = await register_on_the_site(client)
    new = _answer(r, (await client.get(r.headers["location"], headers=EN)).text)
    client.cookies.clear()
    r = await register_on_the_site(client, email="DANA@Example.kz", name="Impostor", password="another secret!")
    again = _answer(r, (await client.get(r.headers["location"], headers=EN)).text)
    assert again == new
    assert session_cookie(client) is None
    assert (await session.execute(select(func.count(User.id)))).scalar_one() == 1
    [mail] = await mails_to(session, "dana@example.kz", "registration_attempt")
    assert mail.subject == "Someone tried to register on ASAR with your address"
    assert link_path(mail).startswith("/password/reset/")


async def test_validation_errors_are_translated(client) -> None:
    bad = {"name": "", "email": "nope", "password": "short", "language": "en"}
    expected = {
        "en": ("Enter your name.", "The password must have at least 10 characters."),
        "ru": ("Введите ваше имя.", "Пароль должен содержать не менее 10 символов."),
        "kk": ("Атыңызды енгізіңіз.", "Құпиясөзде кемінде 10 таңба болуы керек."),
    }
    for lang, messages in expected.items():
        r = await post_form(client, "/register", bad, headers={"accept-language": lang})
        assert r.status_code == 400
        assert f'<html lang="{lang}">' in r.text
        for message in messages:
            assert message in r.text, (lang, message)


async def test_wrong_expired_and_used_confirmation_links(client, session) -> None:
    await register_on_the_site(client)
    await sign_in(client, "dana@example.kz", "a long enough secret")
    [mail] = await mails_to(session, "dana@example.kz")
    path = link_path(mail)

    r = await client.get(path + "tampered", headers=EN)
    assert r.status_code == 400 and "This link is not valid" in r.text

    row = (await session.execute(select(EmailToken))).scalar_one()
    row.expires_at = utcnow() - timedelta(minutes=1)
    await session.commit()
    r = await client.get(path, headers=EN)
    assert r.status_code == 400 and "This link has expired" in r.text
    client.cookies.delete(COOKIE)  # signed out, with no language chosen: the browser's applies
    client.cookies.delete("asar_lang")
    r = await client.get(path, headers={"accept-language": "ru"})
    assert "Срок действия этой ссылки истёк" in r.text

    row.expires_at = utcnow() + timedelta(hours=1)
    await session.commit()
    assert (await client.get(path)).status_code == 303
    r = await client.get(path, headers=EN)
    assert r.status_code == 400 and "already been used" in r.text


async def test_resend_confirmation_from_the_profile(client, session) -> None:
    await register_on_the_site(client)
    await sign_in(client, "dana@example.kz", "a long enough secret")
    r = await post_form(client, "/profile/confirmation", {}, headers=EN)
    assert r.status_code == 303 and r.headers["location"] == "/profile"
    assert len(await mails_to(session, "dana@example.kz", "confirm")) == 1  # too soon: paced
    r = await client.get("/profile", headers=EN)
    assert "We have just sent you a link" in r.text
    row = (await session.execute(select(EmailToken))).scalar_one()
    row.created_at = utcnow() - timedelta(minutes=5)
    await session.commit()
    r = await post_form(client, "/profile/confirmation", {}, headers=EN)
    mails = await mails_to(session, "dana@example.kz", "confirm")
    assert len(mails) == 2
    assert (await client.get(link_path(mails[0]))).status_code == 400  # replaced by the newer link
    assert (await client.get(link_path(mails[1]))).status_code == 303


async def test_the_session_id_changes_at_sign_in(client, session) -> None:
    user = await make_user(session, email="erlan@example.kz")
    client.cookies.set(COOKIE, "planted-by-someone-else", domain="testserver.local")
    r = await sign_in(client, "erlan@example.kz")
    assert r.status_code == 303
    new = session_cookie(client)
    assert new and new != "planted-by-someone-else"
    assert await user_for_session(session, "planted-by-someone-else") is None
    assert (await user_for_session(session, new)).id == user.id

    # Signing in again over a live session replaces it too: the old row is gone.
    before = len(await session_rows(session, user.id))
    r = await sign_in(client, "erlan@example.kz")
    newer = session_cookie(client)
    assert newer != new
    assert not await has_session(session, new)
    assert await has_session(session, newer)
    assert len(await session_rows(session, user.id)) == before


async def test_sign_out_deletes_the_session_and_the_cookie(client, session) -> None:
    user = await make_user(session)
    await sign_in(client, user.email)
    token = session_cookie(client)
    r = await post_form(client, "/sign-out", {}, headers=EN)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert session_cookie(client) is None
    assert not await has_session(session, token)
    r = await client.get("/profile")
    assert r.status_code == 303 and r.headers["location"].startswith("/sign-in")


async def test_a_form_posted_without_its_csrf_token_is_refused(client, session) -> None:
    user = await make_user(session, name="Madina")
    await sign_in(client, user.email)
    r = await client.post("/profile", data={"name": "Hijacked", "language": "en", "region_id": ""}, headers=EN)
    assert r.status_code == 403
    assert "expired" in r.text
    assert (await fresh(session, user)).name == "Madina"
    r = await client.post("/profile/delete", data={"password": PASSWORD}, headers=EN)
    assert r.status_code == 403
    assert (await fresh(session, user)).deleted_at is None

    client.cookies.clear()
    await client.get("/")
    r = await client.post("/sign-in", data={"email": user.email, "password": PASSWORD})
    assert r.status_code == 403
    assert session_cookie(client) is None


async def test_repeated_wrong_passwords_meet_growing_back_off(client, session) -> None:
    user = await make_user(session, email="aigerim@example.kz")
    for _ in range(3):
        r = await sign_in(client, "aigerim@example.kz", "wrong password")
        assert r.status_code == 400
        assert "The e-mail address or the password is not correct." in r.text
    r = await sign_in(client, "aigerim@example.kz", "wrong password")
    assert r.status_code == 429
    assert r.headers["retry-after"] == "1"
    assert "Please wait 1 second" in r.text
    assert 'value="aigerim@example.kz"' in r.text
    # While locked the right password is not even checked.
    r = await sign_in(client, "aigerim@example.kz")
    assert r.status_code == 429 and session_cookie(client) is None

    async def unlock() -> None:
        row = (await session.execute(select(LoginThrottle).where(LoginThrottle.key == "email:aigerim@example.kz")
                                     .execution_options(populate_existing=True))).scalar_one()
        row.locked_until = utcnow() - timedelta(seconds=1)
        await session.commit()

    waits = []
    for _ in range(3):
        await unlock()
        r = await sign_in(client, "aigerim@example.kz", "wrong password")
        assert r.status_code == 429
        waits.append(int(r.headers["retry-after"]))
    assert waits == [2, 4, 8]
    r = await sign_in(client, "aigerim@example.kz", "wrong password", )
    assert r.status_code == 429 and "8 seconds" in r.text.replace("\u00a0", " ")
    r = await client.post("/sign-in", data={"email": "aigerim@example.kz", "password": "wrong password",
                                            "_csrf_token": await csrf(client)}, headers={"accept-language": "ru"})
    assert "Подождите" in r.text

    await unlock()
    r = await sign_in(client, "aigerim@example.kz")
    assert r.status_code == 303
    assert (await user_for_session(session, session_cookie(client))).id == user.id
    keys = set((await session.execute(select(LoginThrottle.key))).scalars().all())
    assert "email:aigerim@example.kz" not in keys


async def test_next_goes_only_to_local_paths_and_signed_in_people_skip_the_form(client, session) -> None:
    user = await make_user(session)
    r = await client.get("/profile")
    assert r.status_code == 303 and r.headers["location"] == "/sign-in?next=/profile"
    r = await client.get("/sign-in?next=/profile", headers=EN)
    assert 'name="next" value="/profile"' in r.text
    r = await sign_in(client, user.email, next="/profile")
    assert r.headers["location"] == "/profile"
    r = await client.get("/sign-in")
    assert r.status_code == 303 and r.headers["location"] == "/"
    for target in ("//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        client.cookies.clear()
        r = await sign_in(client, user.email, next=target)
        assert r.status_code == 303 and r.headers["location"] == "/", target


async def test_password_reset_by_mail_closes_every_session(client, session) -> None:
    user = await make_user(session, email="madina@example.kz")
    await sign_in(client, "madina@example.kz")
    browser_session = session_cookie(client)
    other_device = await open_session(session, user, days=14)
    await session.commit()
    client.cookies.clear()

    r = await client.get("/password/forgot", headers=EN)
    assert r.status_code == 200
    answers = []
    for email in ("madina@example.kz", "nobody@example.kz"):
        r = await post_form(client, "/password/forgot", {"email": email}, headers=EN)
        assert r.status_code == 303
        page = (await client.get(r.headers["location"], headers=EN)).text
        answers.append((r.headers["location"], re.findall(r'class="flash[^"]*" role="status">([^<]*)<', page)))
    assert answers[0] == answers[1]  # the same answer whether or not the account exists
    assert "If an account uses this address" in answers[0][1][0]
    assert await mails_to(session, "nobody@example.kz") == []
    [mail] = await mails_to(session, "madina@example.kz", "reset")
    assert mail.subject == "Choose a new password on ASAR"
    path = link_path(mail)

    r = await client.get(path, headers=EN)
    assert r.status_code == 200 and 'autocomplete="new-password"' in r.text
    r = await post_form(client, path, {"password": "short"}, headers=EN)
    assert r.status_code == 400 and "at least 10 characters" in r.text
    r = await post_form(client, path, {"password": "a brand new password"}, headers=EN)
    assert r.status_code == 303 and r.headers["location"] == "/sign-in"
    assert not await has_session(session, browser_session)
    assert not await has_session(session, other_device)

    assert (await sign_in(client, "madina@example.kz")).status_code == 400
    assert (await sign_in(client, "madina@example.kz", "a brand new password")).status_code == 303
    r = await client.get(path, headers=EN)
    assert r.status_code == 400 and "already been used" in r.text
    r = await post_form(client, "/password/reset/not-a-real-token", {"password": "another new password"},
                        headers=EN)
    assert r.status_code == 400 and "This link is not valid" in r.text


async def test_profile_edit_switches_the_language_and_lists_memberships(client, session) -> None:
    user = await make_user(session, name="Olzhas")
    org = Organization(sector="government", name_kk="Алматы қаласының әкімдігі", name_ru="Акимат города Алматы",
                       name_en="Akimat of Almaty", bin=valid_bin("20034000111"), legal_form="state_body",
                       verified_at=utcnow())
    session.add(org)
    await session.flush()
    session.add(Membership(organization_id=org.id, user_id=user.id, role="admin"))
    await session.commit()
    region = (await session.execute(select(Region).order_by(Region.id).limit(1))).scalar_one()
    await sign_in(client, user.email)

    r = await client.get("/profile")
    assert "Akimat of Almaty" in r.text and "Administrator" in r.text
    assert region.name_en in r.text

    r = await post_form(client, "/profile", {"name": "Olzhas Serikuly", "language": "kk", "region_id": str(region.id)})
    assert r.status_code == 303
    r = await client.get("/profile", headers=EN)  # the profile's language wins over the browser's
    assert '<html lang="kk">' in r.text
    assert "Алматы қаласының әкімдігі" in r.text
    assert region.name_kk in r.text
    assert f'value="{region.id}" selected' in r.text
    user = await fresh(session, user)
    assert (user.name, user.language, user.region_id) == ("Olzhas Serikuly", "kk", region.id)

    r = await post_form(client, "/profile", {"name": "", "language": "ru", "region_id": "999999"})
    assert r.status_code == 400
    assert "Атыңызды енгізіңіз." in r.text
    assert (await fresh(session, user)).name == "Olzhas Serikuly"


async def test_personal_api_tokens_on_the_profile(client, session) -> None:
    user = await make_user(session)
    await sign_in(client, user.email)
    r = await post_form(client, "/profile/tokens", {"name": "reporting"}, headers=EN)
    assert r.status_code == 201
    token = r.text.split('<code class="new-token">')[1].split("</code>")[0]
    assert token.startswith("asar_")
    assert "shown only this once" in r.text
    r = await client.get("/profile", headers=EN)
    assert token not in r.text and token[:12] in r.text and "reporting" in r.text

    r = await client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 200 and r.json()["id"] == user.id

    # htmx gets the tokens section alone.
    r = await post_form(client, "/profile/tokens", {"name": "second"}, headers={**EN, "hx-request": "true"})
    assert r.status_code == 200
    assert r.text.lstrip().startswith('<section id="api-tokens"')
    r = await post_form(client, "/profile/tokens", {"name": ""}, headers={**EN, "hx-request": "true"})
    assert r.status_code == 400 and "Give the token a name" in r.text

    row = (await session.execute(select(ApiToken).where(ApiToken.name == "reporting"))).scalar_one()
    r = await post_form(client, f"/profile/tokens/{row.id}/revoke", {}, headers=EN)
    assert r.status_code == 303
    r = await client.get("/api/v1/me", headers={"authorization": f"Bearer {token}"})
    assert r.status_code == 401


async def test_deleting_the_account_anonymizes_and_signs_out(client, session) -> None:
    user = await make_user(session, email="zhanna@example.kz", name="Zhanna")
    await sign_in(client, "zhanna@example.kz")
    token = session_cookie(client)
    r = await post_form(client, "/profile/delete", {"password": "not the password"}, headers=EN)
    assert r.status_code == 400 and "The password is not correct." in r.text
    assert (await fresh(session, user)).deleted_at is None

    r = await post_form(client, "/profile/delete", {"password": PASSWORD}, headers=EN)
    assert r.status_code == 303 and r.headers["location"] == "/"
    assert session_cookie(client) is None
    assert not await has_session(session, token)
    user = await fresh(session, user)
    assert (user.name, user.email, user.password_hash, user.is_active) == ("—", f"deleted-{user.id}@invalid",
                                                                          None, False)
    assert user.deleted_at is not None
    assert (await session.execute(select(func.count(AuditEntry.id))
                                  .where(AuditEntry.action == "account.deleted"))).scalar_one() == 1
    r = await client.get("/profile")
    assert r.status_code == 303
    assert (await sign_in(client, "zhanna@example.kz")).status_code == 400


async def test_demo_credentials_only_when_enabled(client, settings) -> None:
    settings.demo_credentials = True
    r = await client.get("/sign-in", headers=EN)
    assert 'class="demo-credentials"' in r.text
    assert demo.DEMO_PASSWORD in r.text
    for email, _description in demo.DEMO_PEOPLE:
        assert email in r.text
    settings.demo_credentials = False
    r = await client.get("/sign-in", headers=EN)
    assert "demo-credentials" not in r.text
    assert demo.DEMO_PASSWORD not in r.text


async def test_forms_carry_their_csrf_field_and_tie_errors_to_fields(client, session) -> None:
    user = await make_user(session)
    r = await client.get("/sign-in", headers=EN)
    form = r.text.split('action="/sign-in"')[1].split("</form>")[0]
    token = re.search(r'<input type="hidden" name="_csrf_token" value="([^"]+)"', form)
    assert token, form  # a real field, as a browser submits it (not escaped text)
    r = await client.post("/sign-in", data={"email": user.email, "password": PASSWORD,
                                            "_csrf_token": token.group(1)})
    assert r.status_code == 303

    client.cookies.clear()
    r = await post_form(client, "/register", {"name": "A", "email": "a@example.kz", "password": "short",
                                              "language": "en"}, headers=EN)
    assert r.status_code == 400
    assert 'id="password-error"' in r.text
    assert 'aria-describedby="password-hint password-error" aria-invalid="true"' in r.text
    assert '<a href="#password">' in r.text  # the summary links to the field


async def test_the_sign_out_button_of_the_page_shell_works_as_a_browser_sends_it(client, session) -> None:
    user = await make_user(session)
    await sign_in(client, user.email)
    r = await client.get("/profile", headers=EN)
    form = r.text.split('action="/sign-out"')[1].split("</form>")[0]
    token = re.search(r'<input type="hidden" name="_csrf_token" value="([^"]+)"', form)
    assert token, form
    r = await client.post("/sign-out", data={"_csrf_token": token.group(1)})
    assert r.status_code == 303 and session_cookie(client) is None


async def test_the_language_picked_before_signing_in_wins_and_is_saved(client, session) -> None:
    """Issue 7 item 16: a person who switched to English in the header is not thrown back to the
    profile's Kazakh at sign-in; the latest explicit choice is kept and saved to the profile."""
    user = await make_user(session, name="Aigerim", language="kk")
    await client.get("/")
    r = await post_form(client, "/language", {"lang": "en", "next": "/"})
    assert r.status_code == 303
    r = await sign_in(client, user.email)
    assert r.status_code == 303
    r = await client.get("/profile", headers={"accept-language": "kk"})
    assert '<html lang="en">' in r.text
    assert (await fresh(session, user)).language == "en"
