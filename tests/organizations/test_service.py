"""Organization service verbs: registering, editing, the directory query, members and
invitations, acting for an organization, verification — and the audit rows they leave."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from asar.errors import Conflict, Invalid, NotAuthenticated, NotFound, PermissionDenied
from asar.i18n import use_language
from asar.mail.models import OutboxMail
from asar.organizations import service as orgs
from asar.organizations.forms import parse_filters, parse_invitation, parse_organization
from asar.organizations.models import Invitation, Membership
from asar.permissions import ANONYMOUS
from tests.factories import make_user
from tests.organizations.helpers import (
    actor_of,
    add_member,
    area,
    audit_actions,
    fresh_bin,
    mailed_link,
    make_official,
    make_org,
    org_data,
    region,
    reload,
)

pytestmark = pytest.mark.sqlite

BASE = "http://testserver.local"


# ---------------------------------------------------------------- registering and editing
async def test_creator_becomes_admin_and_acts_for_the_new_organization(session) -> None:
    user = await make_user(session)
    org = await make_org(session, user, "business")
    actor = await actor_of(session, user)
    assert actor.role_in(org.id) == "admin"
    assert actor.organization is not None and actor.organization.id == org.id
    assert actor.sector == "business"
    assert not org.verified
    assert [r.iso_code for r in org.regions] == ["KZ-75"]
    assert await audit_actions(session, org.id) == ["organization.created"]


async def test_bin_must_be_unique(session) -> None:
    user = await make_user(session)
    first = await make_org(session, user)
    data = parse_organization(await org_data(session, bin=first.bin))
    for lang, text in (("en", "An organization with this BIN is already registered."),
                       ("ru", "Организация с таким БИН уже зарегистрирована."),
                       ("kk", "Мұндай БСН-мен ұйым бұрыннан тіркелген.")):
        with use_language(lang), pytest.raises(Conflict) as exc:
            await orgs.create_organization(session, await actor_of(session, user), data)
        assert exc.value.errors["bin"] == text
    assert (await session.execute(select(func.count()).where(
        orgs.Organization.bin == first.bin))).scalar_one() == 1


async def test_a_bin_with_a_wrong_check_digit_is_refused_before_anything_is_stored(session) -> None:
    good = fresh_bin()
    bad = good[:11] + str((int(good[11]) + 1) % 10)
    with use_language("ru"), pytest.raises(Invalid) as exc:
        parse_organization(await org_data(session, bin=bad))
    assert exc.value.errors["bin"].startswith("Этот БИН недействителен: его последняя, контрольная цифра не совпадает")


async def test_spaces_between_bin_digit_groups_are_ignored(session) -> None:
    good = fresh_bin()
    data = parse_organization(await org_data(session, bin=f"{good[:4]} {good[4:8]} {good[8:]}"))
    assert data.bin == good


async def test_form_errors_are_reported_per_field(session) -> None:
    with use_language("en"), pytest.raises(Invalid) as exc:
        parse_organization({"sector": "ngo", "name_kk": "", "name_ru": " ", "bin": "12", "legal_form": "llp",
                            "regions": [], "settlement": "city", "website": "javascript:alert(1)",
                            "email": "not-an-email", "phone": "call me"})
    errors = exc.value.errors
    assert set(errors) == {"name_kk", "name_ru", "bin", "legal_form", "regions", "settlement", "website",
                           "email", "phone"}
    assert errors["bin"].startswith("A BIN (business identification number) has exactly 12 digits")
    assert errors["legal_form"] == "Choose a legal form from the list for this sector."
    assert "http://" in errors["website"]


async def test_unknown_region_or_area_is_refused(session) -> None:
    user = await make_user(session)
    data = parse_organization(await org_data(session, regions=[999999], areas=[888888]))
    with pytest.raises(Invalid) as exc:
        await orgs.create_organization(session, await actor_of(session, user), data)
    assert set(exc.value.errors) == {"regions", "areas"}


async def test_people_who_have_not_confirmed_their_email_cannot_register_organizations(session) -> None:
    user = await make_user(session, confirmed=False)
    data = parse_organization(await org_data(session))
    with pytest.raises(PermissionDenied):
        await orgs.create_organization(session, await actor_of(session, user), data)
    with pytest.raises(NotAuthenticated):
        await orgs.create_organization(session, ANONYMOUS, data)


async def test_only_org_admins_and_the_platform_admin_edit(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    member = await make_user(session)
    await add_member(session, org, member)
    change = parse_organization({"name_ru": "Новое имя"}, partial=True)
    with pytest.raises(PermissionDenied):
        await orgs.update_organization(session, await actor_of(session, member), org.id, change)
    updated = await orgs.update_organization(session, await actor_of(session, owner), org.id, change)
    assert updated.name_ru == "Новое имя"
    assert updated.name_kk == "Жасыл әлем қоғамдық бірлестігі"  # untouched
    assert [o.id for o in (await orgs.search_organizations(session, parse_filters({"q": "НОВОЕ"}))).items] == [org.id]
    admin = await make_user(session, admin=True)
    await orgs.update_organization(session, await actor_of(session, admin), org.id,
                                   parse_organization({"settlement": "rural"}, partial=True))
    assert (await reload(session, org)).settlement == "rural"
    assert (await audit_actions(session, org.id))[-2:] == ["organization.updated", "organization.updated"]


async def test_sector_and_legal_form_stay_consistent_on_edit(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner, "ngo")
    with pytest.raises(Invalid) as exc:
        await orgs.update_organization(session, await actor_of(session, owner), org.id,
                                       parse_organization({"sector": "business"}, partial=True))
    assert set(exc.value.errors) == {"legal_form"}
    await orgs.update_organization(session, await actor_of(session, owner), org.id,
                                   parse_organization({"sector": "business", "legal_form": "jsc"}, partial=True))
    assert (await reload(session, org)).sector == "business"


async def test_a_verified_organization_keeps_its_bin_and_sector(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner, verified=True)
    with pytest.raises(Invalid) as exc:
        await orgs.update_organization(session, await actor_of(session, owner), org.id,
                                       parse_organization({"bin": fresh_bin(), "sector": "business",
                                                           "legal_form": "llp"}, partial=True))
    assert set(exc.value.errors) == {"bin", "sector"}


# ---------------------------------------------------------------- the directory query
async def _directory(session, **query) -> list[str]:
    page = await orgs.search_organizations(session, parse_filters({k: str(v) for k, v in query.items()}))
    return [o.name_en for o in page.items]


async def test_directory_filters(session) -> None:
    owner = await make_user(session)
    astana, almaty = await region(session, "KZ-71"), await region(session, "KZ-75")
    education, ecology = await area(session, "education"), await area(session, "environment")
    await make_org(session, owner, "ngo", name_en="Steppe", name_kk="Дала қоры", name_ru="Фонд Степь",
                   regions=[astana.id], areas=[education.id], settlement="rural", verified=True)
    await make_org(session, owner, "business", name_en="Oil", name_kk="Мұнай", name_ru="Нефть",
                   regions=[almaty.id], areas=[ecology.id], settlement="urban")
    await make_org(session, owner, "government", name_en="Akimat", name_kk="Әкімдік", name_ru="Акимат",
                   regions=[astana.id, almaty.id], areas=[], settlement="both", verified=True)

    assert sorted(await _directory(session, sector="business")) == ["Oil"]
    assert sorted(await _directory(session, region=almaty.id)) == ["Akimat", "Oil"]
    assert sorted(await _directory(session, area=education.id)) == ["Steppe"]
    assert sorted(await _directory(session, settlement="rural")) == ["Akimat", "Steppe"]
    assert sorted(await _directory(session, settlement="urban")) == ["Akimat", "Oil"]
    assert sorted(await _directory(session, settlement="both")) == ["Akimat"]
    assert sorted(await _directory(session, verified=1)) == ["Akimat", "Steppe"]
    assert sorted(await _directory(session, region=astana.id, sector="ngo", verified=1)) == ["Steppe"]


async def test_directory_search_by_name_in_any_language_and_case_or_by_bin(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner, name_en="Steppe", name_kk="Дала қоры", name_ru="Фонд Степь")
    await make_org(session, owner, name_en="Other", name_kk="Басқа", name_ru="Другой")
    assert await _directory(session, q="ДАЛА ҚОР") == ["Steppe"]
    assert await _directory(session, q="степь") == ["Steppe"]
    assert await _directory(session, q="STEP") == ["Steppe"]
    assert await _directory(session, q=org.bin) == ["Steppe"]
    assert await _directory(session, q=org.bin[:4] + " " + org.bin[4:8] + " " + org.bin[8:]) == ["Steppe"]
    assert await _directory(session, q="100%_") == []


async def test_directory_pages_hold_twenty_and_put_verified_first(session) -> None:
    owner = await make_user(session)
    for i in range(23):
        await make_org(session, owner, name_en=f"Org {i:02d}", name_ru=f"Орг {i:02d}")
    verified = await make_org(session, owner, name_en="Zeta", name_ru="Яхонт", verified=True)
    first = await orgs.search_organizations(session, parse_filters({}))
    assert first.total == 24 and first.pages == 2 and len(first.items) == 20
    assert first.items[0].id == verified.id
    second = await orgs.search_organizations(session, parse_filters({"page": "2"}))
    assert len(second.items) == 4
    assert not {o.id for o in first.items} & {o.id for o in second.items}


def test_bad_directory_filters_are_refused_with_field_messages() -> None:
    with use_language("en"), pytest.raises(Invalid) as exc:
        parse_filters({"sector": "church", "region": "x", "settlement": "moon", "page": "0"})
    assert set(exc.value.errors) == {"sector", "region", "settlement", "page"}


# ---------------------------------------------------------------- invitations and members
async def test_invitation_is_mailed_and_accepted_once_by_the_invited_person(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    invitee = await make_user(session, email="aigerim@example.kz")
    inv = await orgs.invite_member(session, await actor_of(session, owner), org.id,
                                   parse_invitation({"email": "Aigerim@Example.kz", "role": "member"}),
                                   base_url=BASE)
    assert inv.email == "aigerim@example.kz"
    assert inv.expires_at - inv.created_at == timedelta(days=14)
    link = await mailed_link(session, "aigerim@example.kz")
    token = link.rsplit("/", 1)[1]
    assert inv.token_hash != token and len(inv.token_hash) == 64  # only the hash is stored

    stranger = await make_user(session)
    with use_language("en"), pytest.raises(PermissionDenied) as exc:
        await orgs.accept_invitation(session, await actor_of(session, stranger), token)
    assert "aigerim@example.kz" in exc.value.message

    membership = await orgs.accept_invitation(session, await actor_of(session, invitee), token)
    assert membership.role == "member" and membership.organization_id == org.id
    with pytest.raises(Conflict):
        await orgs.accept_invitation(session, await actor_of(session, invitee), token)
    assert await audit_actions(session, org.id) == ["organization.created", "membership.invited",
                                                    "membership.accepted"]


async def test_invitation_mail_is_in_the_invitees_language(session) -> None:
    owner = await make_user(session, name="Aruzhan")
    org = await make_org(session, owner)
    await make_user(session, email="kk@example.kz", language="kk")
    await orgs.invite_member(session, await actor_of(session, owner), org.id,
                             parse_invitation({"email": "kk@example.kz", "role": "admin"}), base_url=BASE)
    link = await mailed_link(session, "kk@example.kz")
    assert link.startswith(BASE + "/invitations/")
    mail = (await session.execute(select(OutboxMail).where(OutboxMail.to_email == "kk@example.kz",
                                                    OutboxMail.kind == "invitation"))).scalar_one()
    assert mail.kind == "invitation"
    assert org.name_kk in mail.subject and "шақыру" in mail.subject
    assert "Aruzhan" in mail.body_text and "әкімші" in mail.body_text


async def test_expired_or_replaced_invitations_cannot_be_used(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    invitee = await make_user(session, email="late@example.kz")
    owner_actor = await actor_of(session, owner)
    await orgs.invite_member(session, owner_actor, org.id, parse_invitation({"email": "late@example.kz"}),
                             base_url=BASE)
    old_token = (await mailed_link(session, "late@example.kz")).rsplit("/", 1)[1]
    await orgs.invite_member(session, owner_actor, org.id, parse_invitation({"email": "late@example.kz"}),
                             base_url=BASE)
    new_token = (await mailed_link(session, "late@example.kz")).rsplit("/", 1)[1]
    with use_language("en"), pytest.raises(Conflict) as exc:
        await orgs.accept_invitation(session, await actor_of(session, invitee), old_token)
    assert "withdrawn" in exc.value.message
    await session.execute(update(Invitation).where(Invitation.organization_id == org.id)
                          .values(expires_at=orgs.utcnow() - timedelta(minutes=1)))
    await session.commit()
    with use_language("en"), pytest.raises(Conflict) as exc:
        await orgs.accept_invitation(session, await actor_of(session, invitee), new_token)
    assert "expired" in exc.value.message
    with pytest.raises(NotFound):
        await orgs.accept_invitation(session, await actor_of(session, invitee), "no-such-token")


async def test_members_cannot_invite_and_members_are_not_invited_twice(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    member = await make_user(session, email="member@example.kz")
    await add_member(session, org, member)
    with pytest.raises(PermissionDenied):
        await orgs.invite_member(session, await actor_of(session, member), org.id,
                                 parse_invitation({"email": "x@example.kz"}), base_url=BASE)
    with pytest.raises(Conflict) as exc:
        await orgs.invite_member(session, await actor_of(session, owner), org.id,
                                 parse_invitation({"email": "member@example.kz"}), base_url=BASE)
    assert "email" in exc.value.errors


async def test_the_last_admin_cannot_be_demoted_removed_or_leave(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    member = await make_user(session)
    await add_member(session, org, member)
    owner_actor = await actor_of(session, owner)
    messages = {}
    for lang in ("en", "ru", "kk"):
        with use_language(lang), pytest.raises(Conflict) as exc:
            await orgs.change_role(session, owner_actor, org.id, owner.id, "member")
        messages[lang] = exc.value.message
    assert messages["en"].startswith("An organization needs at least one administrator")
    assert messages["ru"].startswith("У организации должен быть хотя бы один администратор")
    assert messages["kk"].startswith("Ұйымда кемінде бір әкімші болуы керек")
    with pytest.raises(Conflict):
        await orgs.remove_member(session, owner_actor, org.id, owner.id)  # leaving
    admin = await make_user(session, admin=True)
    with pytest.raises(Conflict):
        await orgs.remove_member(session, await actor_of(session, admin), org.id, owner.id)

    await orgs.change_role(session, owner_actor, org.id, member.id, "admin")
    await orgs.change_role(session, owner_actor, org.id, owner.id, "member")  # now allowed
    await orgs.remove_member(session, await actor_of(session, owner), org.id, owner.id)  # leaves
    roles = (await session.execute(select(Membership.user_id, Membership.role)
                                   .where(Membership.organization_id == org.id))).all()
    assert roles == [(member.id, "admin")]
    assert (await reload(session, owner)).acting_org_id is None  # no longer acts for it
    assert (await audit_actions(session, org.id))[-3:] == ["membership.role_changed", "membership.role_changed",
                                                           "membership.removed"]


async def test_admins_remove_members_and_members_cannot_remove_others(session) -> None:
    owner = await make_user(session)
    org = await make_org(session, owner)
    a, b = await make_user(session), await make_user(session)
    await add_member(session, org, a)
    await add_member(session, org, b)
    with pytest.raises(PermissionDenied):
        await orgs.remove_member(session, await actor_of(session, a), org.id, b.id)
    with pytest.raises(PermissionDenied):
        await orgs.change_role(session, await actor_of(session, a), org.id, a.id, "admin")
    await orgs.remove_member(session, await actor_of(session, owner), org.id, b.id)
    await orgs.remove_member(session, await actor_of(session, a), org.id, a.id)  # a member leaves
    members = await orgs.list_members(session, await actor_of(session, owner), org.id)
    assert [m.user.id for m in members] == [owner.id]
    with pytest.raises(PermissionDenied):
        await orgs.list_members(session, await actor_of(session, a), org.id)
    assert (await audit_actions(session, org.id))[-2:] == ["membership.removed", "membership.removed"]


# ---------------------------------------------------------------- acting for
async def test_acting_for_only_an_organization_one_belongs_to(session) -> None:
    user = await make_user(session)
    mine = await make_org(session, user)
    other_owner = await make_user(session)
    foreign = await make_org(session, other_owner)
    with use_language("en"), pytest.raises(PermissionDenied) as exc:
        await orgs.act_for(session, await actor_of(session, user), foreign.id)
    assert exc.value.message == "You can act only for an organization you are a member of."
    assert (await reload(session, user)).acting_org_id == mine.id
    assert await orgs.act_for(session, await actor_of(session, user), None) is None
    assert (await actor_of(session, user)).sector == "citizen"
    chosen = await orgs.act_for(session, await actor_of(session, user), mine.id)
    assert chosen is not None and chosen.id == mine.id
    with pytest.raises(NotAuthenticated):
        await orgs.act_for(session, ANONYMOUS, mine.id)


# ---------------------------------------------------------------- verification
async def test_platform_admin_verifies_a_government_body(session) -> None:
    owner = await make_user(session)
    body = await make_org(session, owner, "government")
    admin = await make_user(session, admin=True)
    verified = await orgs.verify_organization(session, await actor_of(session, admin), body.id)
    assert verified.verified and verified.verified_by_id == admin.id
    assert (await audit_actions(session, body.id))[-1] == "organization.verified"
    with pytest.raises(Conflict):
        await orgs.verify_organization(session, await actor_of(session, admin), body.id)


async def test_official_verifies_an_ngo_and_a_business(session) -> None:
    official, _body = await make_official(session)
    ngo = await make_org(session, await make_user(session), "ngo")
    company = await make_org(session, await make_user(session), "business")
    for org in (ngo, company):
        await orgs.verify_organization(session, await actor_of(session, official), org.id)
        assert (await reload(session, org)).verified_by_id == official.id
        assert (await audit_actions(session, org.id))[-1] == "organization.verified"


async def test_official_cannot_verify_a_government_body_nor_an_organization_they_belong_to(session) -> None:
    official, body = await make_official(session)
    other_body = await make_org(session, await make_user(session), "government")
    own_ngo = await make_org(session, await make_user(session), "ngo")
    await add_member(session, own_ngo, official)
    with use_language("en"), pytest.raises(PermissionDenied) as exc:
        await orgs.verify_organization(session, await actor_of(session, official), other_body.id)
    assert exc.value.message == "Only the platform administrator verifies government bodies."
    with pytest.raises(PermissionDenied):
        await orgs.verify_organization(session, await actor_of(session, official), own_ngo.id)
    with pytest.raises(PermissionDenied):  # their own body (already verified; not theirs to judge)
        await orgs.verify_organization(session, await actor_of(session, official), body.id)
    # Acting for the NGO instead of the government body makes the person no official at all.
    await orgs.act_for(session, await actor_of(session, official), own_ngo.id)
    other_ngo = await make_org(session, await make_user(session), "ngo")
    with pytest.raises(PermissionDenied):
        await orgs.verify_organization(session, await actor_of(session, official), other_ngo.id)
    assert "organization.verified" not in await audit_actions(session, own_ngo.id)


async def test_citizens_and_members_cannot_verify(session) -> None:
    ngo_owner = await make_user(session)
    ngo = await make_org(session, ngo_owner, "ngo")
    citizen = await make_user(session)
    unverified_body_owner = await make_user(session)
    await make_org(session, unverified_body_owner, "government")  # not verified: not an official
    for person in (citizen, ngo_owner, unverified_body_owner):
        with use_language("en"), pytest.raises(PermissionDenied) as exc:
            await orgs.verify_organization(session, await actor_of(session, person), ngo.id)
        assert exc.value.message == "Only an official of a verified government body may verify organizations."
    with pytest.raises(NotAuthenticated):
        await orgs.verify_organization(session, ANONYMOUS, ngo.id)
    assert not (await reload(session, ngo)).verified


async def test_only_the_admin_revokes_a_verification(session) -> None:
    official, _body = await make_official(session)
    ngo = await make_org(session, await make_user(session), "ngo", verified=True)
    with pytest.raises(PermissionDenied):
        await orgs.revoke_verification(session, await actor_of(session, official), ngo.id)
    admin = await make_user(session, admin=True)
    revoked = await orgs.revoke_verification(session, await actor_of(session, admin), ngo.id, "closed down")
    assert not revoked.verified
    assert (await audit_actions(session, ngo.id))[-1] == "organization.verification_revoked"
    with pytest.raises(Conflict):
        await orgs.revoke_verification(session, await actor_of(session, admin), ngo.id)


async def test_verification_queue_shows_what_each_verifier_may_verify(session) -> None:
    official, body = await make_official(session)
    gov = await make_org(session, await make_user(session), "government")
    ngo = await make_org(session, await make_user(session), "ngo")
    own = await make_org(session, await make_user(session), "business")
    await add_member(session, own, official)
    admin = await make_user(session, admin=True)
    admin_queue = await orgs.list_awaiting_verification(session, await actor_of(session, admin))
    assert {gov.id, ngo.id, own.id} <= {o.id for o in admin_queue.items}
    assert body.id not in {o.id for o in admin_queue.items}
    official_queue = await orgs.list_awaiting_verification(session, await actor_of(session, official))
    assert {o.id for o in official_queue.items} == {ngo.id}
    with pytest.raises(PermissionDenied):
        await orgs.list_awaiting_verification(session, await actor_of(session, await make_user(session)))
