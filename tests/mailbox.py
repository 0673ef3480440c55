"""The mail as delivered (to SMTP or the console log), recorded per test by conftest's `mailbox`
fixture: the outbox keeps no single-use link once the mail has gone, so tests read links here."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Delivered:
    mail_id: int
    to_email: str
    subject: str
    body_text: str
    kind: str


DELIVERED: list[Delivered] = []


def delivered_to(email: str, kind: str | None = None) -> list[Delivered]:
    """Mail delivered to email (of this kind), oldest first."""
    return [m for m in DELIVERED if m.to_email == email and (kind is None or m.kind == kind)]


@contextmanager
def recording() -> Iterator[list[Delivered]]:
    """Record every mail delivered inside the block (after the real transmission) in DELIVERED; used
    by conftest's `mailbox` fixture and by benchmarks that build their data with the test factories."""
    from asar.mail import jobs

    real = jobs.transmit

    async def transmit(settings: Any, mail: Any, body: str) -> None:
        await real(settings, mail, body)
        DELIVERED.append(Delivered(mail.id, mail.to_email, mail.subject, body, mail.kind))

    DELIVERED.clear()
    jobs.transmit = transmit  # type: ignore[assignment]
    try:
        yield DELIVERED
    finally:
        jobs.transmit = real  # type: ignore[assignment]
