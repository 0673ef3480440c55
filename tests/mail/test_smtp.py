"""Mail goes out over SMTP when a server is configured (a small SMTP server on loopback here)."""

from __future__ import annotations

import asyncio
import email
from email import policy

import pytest

from asar.db import commit
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
        session.info["jobs"] = JobQueue({"db": database, "settings": settings}, inline=True)
        mail = OutboxMail(to_email="aigul@example.kz", subject="Растаңыз", body_text="Сәлем!\n", kind="confirm")
        session.add(mail)
        await commit(session)
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
    await commit(session)
    with pytest.raises(OSError):
        await deliver_mail({"db": database, "settings": settings}, mail.id)
    await session.refresh(mail)
    assert mail.sent_at is None
    assert mail.attempts == 1
    assert mail.last_error
