"""The accounts service verbs, called directly (real database, mail through the outbox)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from asar.accounts import service
from asar.accounts.admin import create_admin
from asar.accounts.models import ApiToken, EmailToken, LoginThrottle, User, UserSession
from asar.accounts.sessions import open_session, user_for_bearer, user_for_session
from asar.audit.models import AuditEntry
from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotAuthenticated, NotFound, RateLimited
from asar.i18n import use_language
from asar.organizations.models import Membership, Organization
from asar.permissions import ANONYMOUS, Actor
from asar.reference.models import Region
from asar.reference.service import collation_key
from asar.tokens import token_hash
from tests.accounts.helpers import fresh, link_path, mails_to
from tests.factories import PASSWORD, make_user, valid_bin

pytestmark = pytest.mark.sqlite

BASE = "http://testserver.local"


async def register(session, email="dana@example.kz", password="a long enough secret", name="Dana",
                   language="en", **kw):
    return await service.register(session, ANONYMOUS, {"email": email, "password": password, "name": name,
                                                       "language": language},
                                  base_url=BASE, **kw)


async def test_register_stores_a_normalized_address_an_argon2id_hash_and_mails_a_link(session) -> None:
    registration = await register(session, email="  Dana.Abenova@Example.KZ ", name="  Dana   Abenova ",
                                  language="kk")
    user = await fresh(session, registration.user)
    assert user.email == registration.email == "dana.abenova@example.kz"
    assert user.name == "Dana Abenova"
    assert user.language == registration.language == "kk"
    assert user.password_hash.startswith("$argon2id$")
    assert not user.confirmed
    assert (await session.execute(select(func.count()).select_from(UserSession))).scalar_one() == 0  # not signed in

    [mail] = await mails_to(session, user.email)
    assert mail.kind == "confirm"
    path = link_path(mail)
    assert path.startswith("/confirm/")
    token = path.removeprefix("/confirm/")
    row = (await session.execute(select(EmailToken).where(EmailToken.user_id == user.id))).scalar_one()
    assert row.purpose == "confirm"
    assert row.token_hash == token_hash(token) != token  # only the hash is kept
    assert timedelta(hours=47, minutes=59) < row.expires_at - row.created_at <= timedelta(hours=48)


async def test_confirmation_mail_is_in_the_persons_language(session) -> None:
    subjects = {}
    for lang, words in (("kk", "растаңыз"), ("ru", "подтвердите"), ("en", "confirm")):
        registration = await register(session, email=f"{lang}@example.kz", language=lang)
        [mail] = await mails_to(session, registration.email)
        assert words in mail.body_text.lower(), mail.body_text
        subjects[lang] = mail.subject
    assert subjects["en"] == "Confirm your e-mail address on ASAR"
    assert len(set(subjects.values())) == 3


async def test_an_address_already_registered_gets_the_same_answer_and_its_owner_a_reset_link(session) -> None:
    """Nothing tells the person registering that the address is taken; its owner is mailed (in the
    owner's language) a reset link that works, at most once a minute; no second account."""
    first = await register(session, language="kk")
    again = await register(session, email="DANA@example.kz", name="Someone else", password="another secret!!",
                           language="ru")
    assert again.user is None
    assert (again.email, again.language) == ("dana@example.kz", "ru")  # what the person typed, nothing else
    assert (await session.execute(select(func.count(User.id)))).scalar_one() == 1
    [mail] = await mails_to(session, "dana@example.kz", "registration_attempt")
    assert "АСАР" in mail.subject and "тіркел" in (mail.subject + mail.body_text).lower()  # the owner's language
    token = link_path(mail).removeprefix("/password/reset/")
    user = await service.reset_password(session, token, {"password": "a brand new secret"})
    assert user.id == first.user.id
    await register(session, email="dana@example.kz")  # within the minute: paced, no mail
    later = utcnow() + timedelta(minutes=2)
    await register(session, email="dana@example.kz", now=later)
    await register(session, email="dana@example.kz", now=later)
    assert len(await mails_to(session, "dana@example.kz", "registration_attempt")) == 2


async def test_the_registration_attempt_mail_in_each_language(session) -> None:
    for lang, words in (("kk", "тіркелу"), ("ru", "зарегистрироваться"), ("en", "tried to register")):
        await register(session, email=f"{lang}@example.kz", language=lang)
        await register(session, email=f"{lang}@example.kz", language="en")
        [mail] = await mails_to(session, f"{lang}@example.kz", "registration_attempt")
        assert words in (mail.subject + mail.body_text).lower(), mail.body_text


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"email": "not-an-address", "password": "long enough pw", "name": "A", "language": "en"}, {"email"}),
        ({"email": "a@example.kz", "password": "short", "name": "A", "language": "en"}, {"password"}),
        ({"email": "a@example.kz", "password": "long enough pw", "name": "  ", "language": "en"}, {"name"}),
        ({"email": "a@example.kz", "password": "long enough pw", "name": "A", "language": "de"}, {"language"}),
        ({"email": 5, "password": ["x"], "name": None, "language": {}}, {"email", "password", "name", "language"}),
        ({}, {"email", "password", "name", "language"}),
    ],
)
async def test_registration_input_is_checked_field_by_field(session, data, fields) -> None:
    with pytest.raises(Invalid) as exc:
        await service.register(session, ANONYMOUS, data, base_url=BASE)
    assert set(exc.value.errors) == fields


async def test_confirm_is_single_use_and_expires(session) -> None:
    registration = await register(session)
    token = link_path((await mails_to(session, "dana@example.kz"))[0]).removeprefix("/confirm/")
    with use_language("en"):
        with pytest.raises(Invalid, match="expired"):
            await service.confirm_email(session, token, now=utcnow() + timedelta(hours=49))
        with pytest.raises(Invalid, match="not valid"):
            await service.confirm_email(session, token + "x")
        user = await service.confirm_email(session, token)
        assert user.id == registration.user.id and user.confirmed
        with pytest.raises(Invalid, match="already been used"):
            await service.confirm_email(session, token)


async def test_resend_confirmation_replaces_the_link_and_is_paced(session) -> None:
    actor = Actor(user=(await register(session)).user)
    first = link_path((await mails_to(session, "dana@example.kz"))[0]).removeprefix("/confirm/")
    with pytest.raises(RateLimited):
        await service.resend_confirmation(session, actor, base_url=BASE)
    await service.resend_confirmation(session, actor, base_url=BASE, now=utcnow() + timedelta(minutes=2))
    mails = await mails_to(session, "dana@example.kz", "confirm")
    assert len(mails) == 2
    second = link_path(mails[1]).removeprefix("/confirm/")
    with pytest.raises(Invalid):
        await service.confirm_email(session, first)
    await service.confirm_email(session, second)
    with pytest.raises(Conflict):
        await service.resend_confirmation(session, actor, base_url=BASE, now=utcnow() + timedelta(minutes=5))
    with pytest.raises(NotAuthenticated):
        await service.resend_confirmation(session, ANONYMOUS, base_url=BASE)


async def test_sign_in_opens_a_new_session_and_closes_the_old_one(session) -> None:
    user = await make_user(session, email="erlan@example.kz")
    first = await service.sign_in(session, ANONYMOUS, {"email": "Erlan@Example.kz", "password": PASSWORD},
                                  client_ip="10.1.1.1", session_days=14)
    second = await service.sign_in(session, ANONYMOUS, {"email": "erlan@example.kz", "password": PASSWORD},
                                   client_ip="10.1.1.1", session_days=14, old_session=first.session_token)
    assert first.session_token != second.session_token
    assert await user_for_session(session, first.session_token) is None
    assert (await user_for_session(session, second.session_token)).id == user.id


async def test_back_off_grows_and_a_locked_attempt_never_checks_the_password(session) -> None:
    await make_user(session, email="aigerim@example.kz")
    now = utcnow()

    async def attempt(password: str, at):
        return await service.sign_in(session, ANONYMOUS, {"email": "aigerim@example.kz", "password": password},
                                      client_ip="10.2.2.2", session_days=14, now=at)

    for _ in range(3):
        with pytest.raises(Invalid):
            await attempt("wrong password", now)
    with pytest.raises(RateLimited) as exc:
        await attempt("wrong password", now)
    assert exc.value.retry_after == 1
    # Locked: even the right password is refused, and the refusal is not counted.
    with pytest.raises(RateLimited):
        await attempt(PASSWORD, now)
    waits = []
    at = now
    for _ in range(4):
        at += timedelta(seconds=1000)
        with pytest.raises(RateLimited) as exc:
            await attempt("wrong password", at)
        waits.append(exc.value.retry_after)
    assert waits == [2, 4, 8, 16]
    row = (await session.execute(select(LoginThrottle).where(LoginThrottle.key == "email:aigerim@example.kz")
                                 .execution_options(populate_existing=True))).scalar_one()
    assert row.failures == 8
    # After the lock, the right password works and clears the e-mail key (not the address key).
    signed_in = await attempt(PASSWORD, at + timedelta(seconds=17))
    assert signed_in.user.email == "aigerim@example.kz"
    keys = set((await session.execute(select(LoginThrottle.key))).scalars().all())
    assert keys == {"ip:10.2.2.2"}


async def test_the_client_address_gets_20_free_failures(session) -> None:
    now = utcnow()
    for n in range(20):
        with pytest.raises(Invalid):
            await service.sign_in(session, ANONYMOUS, {"email": f"nobody{n}@example.kz", "password": "guess"},
                                  client_ip="10.3.3.3", session_days=14, now=now)
    with pytest.raises(RateLimited):
        await service.sign_in(session, ANONYMOUS, {"email": "nobody-else@example.kz", "password": "guess"},
                              client_ip="10.3.3.3", session_days=14, now=now)
    with pytest.raises(RateLimited):
        await service.sign_in(session, ANONYMOUS, {"email": "fresh@example.kz", "password": "guess"},
                              client_ip="10.3.3.3", session_days=14, now=now)
    # Another address is not affected.
    with pytest.raises(Invalid):
        await service.sign_in(session, ANONYMOUS, {"email": "fresh@example.kz", "password": "guess"},
                              client_ip="10.3.3.4", session_days=14, now=now)


async def test_password_reset_mails_only_real_accounts_and_closes_every_session(session) -> None:
    user = await make_user(session, email="madina@example.kz")
    other_device = await open_session(session, user, days=14)
    await session.commit()
    assert await service.request_password_reset(session, {"email": "nobody@example.kz"}, base_url=BASE) is None
    assert await mails_to(session, "nobody@example.kz") == []
    await service.request_password_reset(session, {"email": "Madina@example.kz"}, base_url=BASE)
    [mail] = await mails_to(session, "madina@example.kz", "reset")
    token = link_path(mail).removeprefix("/password/reset/")
    row = (await session.execute(select(EmailToken).where(EmailToken.purpose == "reset"))).scalar_one()
    assert row.expires_at - row.created_at == timedelta(hours=2)

    with use_language("en"), pytest.raises(Invalid, match="expired"):
        await service.reset_password(session, token, {"password": "brand new password"},
                                     now=utcnow() + timedelta(hours=2, seconds=1))
    with pytest.raises(Invalid) as exc:
        await service.reset_password(session, token, {"password": "short"})
    assert set(exc.value.errors) == {"password"}
    await service.check_reset_token(session, token)  # a bad password does not use the link up
    await service.reset_password(session, token, {"password": "brand new password"})
    assert await user_for_session(session, other_device) is None
    assert (await session.execute(select(func.count()).select_from(UserSession))).scalar_one() == 0
    with use_language("en"), pytest.raises(Invalid, match="already been used"):
        await service.check_reset_token(session, token)
    with pytest.raises(Invalid):
        await service.sign_in(session, ANONYMOUS, {"email": "madina@example.kz", "password": PASSWORD},
                              client_ip="10.4.4.4", session_days=14)
    await service.sign_in(session, ANONYMOUS, {"email": "madina@example.kz", "password": "brand new password"},
                          client_ip="10.4.4.4", session_days=14)


async def test_reset_requests_are_paced_silently(session) -> None:
    await make_user(session, email="olzhas@example.kz")
    for _ in range(3):
        await service.request_password_reset(session, {"email": "olzhas@example.kz"}, base_url=BASE)
    assert len(await mails_to(session, "olzhas@example.kz", "reset")) == 1
    with pytest.raises(Invalid):
        await service.request_password_reset(session, {"email": "not an address"}, base_url=BASE)


async def test_profile_update_checks_language_and_region(session) -> None:
    user = await make_user(session)
    actor = Actor(user=user)
    region = (await session.execute(select(Region).order_by(Region.id).limit(1))).scalar_one()
    await service.update_profile(session, actor, {"name": "Dana A.", "language": "kk", "region_id": str(region.id)})
    user = await fresh(session, user)
    assert (user.name, user.language, user.region_id) == ("Dana A.", "kk", region.id)
    with pytest.raises(Invalid) as exc:
        await service.update_profile(session, actor, {"name": "", "language": "xx", "region_id": "999999"})
    assert set(exc.value.errors) == {"name", "language"}
    with pytest.raises(Invalid) as exc:
        await service.update_profile(session, actor, {"name": "Dana", "language": "ru", "region_id": "999999"})
    assert set(exc.value.errors) == {"region_id"}
    await service.update_profile(session, actor, {"region_id": None}, partial=True)
    user = await fresh(session, user)
    assert (user.name, user.language, user.region_id) == ("Dana A.", "kk", None)
    with pytest.raises(NotAuthenticated):
        await service.update_profile(session, ANONYMOUS, {"name": "x"}, partial=True)


async def test_regions_are_sorted_by_name_in_the_current_language(session) -> None:
    with use_language("ru"):
        names = [r.name for r in await service.list_regions(session)]
    assert len(names) == 20
    assert names == sorted(names, key=collation_key)
    assert names[0] == "Акмолинская область"
    assert "область Абай" in names and "Абайская область" not in names  # the official name since 2022
    with use_language("kk"):
        names = [r.name for r in await service.list_regions(session)]
    # The Kazakh alphabet: А Ә Б … К Қ Л … Ұ Ү … Ш, not code point order (which puts Қ after Я).
    assert names.index("Ақмола облысы") < names.index("Алматы") < names.index("Қарағанды облысы")
    assert names.index("Қызылорда облысы") < names.index("Ұлытау облысы") < names.index("Шымкент")
    with use_language("en"):
        names = [r.name for r in await service.list_regions(session)]
    assert names == sorted(names)


def test_collation_follows_the_alphabet() -> None:
    words = ["Шу", "Қала", "Ақ", "Ауыл", "Әже", "Ұя", "Үй", "Іле"]
    assert sorted(words, key=lambda w: service.collation_key(w, "kk")) == [
        "Ақ", "Ауыл", "Әже", "Қала", "Ұя", "Үй", "Шу", "Іле"]
    assert sorted(["Ёлка", "Жук", "Еда"], key=lambda w: service.collation_key(w, "ru")) == ["Еда", "Ёлка", "Жук"]


async def test_api_tokens_create_list_use_revoke(session) -> None:
    user = await make_user(session)
    other = await make_user(session)
    actor = Actor(user=user)
    row, token = await service.create_api_token(session, actor, {"name": "  reporting   script "})
    assert row.name == "reporting script"
    assert token.startswith(row.prefix) and token.startswith("asar_")
    assert row.token_hash == token_hash(token)
    assert [t.id for t in await service.list_api_tokens(session, actor)] == [row.id]
    assert (await user_for_bearer(session, token)).id == user.id
    with pytest.raises(NotFound):
        await service.revoke_api_token(session, Actor(user=other), row.id)
    await service.revoke_api_token(session, actor, row.id)
    assert await user_for_bearer(session, token) is None
    assert await service.list_api_tokens(session, actor) == []
    with pytest.raises(Invalid):
        await service.create_api_token(session, actor, {"name": ""})


async def test_deleting_an_account_anonymizes_it_and_keeps_what_refers_to_it(session) -> None:
    user = await make_user(session, email="zhanna@example.kz", name="Zhanna")
    org = Organization(sector="ngo", name_kk="Қайырымдылық", name_ru="Милосердие", bin=valid_bin("10034000123"),
                       legal_form="public_association", created_by_id=user.id)
    session.add(org)
    await session.flush()
    session.add(Membership(organization_id=org.id, user_id=user.id, role="admin"))
    await session.commit()
    await open_session(session, user, days=14)
    await service.create_api_token(session, Actor(user=user), {"name": "cli"})
    actor = Actor(user=user)

    with pytest.raises(Invalid) as exc:
        await service.delete_account(session, actor, {"password": "not my password"})
    assert set(exc.value.errors) == {"password"}
    assert (await fresh(session, user)).deleted_at is None

    await service.delete_account(session, actor, {"password": PASSWORD})
    user = await fresh(session, user)
    assert user.name == "—"
    assert user.email == f"deleted-{user.id}@invalid"
    assert user.password_hash is None and user.deleted_at is not None and not user.is_active
    for model in (UserSession, ApiToken, Membership, EmailToken):
        count = (await session.execute(select(func.count()).select_from(model).where(model.user_id == user.id))).scalar_one()
        assert count == 0, model
    org = await session.get(Organization, org.id, populate_existing=True)
    assert org.created_by_id == user.id  # the organization still says who created it
    entry = (await session.execute(select(AuditEntry).where(AuditEntry.action == "account.deleted"))).scalar_one()
    assert (entry.actor_id, entry.object_type, entry.object_id) == (user.id, "user", user.id)
    with pytest.raises(Invalid):  # nobody signs in as the deleted person
        await service.sign_in(session, ANONYMOUS, {"email": "zhanna@example.kz", "password": PASSWORD},
                              client_ip="10.5.5.5", session_days=14)
    await register(session, email="zhanna@example.kz")  # the address is free again


async def test_validation_messages_are_translated(session) -> None:
    data = {"email": "nope", "password": "short", "name": "A", "language": "en"}
    messages = {}
    for lang in ("kk", "ru", "en"):
        with use_language(lang), pytest.raises(Invalid) as exc:
            await service.register(session, ANONYMOUS, data, base_url=BASE)
        messages[lang] = exc.value.errors["password"]
    assert messages["en"] == "The password must have at least 10 characters."
    assert messages["ru"] == "Пароль должен содержать не менее 10 символов."
    assert messages["kk"] == "Құпиясөзде кемінде 10 таңба болуы керек."


def test_admin_create_makes_and_promotes_a_confirmed_admin(sqlite_template, tmp_path) -> None:
    import asyncio
    import shutil

    from tests.conftest import make_settings

    path = tmp_path / "admin.db"
    shutil.copy(sqlite_template, path)
    settings = make_settings(f"sqlite+aiosqlite:///{path}", tmp_path)
    with pytest.raises(ValueError, match="at least 10"):
        asyncio.run(create_admin(settings, "root@example.kz", "short", "Root"))
    with pytest.raises(ValueError, match="valid e-mail"):
        asyncio.run(create_admin(settings, "root", "long enough password", "Root"))
    out = asyncio.run(create_admin(settings, "Root@Example.kz", "long enough password", "Root"))
    assert out.startswith("Created platform administrator root@example.kz")
    out = asyncio.run(create_admin(settings, "root@example.kz", "another long password", ""))
    assert out.startswith("Promoted platform administrator root@example.kz")

    async def check() -> None:
        from asar.db import Database

        database = Database.from_url(settings.database_url)
        async with database.sessionmaker() as db:
            user = (await db.execute(select(User))).scalar_one()
            assert user.is_admin and user.confirmed and user.name == "Root"
            signed_in = await service.sign_in(db, ANONYMOUS, {"email": "root@example.kz",
                                                              "password": "another long password"},
                                              client_ip=None, session_days=1)
            assert signed_in.user.id == user.id
            actions = (await db.execute(select(AuditEntry.action))).scalars().all()
            assert actions == ["account.admin_granted", "account.admin_granted"]
        await database.close()

    asyncio.run(check())
