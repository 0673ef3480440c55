"""The audit log's admin page: the platform admin reads it; nobody else does."""

from __future__ import annotations

from datetime import UTC
from zoneinfo import ZoneInfo

import pytest

from asar.accounts.sessions import COOKIE, open_session
from asar.audit.service import record
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor
from tests.factories import make_user, valid_bin

pytestmark = pytest.mark.sqlite


async def sign_in(client, session, user) -> None:
    token = await open_session(session, user, days=1)
    await session.commit()
    client.cookies.set(COOKIE, token)


async def make_org(session, sector: str = "ngo", name: str = "Жасыл Қала") -> Organization:
    org = Organization(sector=sector, name_kk=name, name_ru=name + " (ru)", name_en="Green City",
                       bin=valid_bin("20034000123"), legal_form="public_association")
    session.add(org)
    await session.commit()
    return org


async def test_admin_sees_entries_with_people_labels_and_almaty_time(client, session) -> None:
    admin = await make_user(session, name="Aigerim Admin", admin=True)
    official = await make_user(session, name="Olzhas Official")
    org = await make_org(session)
    ministry = Organization(sector="government", name_kk="Министрлік", name_ru="Министерство",
                            name_en="The Ministry", bin=valid_bin("99074000111"), legal_form="state_body")
    session.add(ministry)
    await session.flush()
    membership = Membership(organization_id=ministry.id, user_id=official.id, role="admin", organization=ministry)
    session.add(membership)
    entry = record(session, Actor(user=official, membership=membership), "organization.verified",
                   "organization", org.id, note="documents checked")
    member = await make_user(session, name="Madina Member")
    record(session, Actor(user=admin), "membership.role_changed", "organization", org.id, user_id=member.id,
           role="admin", odd=[1, 2])
    await session.commit()
    await sign_in(client, session, admin)

    r = await client.get("/admin/audit", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert "Organization verified" in r.text
    assert "Olzhas Official" in r.text and official.email in r.text
    assert "The Ministry" in r.text  # acting for
    assert "Green City" in r.text  # the object
    assert "documents checked" in r.text
    assert "Member&#39;s role changed" in r.text and "Madina Member (#" in r.text
    local = entry.at.astimezone(ZoneInfo("Asia/Almaty"))
    assert f"{local:%H:%M}</time>" in r.text  # one format per language, no seconds
    assert f"{entry.at.astimezone(UTC):%H:%M:%S}</time>" not in r.text

    admin.language = "kk"  # signed-in people see their profile's language
    await session.commit()
    r = await client.get("/admin/audit")
    assert "Аудит журналы" in r.text
    assert "Ұйым расталды" in r.text


async def test_filter_by_action_and_pagination(client, session) -> None:
    admin = await make_user(session, admin=True)
    org = await make_org(session)
    actor = Actor(user=admin)
    for i in range(55):
        record(session, actor, "membership.added", "membership", i + 1, role="member")
    record(session, actor, "organization.verified", "organization", org.id)
    await session.commit()
    await sign_in(client, session, admin)

    r = await client.get("/admin/audit?action=organization.verified", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert "1 entry" in r.text
    assert "Member added" not in r.text.split('id="audit-entries"')[1]

    r = await client.get("/admin/audit?action=membership.added", headers={"accept-language": "en"})
    assert "55 entries" in r.text
    assert "Page 1 of 2" in r.text
    assert r.text.count("<tr>") == 51  # head + 50 rows
    r = await client.get("/admin/audit?action=membership.added&page=2", headers={"accept-language": "en"})
    assert r.text.count("<tr>") == 6

    # the filter form's htmx request gets the fragment alone
    r = await client.get("/admin/audit?action=membership.added",
                         headers={"accept-language": "en", "hx-request": "true", "hx-target": "audit-entries"})
    assert r.text.lstrip().startswith('<div id="audit-entries">')
    assert "<html" not in r.text


async def test_bad_page_numbers_do_not_fail(client, session) -> None:
    admin = await make_user(session, admin=True)
    await sign_in(client, session, admin)
    for page in ("abc", "-3", "0", "99999999999999999999"):
        r = await client.get(f"/admin/audit?page={page}")
        assert r.status_code == 200


async def test_non_admins_get_403(client, session) -> None:
    user = await make_user(session)
    await sign_in(client, session, user)
    r = await client.get("/admin/audit", headers={"accept-language": "en"})
    assert r.status_code == 403
    assert "Only the platform administrator" in r.text


async def test_anonymous_is_sent_to_sign_in(client) -> None:
    r = await client.get("/admin/audit")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/sign-in?next=/admin/audit")


def test_every_action_the_code_records_has_a_label() -> None:
    """Each action code written to the audit log (a literal in a record() call, or one of the codes
    the f-strings make: a project's statuses, the room's moderation actions) reads as a sentence on
    the admin page, not as a code: its domain declared it (asar.audit.actions), with every type of
    object the calls name, in kk, ru and en."""
    import re

    import asar.domains  # noqa: F401 (the composition root imports every module that declares codes)
    from asar import ROOT_DIR
    from asar.audit.actions import ACTIONS as ACTION_LABELS
    from asar.audit.actions import OBJECTS as OBJECT_LABELS
    from asar.competitions.models import TRANSITIONS as CALL_TRANSITIONS
    from asar.hearings.models import SANCTION_KINDS
    from asar.hearings.room import LIFTED, MODERATION
    from asar.i18n import use_language
    from asar.projects.models import TRANSITIONS
    from asar.web.params import label

    recorded: set[str] = set()
    targets: set[str] = set()
    call = re.compile(r'record\(\s*db,\s*[^,]+,\s*"([a-z_]+\.[a-z_]+)"(?:\s*if[^,]+else\s*"([a-z_]+\.[a-z_]+)")?,\s*"([a-z_]+)"')
    for path in (ROOT_DIR / "src" / "asar").rglob("*.py"):
        for match in call.finditer(path.read_text()):
            recorded.update(code for code in match.groups()[:2] if code)
            targets.add(match.group(3))
    assert len(recorded) >= 25  # the scan finds the calls
    recorded |= {f"project.{status}" for targets_ in TRANSITIONS.values() for status in targets_}
    recorded |= {f"hearing.{action}" for _, action in MODERATION}
    recorded |= {f"call.{status}" for targets_ in CALL_TRANSITIONS.values() for status in targets_ if status != "published"}
    recorded |= {f"hearing.{kind}" for kind in SANCTION_KINDS} | {f"hearing.{lift}" for lift in LIFTED.values()}
    targets |= {target for target, _ in MODERATION} | {"person"}
    assert sorted(recorded - ACTION_LABELS.keys()) == []
    assert sorted(targets - OBJECT_LABELS.keys()) == []
    for lang in ("kk", "ru"):  # translated (the catalogs' check ensures every language has them)
        with use_language(lang):
            untranslated = [c for c in recorded if label(ACTION_LABELS, c) == ACTION_LABELS[c]]
            untranslated += [c for c in targets if label(OBJECT_LABELS, c) == OBJECT_LABELS[c]]
        assert untranslated == [], lang


def test_a_code_declared_twice_must_mean_one_thing() -> None:
    from asar.audit import actions

    actions.declare({"pledge.offered": actions.ACTIONS["pledge.offered"]})  # the same again: fine
    with pytest.raises(ValueError, match=r"pledge\.offered"):
        actions.declare({"pledge.offered": "Something else"})
    assert actions.ACTIONS["pledge.offered"] == "Pledge offered"
