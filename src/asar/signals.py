"""Signals: a domain says that something happened; the domains concerned answer in the same transaction.

The sender does not know who listens (accounts does not import hearings); a receiver is an async
function `(db, **details)` of a domain, connected by the composition root (asar.domains). Receivers run in
the sender's transaction, in the order they were connected, and do not commit: the change and
everything the receivers do because of it commit together or not at all.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

Receiver = Callable[..., Awaitable[None]]


class Signal:
    def __init__(self, name: str) -> None:
        self.name = name
        self.receivers: list[Receiver] = []

    def connect(self, receiver: Receiver) -> Receiver:
        """Add a receiver (usable as a decorator); connecting the same function twice keeps one."""
        if receiver not in self.receivers:
            self.receivers.append(receiver)
        return receiver

    async def send(self, db: AsyncSession, **details: Any) -> None:
        for receiver in self.receivers:
            await receiver(db, **details)
