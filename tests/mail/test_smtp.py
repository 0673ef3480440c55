"""Mail goes out over SMTP when a server is configured (a small SMTP server on loopback here)."""

from __future__ import annotations

import asyncio
import email
from email import policy

import pytest

from asar.domains import job_registry
from asar.jobs import JobQueue
from asar.mail.jobs import deliver_mail
from asar.mail.models import OutboxMail


class SmtpSink:
    """Just enough of RFC 5321 for one client: EHLO, MAIL, RCPT, DATA, QUIT; keeps the messages."""

    def __init__(self) -> None:
        self.messages: list[tuple[str, list[str], bytes]] = []

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        async def say(line: str) -> None:
            writer.write(line.encode() + b"\r\n")
            await writer.drain()

        await say("220 sink ESMTP")
        sender, rcpts = "", []
        while line := await reader.readline():
            cmd = line.decode().strip()
            verb = cmd.split(" ", 1)[0].upper()
            if verb in ("EHLO", "HELO"):
                await say("250-sink")
                await say("250 8BITMIME")
            elif verb == "MAIL":
                sender = cmd.split(":", 1)[1].strip()
                await say("250 ok")
            elif verb == "RCPT":
                rcpts.append(cmd.split(":", 1)[1].strip())
                await say("250 ok")
            elif verb == "DATA":
                await say("354 go ahead")
                data = b""
                while (chunk := await reader.readline()) != b".\r\n":
                    data += chunk
                self.messages.append((sender, rcpts, data))
                await say("250 queued")
            elif verb == "QUIT":
                await say("221 bye")
                break
            else:
                await say("250 ok")
        writer.close()


@pytest.mark.sqlite
async def test_outbox_mail_is_sent_over_smtp_once(session, database, settings) -> None:
    sink = SmtpSink()
    server = await asyncio.start_server(sink.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        settings.smtp_host, settings.smtp_port, settings.smtp_tls = "127.0.0.1", port, False
        session.info["jobs"] = JobQueue({"db": database, "settings": settings}, jobs=job_registry().jobs, inline=True)
        mail = OutboxMail(to_email="aigul@example.kz", subject="Растаңыз", body_text="Сәлем!\n", kind="confirm")
        session.add(mail)
        await session.commit()
        ctx = {"db": database, "settings": settings}
        assert await deliver_mail(ctx, mail.id) == "sent"
        assert await deliver_mail(ctx, mail.id) == "already sent"
    finally:
        server.close()
        await server.wait_closed()
    assert len(sink.messages) == 1
    _sender, rcpts, data = sink.messages[0]
    assert rcpts == ["<aigul@example.kz>"]
    msg = email.message_from_bytes(data, policy=policy.default)
    assert msg["Subject"] == "Растаңыз"
    assert msg.get_content().strip() == "Сәлем!"


@pytest.mark.sqlite
async def test_a_failing_smtp_server_keeps_the_mail_for_retry(session, database, settings) -> None:
    settings.smtp_host, settings.smtp_port, settings.smtp_tls = "127.0.0.1", 1, False  # nothing listens
    mail = OutboxMail(to_email="a@example.kz", subject="S", body_text="B", kind="confirm")
    session.add(mail)
    await session.commit()
    with pytest.raises(OSError):
        await deliver_mail({"db": database, "settings": settings}, mail.id)
    await session.refresh(mail)
    assert mail.sent_at is None
    assert mail.attempts == 1
    assert mail.last_error


@pytest.mark.sqlite
async def test_a_reset_link_reaches_the_mailbox_but_is_not_kept(session, database, settings) -> None:
    """The delivered mail opens the account; the outbox row never held the token in clear and
    holds it in no form once sent."""
    from sqlalchemy import select

    from asar.accounts import service
    from tests.factories import make_user

    user = await make_user(session, email="madina@example.kz")
    sink = SmtpSink()
    server = await asyncio.start_server(sink.handle, "127.0.0.1", 0)
    settings.smtp_host, settings.smtp_port, settings.smtp_tls = "127.0.0.1", server.sockets[0].getsockname()[1], False
    queue = JobQueue({"db": database, "settings": settings}, jobs=job_registry().jobs, inline=True)
    session.info["jobs"] = queue
    try:
        held: list[OutboxMail] = []

        async def look_before_delivery(name: str, **kwargs: object) -> None:
            async with database.sessionmaker() as other:
                held.append(await other.get_one(OutboxMail, kwargs["mail_id"]))
            await JobQueue._run(queue, name, kwargs)  # type: ignore[arg-type]

        queue.enqueue = look_before_delivery  # type: ignore[method-assign]
        await service.request_password_reset(session, {"email": user.email}, base_url="http://testserver.local")
    finally:
        server.close()
        await server.wait_closed()
    [(_sender, _rcpts, data)] = sink.messages
    body = email.message_from_bytes(data, policy=policy.default).get_content()
    token = body.split("http://testserver.local/password/reset/", 1)[1].split()[0]
    await service.check_reset_token(session, token)  # the delivered link works

    [queued] = held
    assert token not in queued.body_text and token not in (queued.secrets_sealed or "")
    assert "http://testserver.local/password/reset/⟦hidden:link⟧" in queued.body_text
    assert queued.secrets_sealed  # sealed until sent

    row = (await session.execute(select(OutboxMail).where(OutboxMail.kind == "reset")
                                 .execution_options(populate_existing=True))).scalar_one()
    assert row.sent_at is not None
    assert row.secrets_sealed is None  # nothing left to unseal, with or without the key
    assert token not in row.body_text


@pytest.mark.sqlite
async def test_a_sealed_link_needs_the_secret_key(session, database, settings) -> None:
    from asar.mail.sealing import seal, unseal

    sealed = seal(settings.secret_key, {"link": "abc123"})
    assert "abc123" not in sealed
    assert unseal(settings.secret_key, sealed) == {"link": "abc123"}
    mail = OutboxMail(to_email="a@example.kz", subject="S", body_text="x ⟦hidden:link⟧", kind="reset",
                      secrets_sealed=seal("another key " + "z" * 40, {"link": "abc123"}))
    session.add(mail)
    await session.commit()
    assert await deliver_mail({"db": database, "settings": settings}, mail.id) == "unreadable"
    await session.refresh(mail)
    assert mail.sent_at is None and mail.secrets_sealed is None and "ASAR_SECRET_KEY" in mail.last_error
