"""Shapes of the notifications JSON API, as they appear in OpenAPI."""

from __future__ import annotations

from datetime import datetime

import msgspec
from msgspec import UNSET, UnsetType


class NotificationOut(msgspec.Struct):
    id: int
    kind: str  # hearing_reminder, hearing_commitment, invitation, organization_verified, ...
    text: str  # one sentence in the request's language
    url: str | None  # where it leads (a path on this site); null for a kind this version no longer knows
    created_at: datetime
    read_at: datetime | None


class NotificationList(msgspec.Struct):
    unread: int  # the bell's number: unread notifications shown on the site
    total: int  # how many match (all pages)
    items: list[NotificationOut]  # newest first


class MarkedAll(msgspec.Struct):
    marked: int  # how many were unread
    unread: int  # 0


class PreferenceOut(msgspec.Struct):
    kind: str
    label: str  # in the request's language
    in_app: bool  # shown on the site and counted by the bell
    email: str  # immediately, daily (one digest a day) or never
    email_fixed: bool  # always mailed at once (the mail holds a single-use link); `email` cannot change


class PreferenceChange(msgspec.Struct, forbid_unknown_fields=True):
    in_app: bool | UnsetType = UNSET
    email: str | UnsetType = UNSET  # immediately, daily or never
