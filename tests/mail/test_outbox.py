"""The outbox page: the admin reads every queued mail and its delivery state; nobody else does."""

from __future__ import annotations

import pytest

from asar.accounts.sessions import COOKIE, open_session
from asar.db import utcnow
from asar.mail.models import OutboxMail
from asar.uow import unit_of_work
from tests.factories import make_user

pytestmark = pytest.mark.sqlite


async def sign_in(client, session, user) -> None:
    token = await open_session(session, user, days=1)
    await session.commit()
    client.cookies.set(COOKIE, token)


async def test_admin_sees_the_outbox(client, session) -> None:
    admin = await make_user(session, admin=True)  # registering mailed them a confirmation link
    session.add_all([
        OutboxMail(to_email="dana@example.kz", subject="Confirm your address", kind="confirm",
                   body_text="Open https://asar.example/confirm/abc <to confirm>", sent_at=utcnow(), attempts=1),
        OutboxMail(to_email="erlan@example.kz", subject="Reset your password", kind="reset",
                   body_text="Reset it here", attempts=3, last_error="SMTP 451 try later"),
    ])
    await session.commit()
    await sign_in(client, session, admin)

    r = await client.get("/admin/mail", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert "3 messages" in r.text
    assert "dana@example.kz" in r.text and "erlan@example.kz" in r.text
    own = r.text.split(f"<td>{admin.email}</td>")[1].split("</tr>")[0]  # delivered by the in-process job
    assert "E-mail confirmation" in own and "Sent" in own and "1 attempt" in own
    assert "<summary>Confirm your address</summary>" in r.text
    assert "&lt;to confirm&gt;" in r.text  # the body is escaped, inside <details>
    assert "E-mail confirmation" in r.text and "Password reset" in r.text
    assert "3 attempts" in r.text and "SMTP 451 try later" in r.text
    assert "Failed, will retry" in r.text

    admin.language = "ru"
    await session.commit()
    r = await client.get("/admin/mail")
    assert "Отправленные письма" in r.text
    assert "Сброс пароля" in r.text


async def test_non_admins_get_403(client, session) -> None:
    user = await make_user(session)
    await sign_in(client, session, user)
    r = await client.get("/admin/mail", headers={"accept-language": "en"})
    assert r.status_code == 403


async def test_anonymous_is_sent_to_sign_in(client) -> None:
    r = await client.get("/admin/mail")
    assert r.status_code == 303
    assert r.headers["location"].startswith("/sign-in?next=/admin/mail")


async def test_the_outbox_page_masks_single_use_links_and_links_the_rest(client, session) -> None:
    """After delivery neither the stored row nor the admin page holds a usable token; plain links
    (a hearing's page) are clickable."""
    from sqlalchemy import select

    from asar.mail.service import queue_mail
    from tests.mailbox import delivered_to

    admin = await make_user(session, admin=True)
    async with unit_of_work(session):
        await queue_mail(session, to="aigul@example.kz", template="reset", lang="en", name="Aigul",
                         secrets={"link": "http://testserver.local/password/reset/SECRETtoken123"})
        session.add(OutboxMail(to_email="b@example.kz", subject="Reminder", kind="hearing_reminder",
                               body_text="The hearing page:\nhttp://testserver.local/hearings/7.\n", sent_at=utcnow()))
    [delivered] = delivered_to("aigul@example.kz")
    assert "http://testserver.local/password/reset/SECRETtoken123" in delivered.body_text

    rows = (await session.execute(select(OutboxMail).execution_options(populate_existing=True))).scalars().all()
    assert all("SECRETtoken123" not in (r.body_text + (r.secrets_sealed or "")) for r in rows)
    own = (await session.execute(select(OutboxMail).where(OutboxMail.to_email == admin.email))).scalar_one()
    assert own.sent_at is not None and own.secrets_sealed is None and "/confirm/⟦hidden:link⟧" in own.body_text

    await sign_in(client, session, admin)
    r = await client.get("/admin/mail", headers={"accept-language": "en"})
    assert r.status_code == 200
    assert "SECRETtoken123" not in r.text and "hidden:link" not in r.text
    assert "http://testserver.local/password/reset/••••••" in r.text
    assert 'href="http://testserver.local/password/reset' not in r.text
    assert 'href="http://testserver.local/confirm' not in r.text
    assert '<a href="http://testserver.local/hearings/7" rel="noopener noreferrer nofollow">' in r.text
