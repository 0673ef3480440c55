"""Shapes of the accounts JSON API (request bodies and answers), as they appear in OpenAPI."""

from __future__ import annotations

from datetime import datetime

import msgspec
from msgspec import UNSET, UnsetType


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
