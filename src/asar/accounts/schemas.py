"""Shapes of the accounts JSON API (request bodies and answers), as they appear in OpenAPI."""

from __future__ import annotations

from datetime import datetime

import msgspec
from msgspec import UNSET, UnsetType


class SignUpIn(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    password: str  # at least 10 characters, not a common password
    name: str
    language: str = "kk"  # kk, ru or en: the language of mails and messages


class SignUpOut(msgspec.Struct):
    """The same answer whether or not the address was registered already (the owner is mailed)."""

    email: str
    message: str


class ConfirmIn(msgspec.Struct, forbid_unknown_fields=True):
    token: str  # the last part of the link in the confirmation mail (…/confirm/<token>)


class ConfirmedOut(msgspec.Struct):
    email: str
    confirmed: bool


class TokenRequest(msgspec.Struct):
    email: str
    password: str
    name: str = "API"


class TokenCreated(msgspec.Struct):
    token: str  # shown this once; only its hash is kept
    name: str
    prefix: str


class TokenInfo(msgspec.Struct):
    id: int
    name: str
    prefix: str
    created_at: datetime
    last_used_at: datetime | None


class MembershipInfo(msgspec.Struct):
    organization_id: int
    name: str
    sector: str
    role: str
    verified: bool


class Me(msgspec.Struct):
    id: int
    email: str
    name: str
    language: str
    region_id: int | None
    confirmed: bool
    is_admin: bool
    acting_organization_id: int | None
    memberships: list[MembershipInfo]


class MeChanges(msgspec.Struct):
    name: str | UnsetType = UNSET
    language: str | UnsetType = UNSET
    region_id: int | UnsetType | None = UNSET

    def sent(self) -> dict[str, object]:
        return {k: v for k, v in msgspec.structs.asdict(self).items() if v is not UNSET}
