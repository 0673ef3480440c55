"""How notifications leave the platform, wired by the composition root (asar.domains), so that this
package names no domain: the e-mail channel is the mail domain's outbox (`queue_mail`: its single-use
links sealed until delivery), and a person is read from the accounts' table by name."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, Protocol

from sqlalchemy import Table

from asar.db import Base


class Person(Protocol):
    """An account holder as notifications see one (asar.accounts.models.User has these)."""

    id: int
    email: str
    name: str
    language: str
    deleted_at: Any


# queue_mail(db, *, to, template, lang, secrets=None, **context): add one mail to the outbox
Mailer = Callable[..., Awaitable[Any]]
_mailer: list[Mailer] = []


def use_mailer(mailer: Mailer) -> None:
    """The e-mail channel: called once by asar.domains with asar.mail's outbox."""
    _mailer[:] = [mailer]


def mailer() -> Mailer:
    if not _mailer:
        raise RuntimeError("no e-mail channel: import asar.domains, which wires asar.mail's outbox")
    return _mailer[0]


def people_table() -> Table:
    """The accounts' table (its model registers it on the shared metadata)."""
    return Base.metadata.tables["users"]
