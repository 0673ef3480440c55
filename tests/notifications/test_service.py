"""asar.notifications: told once per (person, key) however often a job runs, the channels each person
chose per kind, the daily digest, links built by the router, and the domains that moved onto it
(hearing reminders, commitment changes, invitations, verification notices)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from asar.db import utcnow
from asar.errors import NotFound
from asar.hearings import commitments, reminders, service
from asar.hearings.models import Hearing
from asar.i18n import use_language
from asar.mail.models import OutboxMail
from asar.notifications import kinds
from asar.notifications import service as notifications
from asar.notifications.models import Notification
from asar.organizations import notices
from asar.organizations import service as orgs
from asar.organizations.forms import InvitationInput
from asar.organizations.models import Organization
from tests.factories import BASE_URL, actor_for, make_user
from tests.hearings.helpers import live_hearing, person, registered, scheduled_hearing
from tests.hearings.helpers import make_org as bare_org
from tests.organizations.helpers import actor_of, add_member, make_official, make_org

pytestmark = pytest.mark.sqlite


async def _mails(session, kind: str) -> list[OutboxMail]:
    await session.commit()
    return list((await session.execute(select(OutboxMail).where(OutboxMail.kind == kind)
                                       .order_by(OutboxMail.id))).scalars())


async def _rows(session, user_id: int, kind: str | None = None) -> list[Notification]:
    await session.commit()
    q = select(Notification).where(Notification.user_id == user_id).order_by(Notification.id)
    if kind:
        q = q.where(Notification.kind == kind)
    return list((await session.execute(q.execution_options(populate_existing=True))).scalars())


async def _tell(session, org: Organization, people, key: str = "verified:1") -> list[Notification]:
    created = await notifications.notify(
        session, notices.VERIFIED.name, people, key=key, base_url=BASE_URL,
        params={"organization_id": org.id, "organization": notices.names_of(org)},
        mail=lambda p: {"person": p.name, "organization": org, "sector": org.sector})
    await session.commit()
    return created


async def test_a_retried_notify_tells_each_person_once(session) -> None:
    a, b = await make_user(session), await make_user(session)
    org = await bare_org(session, "ngo")
    assert len(await _tell(session, org, [a, b])) == 2
    assert await _tell(session, org, [a, b]) == []  # the job ran again: nothing new, no mail
    assert len(await _tell(session, org, [b, a, a])) == 0
    assert [len(await _rows(session, u.id)) for u in (a, b)] == [1, 1]
    assert sorted(m.to_email for m in await _mails(session, "organization_verified")) == sorted([a.email, b.email])
    # another event of the same kind is another notification
    assert len(await _tell(session, org, [a], key="verified:2")) == 1


async def test_the_database_refuses_a_second_row_for_the_same_person_and_key(session) -> None:
    a = await make_user(session)
    session.add(Notification(user_id=a.id, kind="organization_verified", dedupe_key="k", params={}))
    await session.commit()
    session.add(Notification(user_id=a.id, kind="organization_verified", dedupe_key="k", params={}))
    with pytest.raises(IntegrityError):
        await session.commit()
    await session.rollback()


async def test_defaults_are_in_app_and_mail_at_once(session) -> None:
    a = await make_user(session)
    org = await bare_org(session, "ngo", name="Green World")
    await _tell(session, org, [a])
    [row] = await _rows(session, a.id)
    assert row.in_app and row.email_state == "sent" and row.read_at is None
    assert await notifications.count_unread(session, a.id) == 1
    with use_language("en"):
        assert notifications.text_of(row) == "Green World has been verified on ASAR."
    assert notifications.path_of(row) == f"/organizations/{org.id}"  # built by the router
    [mail] = await _mails(session, "organization_verified")
    assert f"{BASE_URL}/organizations/{org.id}" in mail.body_text


async def test_preferences_turn_each_channel_off(session) -> None:
    quiet, nomail, noapp = await make_user(session), await make_user(session), await make_user(session)
    kind = notices.VERIFIED.name
    await notifications.set_preference(session, actor_for(quiet), kind, in_app=False, email="never")
    await notifications.set_preference(session, actor_for(nomail), kind, email="never")
    await notifications.set_preference(session, actor_for(noapp), kind, in_app=False)
    await _tell(session, await bare_org(session, "ngo"), [quiet, nomail, noapp])
    assert [m.to_email for m in await _mails(session, kind)] == [noapp.email]
    assert [await notifications.count_unread(session, u.id) for u in (quiet, nomail, noapp)] == [0, 1, 0]
    # a notification kept out of the inbox is still recorded: a retry does not mail it either
    assert [len(await _rows(session, u.id)) for u in (quiet, nomail, noapp)] == [1, 1, 1]
    rows, total = await notifications.list_notifications(session, actor_for(noapp))
    assert (rows, total) == ([], 0)
    prefs = {p.kind.name: p for p in await notifications.preferences(session, actor_for(quiet))}
    assert (prefs[kind].in_app, prefs[kind].email) == (False, "never")
    assert (prefs["hearing_reminder"].in_app, prefs["hearing_reminder"].email) == (True, "immediately")


async def test_a_kind_whose_mail_holds_the_link_is_always_mailed(session) -> None:
    owner = await make_user(session)
    invitee = await make_user(session, email="invitee@example.kz")
    await notifications.set_preference(session, actor_for(invitee), notices.INVITATION.name, email="never")
    prefs = {p.kind.name: p for p in await notifications.preferences(session, actor_for(invitee))}
    assert prefs["invitation"].email == "immediately" and prefs["invitation"].kind.email_fixed
    org = await make_org(session, owner, "ngo")
    await orgs.invite_member(session, await actor_of(session, owner), org.id,
                             InvitationInput(email=invitee.email, role="member"), base_url=BASE_URL)
    [mail] = await _mails(session, "invitation")
    assert mail.to_email == invitee.email


async def test_unknown_preferences_are_refused(session) -> None:
    a = await make_user(session)
    with pytest.raises(NotFound):
        await notifications.set_preference(session, actor_for(a), "no_such_kind", in_app=False)
    from asar.errors import Invalid

    with pytest.raises(Invalid):
        await notifications.set_preference(session, actor_for(a), "hearing_reminder", email="hourly")


async def test_the_daily_digest_gathers_what_waited_and_goes_once(session) -> None:
    a, b = await make_user(session, language="ru"), await make_user(session)
    for u in (a, b):
        await notifications.set_preference(session, actor_for(u), notices.VERIFIED.name, email="daily")
    first, second = await bare_org(session, "ngo", name="First NGO"), await bare_org(session, "ngo", name="Second NGO")
    await _tell(session, first, [a, b], key="v:1")
    await _tell(session, second, [a], key="v:2")
    assert await _mails(session, "organization_verified") == []  # nothing at once
    assert await notifications.send_digests(session, BASE_URL) == 2
    assert await notifications.send_digests(session, BASE_URL) == 0  # the job ran again: nothing new
    digests = {m.to_email: m for m in await _mails(session, "notification_digest")}
    assert set(digests) == {a.email, b.email}
    body = digests[a.email].body_text
    assert "First NGO" in body and "Second NGO" in body
    assert f"{BASE_URL}/organizations/{first.id}" in body and f"{BASE_URL}/notifications/preferences" in body
    assert "2" in digests[a.email].subject and "уведомлени" in digests[a.email].subject  # in Russian
    assert {n.email_state for n in await _rows(session, a.id)} == {"digested"}
    # still in the inbox: the digest is a channel, not a read receipt
    assert await notifications.count_unread(session, a.id) == 2


async def test_a_person_reads_and_marks_only_their_own(session) -> None:
    a, b = await make_user(session), await make_user(session)
    org = await bare_org(session, "ngo")
    [na, nb] = await _tell(session, org, [a, b])
    with pytest.raises(NotFound):
        await notifications.mark_read(session, actor_for(a), nb.id)
    with pytest.raises(NotFound):
        await notifications.get_own(session, actor_for(a), 10**30)
    assert (await notifications.mark_read(session, actor_for(a), na.id)).read_at is not None
    assert await notifications.count_unread(session, a.id) == 0
    assert await notifications.count_unread(session, b.id) == 1
    await _tell(session, org, [a], key="k2")
    await _tell(session, org, [a], key="k3")
    assert await notifications.mark_all_read(session, actor_for(a)) == 2
    assert await notifications.mark_all_read(session, actor_for(a)) == 0
    assert await notifications.count_unread(session, b.id) == 1


def test_every_kind_has_a_mail_template_and_a_route() -> None:
    import asar.domains  # noqa: F401  (the app's and the worker's kinds)
    from asar import ROOT_DIR
    from asar.web.urls import path_for

    names = {k.name for k in kinds.all_kinds()}
    assert {"hearing_reminder", "hearing_commitment", "invitation", "organization_verified",
            "organization_verification_withdrawn"} <= names
    class AnyIds(dict):  # every kind's link finds the ids it names (hearing_id, pledge_id, ...)
        def __missing__(self, key: str) -> int:
            return 1

        def get(self, key: str, default: Any = None) -> Any:
            return self[key]

    sample = AnyIds()
    for kind in kinds.all_kinds():
        assert (ROOT_DIR / "templates" / "mail" / f"{kind.name}.txt").exists(), kind.name
        route, params = kind.link(sample)
        assert path_for(route, **params).startswith("/")


# ---------------------------------------------------------------- the domains that moved onto it
async def test_hearing_reminders_arrive_in_app_too(session, database, settings) -> None:
    _, official = await person(session, "government")
    hearing = await scheduled_hearing(session, official, title="Budget hearing")
    user, _ = await registered(session, hearing, "citizen")
    await session.execute(Hearing.__table__.update().where(Hearing.id == hearing.id)
                          .values(starts_at=utcnow() + timedelta(minutes=40)))
    await session.commit()
    assert await reminders.send_due_reminders({"db": database, "settings": settings}) == 1
    [row] = await _rows(session, user.id, "hearing_reminder")
    assert row.dedupe_key == f"hearing_reminder:{hearing.id}:1h"
    with use_language("en"):
        assert notifications.text_of(row).startswith("The hearing «Budget hearing» starts in one hour.")
    assert notifications.path_of(row) == f"/hearings/{hearing.id}"
    [mail] = await _mails(session, "hearing_reminder")
    assert f"{settings.base_url}/hearings/{hearing.id}/room" in mail.body_text


async def test_a_commitment_change_arrives_in_app_for_each_participant(session) -> None:
    _, chair = await person(session, "government")
    hearing = await live_hearing(session, chair, title="Parks")
    ngo = await bare_org(session, "ngo", name="Tree NGO")
    people = [(await registered(session, hearing, s))[0] for s in ("citizen", "business")]
    await service.close_hearing(session, chair, hearing.id)
    c = await commitments.add_commitment(session, chair, hearing.id,
                                         commitments.CommitmentInput("Plant 100 trees", ngo.id, date(2031, 6, 1)))
    change = await commitments.change_status(session, chair, hearing.id, c.id, "in_progress", "Started")
    for u in people:
        [row] = await _rows(session, u.id, "hearing_commitment")
        assert row.dedupe_key == f"hearing_commitment:{change.id}"
        with use_language("en"):
            text = notifications.text_of(row)
        assert "«Parks»" in text and "open → in progress" in text and "Plant 100 trees" in text
        assert notifications.path_of(row) == f"/hearings/{hearing.id}/minutes"


async def test_verification_notices_reach_the_administrators_in_app(session) -> None:
    official, _body = await make_official(session)
    owner = await make_user(session)
    member = await make_user(session)
    org = await make_org(session, owner, "ngo")
    await add_member(session, org, member)
    await orgs.verify_organization(session, await actor_of(session, official), org.id, base_url=BASE_URL)
    [row] = await _rows(session, owner.id, "organization_verified")
    assert await _rows(session, member.id) == []  # administrators only
    assert notifications.path_of(row) == f"/organizations/{org.id}"
    admin = await make_user(session, admin=True)
    await orgs.revoke_verification(session, await actor_of(session, admin), org.id, "documents expired",
                                   base_url=BASE_URL)
    [withdrawn] = await _rows(session, owner.id, "organization_verification_withdrawn")
    with use_language("en"):
        assert notifications.text_of(withdrawn).endswith("Reason: documents expired")


async def test_an_invitation_shows_in_app_without_its_link(session) -> None:
    owner = await make_user(session, name="Owner")
    invitee = await make_user(session, email="has-account@example.kz")
    org = await make_org(session, owner, "ngo")
    await orgs.invite_member(session, await actor_of(session, owner), org.id,
                             InvitationInput(email=invitee.email, role="admin"), base_url=BASE_URL)
    await orgs.invite_member(session, await actor_of(session, owner), org.id,
                             InvitationInput(email="no-account@example.kz", role="member"), base_url=BASE_URL)
    [row] = await _rows(session, invitee.id, "invitation")
    with use_language("en"):
        assert notifications.text_of(row).startswith("Owner invites you to join Green World as an administrator.")
    assert "token" not in str(row.params) and "/invitations/" not in str(row.params)
    assert notifications.path_of(row) == f"/organizations/{org.id}"
    # someone without an account: the mail alone
    assert (await session.execute(select(func.count()).select_from(Notification)
                                  .where(Notification.kind == "invitation"))).scalar_one() == 1
    assert sorted(m.to_email for m in await _mails(session, "invitation")) == sorted(
        ["has-account@example.kz", "no-account@example.kz"])


def test_the_digest_is_a_daily_scheduled_job() -> None:
    from asar.domains import job_registry

    registry = job_registry()
    [digest] = [s for s in registry.schedules if s.job == "send_notification_digests"]
    assert registry.jobs["send_notification_digests"] is notifications.send_notification_digests
    assert dict(digest.cron) == {"hour": 2, "minute": 0, "second": 0}  # 07:00 in Almaty
    assert digest.every_seconds == 24 * 3600 and not digest.run_at_startup


async def test_a_deleted_account_loses_its_notifications_and_gets_no_digest(session) -> None:
    from asar.accounts import service as accounts
    from asar.notifications.models import NotificationPreference
    from tests.factories import PASSWORD

    gone, stays = await make_user(session), await make_user(session)
    await notifications.set_preference(session, actor_for(gone), notices.VERIFIED.name, email="daily")
    await _tell(session, await bare_org(session, "ngo"), [gone, stays])
    await accounts.delete_account(session, actor_for(gone), {"password": PASSWORD})
    assert await _rows(session, gone.id) == [] and len(await _rows(session, stays.id)) == 1
    left = (await session.execute(select(func.count()).select_from(NotificationPreference)
                                  .where(NotificationPreference.user_id == gone.id))).scalar_one()
    assert left == 0
    assert await notifications.send_digests(session, BASE_URL) == 0
