"""Input parsing shared by the HTML forms and the JSON API: mappings in, dataclasses out.

Each parser raises Invalid with one translated message per field; none touches the database
(that regions and areas exist is checked by the service).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from asar.errors import invalid
from asar.i18n import gettext as _
from asar.inputs import bounded_int, one_line
from asar.organizations.bin import check_bin
from asar.organizations.choices import LEGAL_FORMS
from asar.organizations.models import ROLES, SECTORS, SETTLEMENTS

ORGANIZATION_FIELDS = ("sector", "name_kk", "name_ru", "name_en", "bin", "legal_form", "regions",
                       "settlement", "areas", "description", "website", "email", "phone", "address")
LIST_FIELDS = ("regions", "areas")
MAX_PAGE = 100_000
MAX_LENGTH = {"name_kk": 300, "name_ru": 300, "name_en": 300, "website": 300, "email": 320, "phone": 40,
              "address": 400, "description": 20000}


@dataclass
class OrganizationInput:
    """The fields given; on an edit only those present in `given` are changed."""

    sector: str = ""
    name_kk: str = ""
    name_ru: str = ""
    name_en: str | None = None
    bin: str = ""
    legal_form: str = ""
    regions: list[int] = field(default_factory=list)
    settlement: str = "urban"
    areas: list[int] = field(default_factory=list)
    description: str = ""
    website: str | None = None
    email: str | None = None
    phone: str | None = None
    address: str | None = None
    given: frozenset[str] = frozenset(ORGANIZATION_FIELDS)


def bin_error(value: str) -> str | None:
    """The translated reason a BIN is refused, or None when it is valid."""
    result = check_bin(value)
    if result == "not_12_digits":
        return _("A BIN (business identification number) has exactly 12 digits, like 971240001315. "
                 "You find it on the organization's state registration certificate or on egov.kz.")
    if result == "bad_check_digit":
        return _("This BIN is not valid: its last digit, a check digit, does not match the first 11. A BIN "
                 "(business identification number) is the organization's 12-digit number, like 971240001315; "
                 "you find it on its state registration certificate or on egov.kz.")
    return None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value).strip()


def _ids(value: Any) -> list[int] | None:
    """A list of positive ids from a list (JSON) or repeated form values; None if malformed."""
    if value is None or value == "":
        return []
    items = value if isinstance(value, list | tuple) else [value]
    out: list[int] = []
    for item in items:
        if isinstance(item, str) and not item.strip():
            continue
        number = bounded_int(item)  # an int or its digits, 1..2^63-1
        if number is None or (isinstance(item, str) and not item.strip().isdigit()):
            return None
        if number not in out:
            out.append(number)
    return out


def normalize_bin(value: Any) -> str:
    """The BIN as typed, without the spaces people put between digit groups."""
    return "".join(_text(value).split())


def _website_error(value: str) -> str | None:
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname or " " in value:
        return _("Enter a web address starting with http:// or https://.")
    return None


def parse_email(value: Any) -> str | None:
    """A normalized e-mail address, or None if it is not one."""
    text = _text(value)
    if not text or len(text) > 320:
        return None
    try:
        return validate_email(text, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


def _phone_error(value: str) -> str | None:
    digits = sum(c.isdigit() for c in value)
    if digits < 7 or any(not (c.isdigit() or c in "+-() ") for c in value) or not value.isascii():
        return _("Enter a phone number of digits, spaces, +, - and brackets, with at least 7 digits.")
    return None


def parse_organization(data: Mapping[str, Any], *, partial: bool = False) -> OrganizationInput:
    """Turn submitted fields into an OrganizationInput; partial: only the keys present (an edit)."""
    given = frozenset(k for k in ORGANIZATION_FIELDS if k in data) if partial else frozenset(ORGANIZATION_FIELDS)
    errors: dict[str, str] = {}
    out = OrganizationInput(given=given)

    def wanted(name: str) -> bool:
        return name in given

    for name, limit in MAX_LENGTH.items():
        if wanted(name) and len(_text(data.get(name))) > limit:
            errors[name] = _("This is too long: at most %(max)s characters.", max=limit)

    if wanted("sector"):
        out.sector = _text(data.get("sector"))
        if out.sector not in SECTORS:
            errors["sector"] = _("Choose the sector: government body, business or NGO.")
    for name in ("name_kk", "name_ru"):
        if wanted(name):
            setattr(out, name, one_line(_text(data.get(name))))
            if not getattr(out, name) and name not in errors:
                errors[name] = (_("Enter the name in Kazakh.") if name == "name_kk"
                                else _("Enter the name in Russian."))
    if wanted("name_en"):
        out.name_en = one_line(_text(data.get("name_en"))) or None
    if wanted("bin"):
        out.bin = normalize_bin(data.get("bin"))
        if not out.bin:
            errors["bin"] = _("Enter the BIN (12 digits).")
        elif (message := bin_error(out.bin)) is not None:
            errors["bin"] = message
    if wanted("legal_form"):
        out.legal_form = _text(data.get("legal_form"))
        # Checked against the sector by the service too, when only one of them changes.
        wrong_for_sector = out.sector in LEGAL_FORMS and out.legal_form not in LEGAL_FORMS[out.sector]
        if wrong_for_sector or not out.legal_form:
            errors["legal_form"] = _("Choose a legal form from the list for this sector.")
    if wanted("regions"):
        regions = _ids(data.get("regions"))
        if regions is None:
            errors["regions"] = _("Choose regions from the list.")
        elif not regions:
            errors["regions"] = _("Choose at least one region where the organization works.")
        else:
            out.regions = regions
    if wanted("settlement"):
        out.settlement = _text(data.get("settlement")) or "urban"
        if out.settlement not in SETTLEMENTS:
            errors["settlement"] = _("Choose urban, rural or both.")
    if wanted("areas"):
        areas = _ids(data.get("areas"))
        if areas is None:
            errors["areas"] = _("Choose areas of activity from the list.")
        else:
            out.areas = areas
    if wanted("description") and "description" not in errors:
        out.description = _text(data.get("description"))
    if wanted("website") and "website" not in errors:
        out.website = _text(data.get("website")) or None
        if out.website and (message := _website_error(out.website)):
            errors["website"] = message
    if wanted("email") and "email" not in errors:
        text = _text(data.get("email"))
        if text:
            out.email = parse_email(text)
            if out.email is None:
                errors["email"] = _("Enter a valid e-mail address, like name@example.kz.")
    if wanted("phone") and "phone" not in errors:
        out.phone = _text(data.get("phone")) or None
        if out.phone and (message := _phone_error(out.phone)):
            errors["phone"] = message
    if wanted("address") and "address" not in errors:
        out.address = _text(data.get("address")) or None

    if errors:
        raise invalid(errors)
    return out


@dataclass
class InvitationInput:
    email: str
    role: str


def parse_invitation(data: Mapping[str, Any]) -> InvitationInput:
    errors: dict[str, str] = {}
    email = parse_email(data.get("email"))
    if email is None:
        errors["email"] = _("Enter a valid e-mail address, like name@example.kz.")
    role = _text(data.get("role")) or "member"
    if role not in ROLES:
        errors["role"] = _("Choose the role: administrator or member.")
    if errors:
        raise invalid(errors)
    return InvitationInput(email=email or "", role=role)


def parse_role(data: Mapping[str, Any]) -> str:
    role = _text(data.get("role"))
    if role not in ROLES:
        raise invalid({"role": _("Choose the role: administrator or member.")})
    return role


def parse_org_id(value: Any, field_name: str = "organization_id") -> int | None:
    """An optional organization id ("" or None: nobody, i.e. the person themself)."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    ids = _ids(value)
    if not ids or len(ids) != 1:
        raise invalid({field_name: _("Choose an organization from the list.")})
    return ids[0]


@dataclass
class DirectoryFilters:
    sector: str | None = None
    region: int | None = None
    area: int | None = None
    settlement: str | None = None
    verified: bool = False
    q: str | None = None
    page: int = 1

    def query(self, page: int | None = None) -> dict[str, str]:
        """The filters as query parameters (for links that keep them)."""
        params: dict[str, str] = {}
        for name in ("sector", "region", "area", "settlement", "q"):
            value = getattr(self, name)
            if value not in (None, ""):
                params[name] = str(value)
        if self.verified:
            params["verified"] = "1"
        target = self.page if page is None else page
        if target != 1:
            params["page"] = str(target)
        return params


def parse_filters(data: Mapping[str, Any]) -> DirectoryFilters:
    """Directory filters from a query string; empty values mean "any"."""
    errors: dict[str, str] = {}
    f = DirectoryFilters()
    sector = _text(data.get("sector"))
    if sector:
        if sector in SECTORS:
            f.sector = sector
        else:
            errors["sector"] = _("Choose the sector: government body, business or NGO.")
    for name in ("region", "area"):
        text = _text(data.get(name))
        if text:
            ids = _ids(text)
            if not ids:
                errors[name] = _("Choose from the list.")
            else:
                setattr(f, name, ids[0])
    settlement = _text(data.get("settlement"))
    if settlement:
        if settlement in SETTLEMENTS:
            f.settlement = settlement
        else:
            errors["settlement"] = _("Choose urban, rural or both.")
    f.verified = _text(data.get("verified")).lower() in ("1", "true", "on", "yes")
    q = _text(data.get("q"))
    if len(q) > 200:
        errors["q"] = _("This is too long: at most %(max)s characters.", max=200)
    f.q = q or None
    page = _text(data.get("page")) or "1"
    number = bounded_int(page, 1, MAX_PAGE) if page.isdigit() else None
    if number is None:
        errors["page"] = _("This page number is not valid.")
    else:
        f.page = number
    if errors:
        raise invalid(errors)
    return f
