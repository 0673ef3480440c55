"""After verification the organization is told, and knows what to do: its administrators are
mailed (each in their language) on verification and on withdrawal (with the reason), members see
a notice on its page, the verifier's note is kept in the audit log, and verifiers find the queue
in the navigation with the number waiting."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from asar.audit.models import AuditEntry
from asar.organizations import service as orgs
from tests.factories import make_user
from tests.mailbox import delivered_to
from tests.organizations.helpers import actor_of, add_member, csrf, make_official, make_org, sign_in

pytestmark = pytest.mark.sqlite
BASE = "http://testserver.local"


async def _audit(session, org_id: int, action: str) -> AuditEntry:
    await session.commit()
    return (await session.execute(select(AuditEntry).where(AuditEntry.object_id == org_id, AuditEntry.action == action)
                                  .order_by(AuditEntry.id.desc()).limit(1))).scalar_one()


async def test_verifying_mails_each_administrator_in_their_language_and_keeps_the_note(session) -> None:
    owner = await make_user(session, language="kk", email="owner@example.kz")
    org = await make_org(session, owner, "ngo")
    co_admin = await make_user(session, language="ru", email="coadmin@example.kz")
    member = await make_user(session, language="en", email="member@example.kz")
    await add_member(session, org, co_admin, "admin")
    await add_member(session, org, member, "member")
    official, _body = await make_official(session)

    await orgs.verify_organization(session, await actor_of(session, official), org.id, "  BIN checked at egov.kz ",
                                   base_url=BASE)
    assert (await _audit(session, org.id, "organization.verified")).details["note"] == "BIN checked at egov.kz"
    [kk] = delivered_to("owner@example.kz", "organization_verified")
    [ru] = delivered_to("coadmin@example.kz", "organization_verified")
    assert delivered_to("member@example.kz", "organization_verified") == []  # administrators only
    assert "расталды" in kk.subject and "қоғамдық тыңдау" in kk.body_text
    assert "подтверждена" in ru.subject and "общественных слушаниях" in ru.body_text
    assert f"{BASE}/organizations/{org.id}" in ru.body_text  # a working link to its page
    assert "egov" not in ru.body_text  # the verifier's note is for the audit log


async def test_withdrawing_mails_the_reason_and_members_see_it_on_the_page(client, session) -> None:
    owner = await make_user(session, language="en", email="owner2@example.kz")
    org = await make_org(session, owner, "business", verified=True)
    [verified] = delivered_to("owner2@example.kz", "organization_verified")
    assert "is verified on ASAR" in verified.subject and "Acting for" in verified.body_text

    await sign_in(client, session, owner)
    page = (await client.get(f"/organizations/{org.id}")).text
    assert "Your organization was verified on" in page and "Now you can take part in public hearings" in page

    admin = await make_user(session, admin=True)
    await orgs.revoke_verification(session, await actor_of(session, admin), org.id, "The BIN belongs to another company",
                                   base_url=BASE)
    [mail] = delivered_to("owner2@example.kz", "organization_verification_withdrawn")
    assert mail.subject.startswith("The verification of") and "Reason: The BIN belongs to another company" in mail.body_text
    assert (await _audit(session, org.id, "organization.verification_revoked")).details["reason"] \
        == "The BIN belongs to another company"
    page = (await client.get(f"/organizations/{org.id}")).text
    assert "The verification of your organization was withdrawn on" in page
    assert "Reason: The BIN belongs to another company" in page
    client.cookies.clear()
    assert "The BIN belongs to another company" not in (await client.get(f"/organizations/{org.id}")).text  # members only


async def test_the_verification_form_takes_a_note(client, session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner, "ngo")
    official, _body = await make_official(session)
    await sign_in(client, session, official)
    page = (await client.get("/organizations/awaiting-verification", headers={"accept-language": "en"})).text
    assert 'name="note"' in page and "Note (optional, kept in the audit log)" in page
    r = await client.post(f"/organizations/{org.id}/verify", data={"note": "Registry extract seen",
                                                                 "_csrf_token": await csrf(client)})
    assert r.status_code == 303
    assert (await _audit(session, org.id, "organization.verified")).details["note"] == "Registry extract seen"


async def test_verifiers_see_the_queue_with_its_count_in_the_navigation(client, session) -> None:
    official, _body = await make_official(session)
    for _ in range(2):
        await make_org(session, await make_user(session), "ngo")
    await make_org(session, await make_user(session), "government")  # the platform admin's to verify
    await sign_in(client, session, official)
    nav = (await client.get("/", headers={"accept-language": "en"})).text.split('class="site-nav"')[1].split("</ul>")[0]
    assert 'href="/organizations/awaiting-verification">Verification queue <span class="badge">2</span>' in nav

    admin = await make_user(session, admin=True, language="ru")
    await sign_in(client, session, admin)
    nav = (await client.get("/", headers={"accept-language": "ru"})).text.split('class="site-nav"')[1].split("</ul>")[0]
    assert "Очередь подтверждения <span class=\"badge\">3</span>" in nav

    citizen = await make_user(session)
    await sign_in(client, session, citizen)
    assert "awaiting-verification" not in (await client.get("/")).text
