"""The browser face's snapshot is the stream kind's (StreamKind.render_snapshot), for any kind and
the generic Connection: no domain needs a Connection subclass to show its stream afresh."""

from __future__ import annotations

from typing import Any

from tests.live.world import world


async def test_an_html_socket_gets_the_kinds_rendered_snapshot_for_its_view() -> None:
    async with world(auth_ttl=0.0) as w:
        calls: list[tuple[Any, str, str, int | None]] = []

        async def render_snapshot(hub: Any, db: Any, ident: Any, access: Any, variant: str, lang: str,
                                  since: int | None) -> tuple[str, int]:
            calls.append((ident, variant, lang, since))
            seq = len(w.kind.logs.get(ident, []))
            return f'<p id="note-{ident}" hx-swap-oob="true">{variant} at {seq}</p>', seq

        w.kind.render_snapshot = render_snapshot  # type: ignore[method-assign]
        w.kind.readers[1] = {7: True, 8: False}
        w.identity.tokens = {"ann": 7, "bob": 8}
        await w.publish(1, "note.edited", {"text": "first"})
        ann = w.open(1, "ann", query={"format": "html", "since": "0"})
        assert await ann.next() == '<p id="note-1" hx-swap-oob="true">privileged at 1</p>'
        bob = w.open(1, "bob", query={"format": "html"})
        assert await bob.next() == '<p id="note-1" hx-swap-oob="true">reader at 1</p>'
        assert calls == [(1, "privileged", "en", 0), (1, "reader", "en", None)]

        # ann loses the privileged view: her socket is shown the stream afresh, through the same hook
        w.kind.readers[1][7] = False
        await w.publish(1, "note.shared", {}, {"user_id": 7})
        assert await ann.until(lambda f: isinstance(f, str) and "reader" in f) == \
            '<p id="note-1" hx-swap-oob="true">reader at 2</p>'


async def test_a_kind_without_a_browser_face_sends_its_json_snapshot() -> None:
    async with world() as w:
        w.kind.readers[1] = {7: False}
        w.identity.tokens = {"ann": 7}
        ann = w.open(1, "ann", query={"format": "html"})
        assert await ann.next() == {"type": "snapshot", "stream": "note:1", "seq": 0}
