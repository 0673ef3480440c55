"""Input parsing shared by the HTML forms and the JSON API: a mapping in, a dataclass out.

Every parser raises Invalid with one translated message per field; it never lets a wrong type
or a missing key through as a 500.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from email_validator import EmailNotValidError, validate_email

from asar.errors import invalid
from asar.i18n import LANGUAGES
from asar.i18n import gettext as _
from asar.inputs import one_line

PASSWORD_MIN = 10
PASSWORD_MAX = 256
NAME_MAX = 200
TOKEN_NAME_MAX = 100
EMAIL_MAX = 320


@dataclass(frozen=True)
class Registration:
    email: str
    password: str
    name: str
    language: str


@dataclass(frozen=True)
class Credentials:
    email: str
    password: str


@dataclass(frozen=True)
class ProfileChanges:
    """Only the fields that were sent (a PATCH may carry any subset)."""

    name: str | None = None
    language: str | None = None
    region_id: int | None = None
    set_region: bool = False  # region_id was sent (None then means: no region)


def _text(data: Mapping[str, Any], key: str, errors: dict[str, str], *, strip: bool = True) -> str:
    value = data.get(key, "")
    if value is None:
        value = ""
    if not isinstance(value, str):
        errors[key] = _("This value is not valid.")
        return ""
    return value.strip() if strip else value


def normalize_email(value: str) -> str:
    """The address as stored: validated (syntax only) and lower-case; ValueError when not valid."""
    value = value.strip()
    if not value:
        raise ValueError(_("Enter your e-mail address."))
    if len(value) > EMAIL_MAX:
        raise ValueError(_("This e-mail address is too long."))
    try:
        result = validate_email(value, check_deliverability=False)
    except EmailNotValidError:
        raise ValueError(_("Enter a valid e-mail address, like name@example.kz.")) from None
    return result.normalized.lower()


def lookup_email(value: str) -> str:
    """The form under which an address typed at sign-in is looked up (never raises)."""
    try:
        return normalize_email(value)
    except ValueError:
        return value.strip().lower()[:EMAIL_MAX]


def check_password(password: str) -> str | None:
    """A translated complaint about a new password, or None when it is acceptable."""
    if len(password) < PASSWORD_MIN:
        return _("The password must have at least %(min)s characters.", min=PASSWORD_MIN)
    if len(password) > PASSWORD_MAX:
        return _("The password may have at most %(max)s characters.", max=PASSWORD_MAX)
    return None


def _name(data: Mapping[str, Any], errors: dict[str, str]) -> str:
    name = one_line(_text(data, "name", errors))
    if "name" not in errors:
        if not name:
            errors["name"] = _("Enter your name.")
        elif len(name) > NAME_MAX:
            errors["name"] = _("The name may have at most %(max)s characters.", max=NAME_MAX)
    return name


def _language(data: Mapping[str, Any], errors: dict[str, str]) -> str:
    language = _text(data, "language", errors)
    if "language" not in errors and language not in LANGUAGES:
        errors["language"] = _("Choose one of the offered languages.")
    return language


def parse_registration(data: Mapping[str, Any]) -> Registration:
    errors: dict[str, str] = {}
    name = _name(data, errors)
    email = _text(data, "email", errors)
    if "email" not in errors:
        try:
            email = normalize_email(email)
        except ValueError as exc:
            errors["email"] = str(exc)
    password = _text(data, "password", errors, strip=False)
    if "password" not in errors:
        problem = check_password(password)
        if problem:
            errors["password"] = problem
    language = _language(data, errors)
    if errors:
        raise invalid(errors)
    return Registration(email=email, password=password, name=name, language=language)


def parse_credentials(data: Mapping[str, Any]) -> Credentials:
    errors: dict[str, str] = {}
    email = _text(data, "email", errors)
    password = _text(data, "password", errors, strip=False)
    if "email" not in errors and not email:
        errors["email"] = _("Enter your e-mail address.")
    if "password" not in errors and not password:
        errors["password"] = _("Enter your password.")
    if errors:
        raise invalid(errors)
    return Credentials(email=lookup_email(email), password=password[:PASSWORD_MAX + 1])  # longer can never match


def parse_email(data: Mapping[str, Any]) -> str:
    errors: dict[str, str] = {}
    email = _text(data, "email", errors)
    if not errors:
        try:
            email = normalize_email(email)
        except ValueError as exc:
            errors["email"] = str(exc)
    if errors:
        raise invalid(errors)
    return email


def parse_new_password(data: Mapping[str, Any]) -> str:
    errors: dict[str, str] = {}
    password = _text(data, "password", errors, strip=False)
    if not errors:
        problem = check_password(password)
        if problem:
            errors["password"] = problem
    if errors:
        raise invalid(errors)
    return password


def parse_password_confirmation(data: Mapping[str, Any]) -> str:
    errors: dict[str, str] = {}
    password = _text(data, "password", errors, strip=False)
    if not errors and not password:
        errors["password"] = _("Enter your password to confirm.")
    if errors:
        raise invalid(errors)
    return password


def _region_id(value: Any, errors: dict[str, str]) -> int | None:
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        errors["region_id"] = _("Choose a region from the list.")
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit() and len(value.strip()) < 12:
        return int(value.strip())
    errors["region_id"] = _("Choose a region from the list.")
    return None


def parse_profile(data: Mapping[str, Any], *, partial: bool = False) -> ProfileChanges:
    """Name, language and region; with partial=True only the keys present are changed."""
    errors: dict[str, str] = {}
    name = language = None
    region_id = None
    set_region = False
    if not partial or "name" in data:
        name = _name(data, errors)
    if not partial or "language" in data:
        language = _language(data, errors)
    if not partial or "region_id" in data:
        set_region = True
        region_id = _region_id(data.get("region_id"), errors)
    if errors:
        raise invalid(errors)
    return ProfileChanges(name=name, language=language, region_id=region_id, set_region=set_region)


def parse_token_name(data: Mapping[str, Any]) -> str:
    errors: dict[str, str] = {}
    name = one_line(_text(data, "name", errors))
    if not errors:
        if not name:
            errors["name"] = _("Give the token a name, for example the program that will use it.")
        elif len(name) > TOKEN_NAME_MAX:
            errors["name"] = _("The name may have at most %(max)s characters.", max=TOKEN_NAME_MAX)
    if errors:
        raise invalid(errors)
    return name
