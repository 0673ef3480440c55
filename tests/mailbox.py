"""The mail as delivered (to SMTP or the console log), recorded per test by conftest's `mailbox`
fixture: the outbox keeps no single-use link once the mail has gone, so tests read links here."""

from __future__ import annotations

from dataclasses import dataclass


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
