"""What people do with their account: register, confirm, sign in and out, reset a password, edit
the profile, keep API tokens, delete the account. One transaction per verb."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts import forms, throttle
from asar.accounts.models import ApiToken, EmailToken, User
from asar.accounts.passwords import hash_password, needs_rehash, verify_password
from asar.accounts.sessions import close_all_sessions, close_session, open_session
from asar.accounts.signals import account_deleted
from asar.audit import actions as audit_actions
from asar.audit.service import record
from asar.db import utcnow
from asar.errors import Conflict, Invalid, NotFound, RateLimited, invalid
from asar.i18n import LANGUAGES, N_, current_language, ngettext
from asar.i18n import gettext as _
from asar.mail.service import queue_mail
from asar.organizations.models import Membership
from asar.permissions import Actor, require_user
from asar.reference.models import Region
from asar.tokens import new_token, token_hash
from asar.uow import atomic, keep_changes
from asar.web.urls import absolute_url

audit_actions.declare({
    "account.admin_granted": N_("Platform administrator appointed"),  # asar.accounts.admin
    "account.deleted": N_("Account deleted"),
}, objects={"user": N_("Person")})

CONFIRM_PATH = "/confirm/"
RESET_PATH = "/password/reset/"
CONFIRM_LIFETIME = timedelta(hours=48)
RESET_LIFETIME = timedelta(hours=2)
MAIL_INTERVAL = timedelta(seconds=60)  # at most one confirmation or reset mail a minute
API_TOKEN_PREFIX = "asar_"
MAX_API_TOKENS = 50
DELETED_NAME = "—"


@dataclass(frozen=True)
class SignedIn:
    user: User
    session_token: str  # the new cookie value


# ---------------------------------------------------------------- helpers
def _link(base_url: str, route: str, token: str) -> str:
    """A mailed single-use link, built by the router (accounts:confirm, accounts:reset_password)."""
    return absolute_url(base_url, route, token=token)


async def _user_by_email(db: AsyncSession, email: str) -> User | None:
    return (await db.execute(select(User).where(User.email == email))).scalar_one_or_none()


def _too_many(seconds: int) -> RateLimited:
    return RateLimited(
        ngettext("Too many failed attempts. Please wait %(num)d second and try again.",
                 "Too many failed attempts. Please wait %(num)d seconds and try again.", seconds),
        retry_after=seconds,
    )


def _issue_email_token(db: AsyncSession, user: User, purpose: str, lifetime: timedelta,
                       now: datetime) -> str:
    token = new_token()
    db.add(EmailToken(user_id=user.id, purpose=purpose, token_hash=token_hash(token), created_at=now,
                      expires_at=now + lifetime))
    return token


async def _recent_email_token(db: AsyncSession, user: User, purpose: str, now: datetime) -> EmailToken | None:
    return (
        await db.execute(
            select(EmailToken)
            .where(EmailToken.user_id == user.id, EmailToken.purpose == purpose,
                   EmailToken.created_at > now - MAIL_INTERVAL)
            .order_by(EmailToken.created_at.desc())
            .limit(1)
        )
    ).scalar_one_or_none()


async def _valid_email_token(db: AsyncSession, token: str, purpose: str, now: datetime) -> EmailToken:
    """The unused, unexpired token of this purpose, or Invalid with a message saying why not."""
    row = None
    if token and len(token) <= 200:
        row = (
            await db.execute(select(EmailToken).where(EmailToken.token_hash == token_hash(token),
                                                      EmailToken.purpose == purpose)
                             .execution_options(populate_existing=True))
        ).scalar_one_or_none()
    if row is None:
        raise Invalid(_("This link is not valid. Check that it was copied whole, or ask for a new one."))
    if row.used_at is not None:
        raise Invalid(_("This link has already been used. Each link works only once."))
    if row.expires_at <= now:
        raise Invalid(_("This link has expired. Please ask for a new one."))
    return row


async def _use_email_token(db: AsyncSession, row: EmailToken, now: datetime) -> None:
    """Mark the token used; of two requests racing with one token only one gets through."""
    result = await db.execute(
        update(EmailToken).where(EmailToken.id == row.id, EmailToken.used_at.is_(None))
        .values(used_at=now).execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:  # type: ignore[attr-defined]
        raise Invalid(_("This link has already been used. Each link works only once."))
    row.used_at = now


async def _start_session(db: AsyncSession, user: User, old_session: str | None, session_days: int) -> str:
    """A brand-new session id; the one the client came with (if any) is closed, never reused."""
    await close_session(db, old_session)
    return await open_session(db, user, session_days)


async def _authenticate(db: AsyncSession, credentials: forms.Credentials, client_ip: str | None,
                        now: datetime) -> User:
    """The person with these credentials, under the growing back-off. A failure is counted and
    stored before the error is raised (asar.uow.keep_changes); a success clears the e-mail key."""
    keys = throttle.keys_for(credentials.email, client_ip)
    wait = await throttle.wait_seconds(db, list(keys), now)
    if wait:
        raise _too_many(wait)
    user = await _user_by_email(db, credentials.email)
    good = verify_password(user.password_hash if user else None, credentials.password)
    if not good or user is None or not user.is_active or user.deleted_at is not None:
        wait = await throttle.record_failure(db, keys, now)
        raise keep_changes(db, _too_many(wait) if wait else
                           Invalid(_("The e-mail address or the password is not correct.")))
    await throttle.clear(db, throttle.email_key(credentials.email))
    if user.password_hash and needs_rehash(user.password_hash):
        user.password_hash = hash_password(credentials.password)
    return user


# ---------------------------------------------------------------- registration and confirmation
@dataclass(frozen=True)
class Registration:
    email: str
    language: str
    # the new account, or None when the address was registered already: for the service's callers
    # (tests, the JSON sign-up's status), never to be told to the person asking
    user: User | None


@atomic
async def register(db: AsyncSession, actor: Actor, data: Mapping[str, Any], *, base_url: str,
                   now: datetime | None = None) -> Registration:
    """Create an unconfirmed account and mail its confirmation link. For an address that already
    has an account, mail its owner instead ("someone tried to register with your address; reset
    your password here"), so that every face (the form, the JSON sign-up) answers alike and
    nobody learns from it whether an address is registered. Nobody is signed in: the person signs
    in once the mailed link has confirmed the address."""
    now = now or utcnow()
    reg = forms.parse_registration(data)
    password_hash = hash_password(reg.password)  # on both paths: the same work, the same time
    existing = await _user_by_email(db, reg.email)
    if existing is not None:
        await _mail_registration_attempt(db, existing, base_url, now)
        return Registration(reg.email, reg.language, None)
    user = User(email=reg.email, password_hash=password_hash, name=reg.name,
                language=reg.language, created_at=now, updated_at=now)
    db.add(user)
    try:
        await db.flush()
    except IntegrityError:  # registered a moment ago by a concurrent request: the same answer
        await db.rollback()
        return Registration(reg.email, reg.language, None)
    token = _issue_email_token(db, user, "confirm", CONFIRM_LIFETIME, now)
    await queue_mail(db, to=user.email, template="confirm", lang=user.language, name=user.name,
                     secrets={"link": _link(base_url, "accounts:confirm", token)})
    return Registration(reg.email, reg.language, user)


async def _mail_registration_attempt(db: AsyncSession, user: User, base_url: str, now: datetime) -> None:
    """Tell the owner of an address someone tried to register with it, with a reset link (at most
    one reset mail a minute, as for the reset form; nothing to closed accounts)."""
    if not user.is_active or user.deleted_at is not None:
        return
    if await _recent_email_token(db, user, "reset", now) is not None:
        return
    token = _issue_email_token(db, user, "reset", RESET_LIFETIME, now)
    await queue_mail(db, to=user.email, template="registration_attempt", lang=user.language, name=user.name,
                     secrets={"link": _link(base_url, "accounts:reset_password", token)})


@atomic
async def confirm_email(db: AsyncSession, token: str, *, now: datetime | None = None) -> User:
    """Confirm the address the token was mailed to (single use)."""
    now = now or utcnow()
    row = await _valid_email_token(db, token, "confirm", now)
    await _use_email_token(db, row, now)
    user = await db.get_one(User, row.user_id)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now
    return user


@atomic
async def resend_confirmation(db: AsyncSession, actor: Actor, *, base_url: str,
                              now: datetime | None = None) -> None:
    """Mail a fresh confirmation link; the earlier unused ones stop working."""
    user = require_user(actor)
    now = now or utcnow()
    if user.confirmed:
        raise Conflict(_("Your e-mail address is already confirmed."))
    recent = await _recent_email_token(db, user, "confirm", now)
    if recent is not None:
        seconds = max(1, int((recent.created_at + MAIL_INTERVAL - now).total_seconds()))
        raise RateLimited(
            ngettext("We have just sent you a link. Please wait %(num)d second before asking again.",
                     "We have just sent you a link. Please wait %(num)d seconds before asking again.",
                     seconds),
            retry_after=seconds,
        )
    await db.execute(delete(EmailToken).where(EmailToken.user_id == user.id, EmailToken.purpose == "confirm",
                                              EmailToken.used_at.is_(None))
                     .execution_options(synchronize_session=False))
    token = _issue_email_token(db, user, "confirm", CONFIRM_LIFETIME, now)
    await queue_mail(db, to=user.email, template="confirm", lang=user.language, name=user.name,
                     secrets={"link": _link(base_url, "accounts:confirm", token)})


# ---------------------------------------------------------------- sign in and out
@atomic
async def sign_in(db: AsyncSession, actor: Actor, data: Mapping[str, Any], *, client_ip: str | None,
                  session_days: int, old_session: str | None = None, language: str | None = None,
                  now: datetime | None = None) -> SignedIn:
    """Check e-mail and password under the growing back-off; open a new session. `language` is the one
    the person last picked in this browser (before signing in): the latest choice wins and is saved."""
    now = now or utcnow()
    credentials = forms.parse_credentials(data)
    user = await _authenticate(db, credentials, client_ip, now)
    if language in LANGUAGES and language != user.language:
        user.language = language
    session_token = await _start_session(db, user, old_session, session_days)
    return SignedIn(user, session_token)


@atomic
async def sign_out(db: AsyncSession, session_token: str | None) -> None:
    await close_session(db, session_token)


# ---------------------------------------------------------------- password reset
@atomic
async def request_password_reset(db: AsyncSession, data: Mapping[str, Any], *, base_url: str,
                                 now: datetime | None = None) -> None:
    """Mail a reset link if the address belongs to an account; the answer is the same either way."""
    now = now or utcnow()
    email = forms.parse_email(data)
    user = await _user_by_email(db, email)
    if user is None or not user.is_active or user.deleted_at is not None:
        return
    if await _recent_email_token(db, user, "reset", now) is not None:
        return  # one mail a minute is enough; the person sees the same answer
    token = _issue_email_token(db, user, "reset", RESET_LIFETIME, now)
    await queue_mail(db, to=user.email, template="reset", lang=user.language, name=user.name,
                     secrets={"link": _link(base_url, "accounts:reset_password", token)})


async def check_reset_token(db: AsyncSession, token: str, *, now: datetime | None = None) -> None:
    """Raise Invalid (saying why) unless the reset link can still be used."""
    await _valid_email_token(db, token, "reset", now or utcnow())


@atomic
async def reset_password(db: AsyncSession, token: str, data: Mapping[str, Any], *,
                         now: datetime | None = None) -> User:
    """Set a new password through a mailed link; every session of the person is closed."""
    now = now or utcnow()
    row = await _valid_email_token(db, token, "reset", now)
    password = forms.parse_new_password(data)
    await _use_email_token(db, row, now)
    user = await db.get_one(User, row.user_id)
    user.password_hash = hash_password(password)
    if user.email_confirmed_at is None:
        user.email_confirmed_at = now  # the link reached the mailbox: the address is real
    await close_all_sessions(db, user.id)
    await throttle.clear(db, throttle.email_key(user.email))
    return user


# ---------------------------------------------------------------- profile
# Alphabetical order of the Cyrillic alphabets (code points put Қ, Ө, Ұ … after Я, and Ё last).
ALPHABETS = {
    "kk": "аәбвгғдеёжзийкқлмнңоөпрстуұүфхһцчшщъыіьэюя",
    "ru": "абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
}


def collation_key(text: str, lang: str) -> tuple[int, ...]:
    """Sort key following the language's alphabet; other characters keep code point order after it."""
    alphabet = ALPHABETS.get(lang, "")
    return tuple(alphabet.index(c) if c in alphabet else 100 + ord(c) for c in text.casefold())


async def list_regions(db: AsyncSession) -> list[Region]:
    """Every region, in the alphabetical order of its name in the current language."""
    regions = (await db.execute(select(Region))).scalars().all()
    lang = current_language()
    return sorted(regions, key=lambda r: collation_key(r.name, lang))


@atomic
async def update_profile(db: AsyncSession, actor: Actor, data: Mapping[str, Any], *,
                         partial: bool = False) -> User:
    """Change name, preferred language and region (partial: only the fields sent)."""
    user = require_user(actor)
    changes = forms.parse_profile(data, partial=partial)
    if (changes.set_region and changes.region_id is not None
            and await db.get(Region, changes.region_id) is None):
        raise invalid({"region_id": _("Choose a region from the list.")})
    if changes.name is not None:
        user.name = changes.name
    if changes.language is not None:
        user.language = changes.language
    if changes.set_region:
        user.region_id = changes.region_id
    return user


# ---------------------------------------------------------------- API tokens
async def list_api_tokens(db: AsyncSession, actor: Actor) -> list[ApiToken]:
    user = require_user(actor)
    return list(
        (await db.execute(select(ApiToken).where(ApiToken.user_id == user.id, ApiToken.revoked_at.is_(None))
                          .order_by(ApiToken.id.desc()))).scalars().all()
    )


async def _new_api_token(db: AsyncSession, user: User, name: str, now: datetime) -> tuple[ApiToken, str]:
    active = await list_api_tokens(db, Actor(user=user))
    if len(active) >= MAX_API_TOKENS:
        raise invalid({"name": _("You have %(max)s tokens already. Revoke one you no longer use first.",
                                 max=MAX_API_TOKENS)})
    token = API_TOKEN_PREFIX + new_token()
    row = ApiToken(user_id=user.id, name=name, token_hash=token_hash(token), prefix=token[:12], created_at=now)
    db.add(row)
    await db.flush()
    return row, token


@atomic
async def create_api_token(db: AsyncSession, actor: Actor, data: Mapping[str, Any], *,
                           now: datetime | None = None) -> tuple[ApiToken, str]:
    """A new personal token; the plain value is returned this once and never stored."""
    user = require_user(actor)
    name = forms.parse_token_name(data)
    row, token = await _new_api_token(db, user, name, now or utcnow())
    return row, token


@atomic
async def create_api_token_with_password(db: AsyncSession, data: Mapping[str, Any], *,
                                         client_ip: str | None,
                                         now: datetime | None = None) -> tuple[ApiToken, str]:
    """The JSON API's sign-in: e-mail and password (same back-off as the sign-in form) for a token."""
    now = now or utcnow()
    credentials = forms.parse_credentials(data)
    name = forms.parse_token_name({"name": data.get("name") or "API"})
    user = await _authenticate(db, credentials, client_ip, now)
    row, token = await _new_api_token(db, user, name, now)
    return row, token


@atomic
async def revoke_api_token(db: AsyncSession, actor: Actor, token_id: int, *,
                           now: datetime | None = None) -> None:
    user = require_user(actor)
    row = (
        await db.execute(select(ApiToken).where(ApiToken.id == token_id, ApiToken.user_id == user.id,
                                                ApiToken.revoked_at.is_(None)))
    ).scalar_one_or_none()
    if row is None:
        raise NotFound(_("This token does not exist or was already revoked."))
    row.revoked_at = now or utcnow()


# ---------------------------------------------------------------- deletion
@atomic
async def delete_account(db: AsyncSession, actor: Actor, data: Mapping[str, Any], *,
                         client_ip: str | None = None, now: datetime | None = None) -> None:
    """Anonymize the account (confirmed by the password): what the person wrote stays, unsigned;
    sessions, API tokens and memberships go. Every domain that copied the person's name or address
    rewrites its copies in this transaction (account_deleted, answered as asar.domains wires it)."""
    user = require_user(actor)
    now = now or utcnow()
    password = forms.parse_password_confirmation(data)
    keys = throttle.keys_for(user.email, client_ip)
    wait = await throttle.wait_seconds(db, list(keys), now)
    if wait:
        raise _too_many(wait)
    if not verify_password(user.password_hash, password):
        wait = await throttle.record_failure(db, keys, now)
        raise keep_changes(db, _too_many(wait) if wait else invalid({"password": _("The password is not correct.")}))
    await throttle.clear(db, throttle.email_key(user.email))
    record(db, actor, "account.deleted", "user", user.id)
    for model in (Membership, ApiToken, EmailToken):
        await db.execute(delete(model).where(model.user_id == user.id)
                         .execution_options(synchronize_session=False))
    await close_all_sessions(db, user.id)
    await account_deleted.send(db, user_id=user.id, name=user.name, email=user.email)
    user.name = DELETED_NAME
    user.email = f"deleted-{user.id}@invalid"
    user.password_hash = None
    user.deleted_at = now
    user.is_active = False
    user.is_admin = False
    user.region_id = None
    user.acting_org_id = None


async def user_names(db: AsyncSession, ids: set[int | None]) -> dict[int, str]:
    """The names of these people in one query (None ids skipped); a deleted account's is "" (shown as "–")."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = await db.execute(select(User.id, User.name, User.deleted_at).where(User.id.in_(wanted)))
    return {uid: "" if deleted else name for uid, name, deleted in rows.all()}
