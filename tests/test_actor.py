"""Actor: the one definition of a person's sector (the organization acted for, and the same once
it is verified, by which hearings register, vote and count)."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from asar.permissions import ANONYMOUS, Actor, sector_of


def acting_for(sector: str, *, verified: bool) -> Actor:
    org = SimpleNamespace(id=7, sector=sector, verified=verified)
    membership: Any = SimpleNamespace(organization=org, organization_id=7, role="member")
    return Actor(user=SimpleNamespace(id=1, is_admin=False), membership=membership,  # type: ignore[arg-type]
                 memberships=(membership,))


@pytest.mark.parametrize("sector", ["government", "business", "ngo"])
def test_a_verified_organization_gives_its_sector(sector: str) -> None:
    actor = acting_for(sector, verified=True)
    assert actor.sector == actor.verified_sector == sector
    assert actor.sector_organization is actor.organization
    assert actor.is_official == (sector == "government")


@pytest.mark.parametrize("sector", ["government", "business", "ngo"])
def test_an_organization_not_verified_yet_counts_as_citizen(sector: str) -> None:
    actor = acting_for(sector, verified=False)
    assert actor.sector == sector  # what they act as (drafts, the acting-for switch)
    assert actor.verified_sector == "citizen"  # what their voice counts as
    assert actor.sector_organization is None
    assert not actor.is_official


def test_acting_for_oneself_is_citizen() -> None:
    assert ANONYMOUS.sector == ANONYMOUS.verified_sector == sector_of(None) == "citizen"
    alone = Actor(user=SimpleNamespace(id=1, is_admin=False))  # type: ignore[arg-type]
    assert alone.sector == alone.verified_sector == "citizen"
