"""Every frame a stream's sockets take is covered by a permission table, for every stream kind the
app serves (asar.domains.stream_kinds), not only hearings: a kind whose connection class takes
frames needs exactly one table (`tests/**/test_frame_permissions*.py`, naming its CONNECTION) with a
row per frame type, and no connection class of the app takes frames without one."""

from __future__ import annotations

from typing import Any

from asar.domains import stream_kinds
from asar.live import NotAllowed, StreamKind
from asar.live.connection import Connection
from asar.settings import Settings
from tests.permission_table import FrameTable, connections_with_frames, frame_tables, uncovered_frames


def test_every_served_stream_kinds_frames_are_in_a_permission_table(tmp_path) -> None:
    kinds = stream_kinds(Settings(data_dir=tmp_path))
    tables = frame_tables()
    assert tables, "no frame permission table found"
    assert uncovered_frames(kinds, tables) == []
    uncovered = connections_with_frames() - {t.connection for t in tables}
    assert sorted(c.__qualname__ for c in uncovered) == [], "a connection class takes frames no table covers"
    with_frames = {k.prefix for k in kinds if k.connection_type().FRAMES}
    assert "hearing" in with_frames  # (the check does see the room's frames)


async def _say(db: Any, conn: Any, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    return {}, False


class TalkConnection(Connection):
    __slots__ = ()
    FRAMES = {"say": ("write", _say), "shout": ("write", _say)}


class TalkKind(StreamKind):
    prefix = "talk"

    async def admit(self, db: Any, actor: Any, ident: Any) -> Any:
        raise NotAllowed

    def connection_type(self) -> type[Connection]:
        return TalkConnection


def test_a_kind_whose_frames_lack_rows_fails_the_check() -> None:
    kinds = [TalkKind()]
    assert uncovered_frames(kinds, []) == ["talk: TalkConnection takes frames, and 0 tables cover it"]
    partial = FrameTable("tests.talk", TalkConnection, frozenset({"ping", "say", "whisper"}))
    assert uncovered_frames(kinds, [partial]) == [
        "talk: frame types without a row in tests.talk: ['shout']",
        "talk: rows in tests.talk for frame types it does not take: ['whisper']"]
    whole = FrameTable("tests.talk", TalkConnection, frozenset({"ping", "say", "shout"}))
    assert uncovered_frames(kinds, [whole]) == []
