"""The unit of work: the one way a verb runs in a transaction (Zulip's `transaction.atomic` with
`send_event_on_commit`; Polar's jobs dropped on rollback).

    @atomic
    async def close_hearing(db, actor, hearing_id): ...   # or: async with unit_of_work(db): ...

- Nestable: a verb called inside another joins the outer unit; only the outermost commits.
- `after_commit(db, callback)` runs callback once the outermost unit has committed; a unit that
  rolls back (an exception, or `db.rollback()`) drops the callbacks registered in it.
- Each callback is isolated: one that fails is logged and the others still run; the change is
  stored by then, so a failing callback never turns it into an error for the caller.
- A unit left by an exception rolls back what it wrote. One that wrote nothing yet (a permission
  or input check failed) leaves the session as it is: a rollback would expire every loaded object,
  which an async session cannot reload lazily, and the error page still shows the person.
- `raise keep_changes(db, error)`: a refusal that is stored all the same (a failed sign-in counts
  towards the lock-out); the unit commits, runs its callbacks, then the error goes on.
- A nested verb that fails after writing dooms the whole unit (there is no savepoint to undo only
  its part): the outermost rolls back even if the caller caught the error. One that fails before
  writing only drops its own callbacks, and the caller may go on.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, ParamSpec, TypeVar

import structlog
from sqlalchemy import event
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session, SessionTransaction

log = structlog.get_logger("asar.uow")

UNIT_KEY = "asar.uow"
Hook = Callable[[], Any]
P = ParamSpec("P")
R = TypeVar("R")


class UnitDoomed(RuntimeError):
    """A nested verb failed after writing and its caller went on: the whole unit was rolled back."""


@dataclass
class _Unit:
    hooks: list[Hook] = field(default_factory=list)
    writes: int = 0  # flushes that wrote and DML statements run in this unit
    doomed: bool = False
    kept: BaseException | None = None  # the error raised after committing (keep_changes)


def _unit(db: AsyncSession | Session) -> _Unit | None:
    return db.info.get(UNIT_KEY)


def in_unit(db: AsyncSession) -> bool:
    """Whether db is inside a unit of work (a verb runs within another)."""
    return _unit(db) is not None


def after_commit(db: AsyncSession, callback: Hook) -> None:
    """Run callback (sync or async) once the current unit of work commits; dropped on rollback."""
    unit = _unit(db)
    if unit is None:
        raise RuntimeError("after_commit outside a unit of work (run the verb with asar.uow.atomic)")
    unit.hooks.append(callback)


E = TypeVar("E", bound=BaseException)


def keep_changes(db: AsyncSession, error: E) -> E:
    """The error, marked to be raised only after the unit commits what it wrote: `raise keep_changes(db, e)`."""
    unit = _unit(db)
    if unit is None:
        raise RuntimeError("keep_changes outside a unit of work")
    unit.kept = error
    return error


def _has_pending(db: AsyncSession) -> bool:
    return bool(db.new or db.dirty or db.deleted)


@asynccontextmanager
async def unit_of_work(db: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Run the block in db's transaction: the outermost unit commits, then runs its callbacks."""
    if _has_pending(db):  # changes made before the unit are not counted as its own writes
        await db.flush()
    unit = _unit(db)
    if unit is not None:
        async with _nested(db, unit):
            yield db
        return
    unit = db.info[UNIT_KEY] = _Unit()
    refusal: BaseException | None = None
    try:
        try:
            yield db
        except BaseException as error:
            if error is not unit.kept or unit.doomed:
                raise
            refusal = error
        if unit.doomed:
            raise UnitDoomed("a nested verb failed after writing; nothing was stored")
        await db.commit()
    except BaseException:
        db.info.pop(UNIT_KEY, None)
        if unit.doomed or unit.writes or _has_pending(db) or not db.is_active:
            await db.rollback()
        raise
    db.info.pop(UNIT_KEY, None)
    await _run_hooks(unit.hooks)
    if refusal is not None:
        raise refusal


@asynccontextmanager
async def _nested(db: AsyncSession, unit: _Unit) -> AsyncIterator[None]:
    hooks, writes = len(unit.hooks), unit.writes
    try:
        yield
    except BaseException as error:
        if error is unit.kept:
            raise
        del unit.hooks[hooks:]
        if unit.writes != writes or _has_pending(db):
            unit.doomed = True
        raise


def atomic(verb: Callable[P, Awaitable[R]]) -> Callable[P, Awaitable[R]]:
    """Run the verb (whose first argument is the session) in a unit of work."""

    @functools.wraps(verb)
    async def run(*args: P.args, **kwargs: P.kwargs) -> R:
        db = args[0] if args else kwargs["db"]
        async with unit_of_work(db):  # type: ignore[arg-type]
            return await verb(*args, **kwargs)

    return run


async def _run_hooks(hooks: list[Hook]) -> None:
    for hook in hooks:
        try:
            result = hook()
            if inspect.isawaitable(result):
                await result
        except Exception:
            # the change is stored: a failing follow-up (publish, queue a job) is logged, never raised
            log.exception("after-commit callback failed", callback=getattr(hook, "__qualname__", repr(hook)))


# ---------------------------------------------------------------- what the session tells the unit
@event.listens_for(Session, "after_flush")
def _flushed(session: Session, _context: Any) -> None:
    unit = _unit(session)
    if unit is not None:
        unit.writes += 1


@event.listens_for(Session, "do_orm_execute")
def _executed(state: Any) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        unit = _unit(state.session)
        if unit is not None:
            unit.writes += 1


@event.listens_for(Session, "after_soft_rollback")
def _rolled_back(session: Session, previous: SessionTransaction) -> None:
    """A rollback inside a unit (a verb retrying after an IntegrityError) drops its callbacks."""
    unit = _unit(session)
    if unit is not None and previous.parent is None:
        unit.hooks.clear()
        unit.writes = 0
