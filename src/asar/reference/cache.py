"""A value read from a few reference tables once per database and process, forgotten when a row of
them changes through the ORM (at once, and again when that transaction ends, committed or rolled
back), as `asar.reference.service` keeps the regions and areas. A change made outside this process
(a migration, SQL by hand) is seen after a restart."""

from __future__ import annotations

import weakref
from collections.abc import Awaitable, Callable
from typing import Any, Generic, TypeVar

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction, object_session

T = TypeVar("T")


class TableCache(Generic[T]):
    """`await cache.get(db)`: load(db)'s result for db's database, read once per process."""

    def __init__(self, name: str, models: tuple[type[Any], ...], load: Callable[[AsyncSession], Awaitable[T]]) -> None:
        self.flag = f"{name}_changed"
        self.load = load
        self._values: weakref.WeakKeyDictionary[Engine, T] = weakref.WeakKeyDictionary()
        self._generation = 0  # bumped by every change: a read that overlapped one is not kept
        for model in models:
            for name_ in ("after_insert", "after_update", "after_delete"):
                event.listen(model, name_, self._changed)
        event.listen(Session, "after_transaction_end", self._transaction_ended)

    def forget(self) -> None:
        self._generation += 1
        self._values.clear()

    async def get(self, db: AsyncSession) -> T:
        engine = db.sync_session.get_bind().engine
        value = self._values.get(engine)
        if value is None:
            generation = self._generation
            value = await self.load(db)
            if generation == self._generation and not db.sync_session.info.get(self.flag):
                self._values[engine] = value
        return value

    def _changed(self, _mapper: Any, _connection: Any, target: Any) -> None:
        self.forget()
        session = object_session(target)
        if session is not None:
            session.info[self.flag] = True

    def _transaction_ended(self, session: Session, transaction: SessionTransaction) -> None:
        if session.info.get(self.flag):
            self.forget()
            if transaction.parent is None:
                del session.info[self.flag]
