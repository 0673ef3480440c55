"""A Server-Sent Events client that calls the ASGI app directly, in the test's event loop (as
tests/permission_table.py's AsgiSocket does for sockets), so the stream's sessions share the table
case's connection: `/sse/...` read message by message, without a server."""

from __future__ import annotations

import asyncio
import json
from contextlib import suppress
from typing import Any


class AsgiSse:
    def __init__(self, app: Any, path: str, headers: dict[str, str] | None = None) -> None:
        target, _, query = path.partition("?")
        hdrs = {"host": "testserver.local", "accept": "text/event-stream",
                **{k.lower(): v for k, v in (headers or {}).items()}}
        self.scope = {
            "type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "GET", "scheme": "http",
            "path": target, "raw_path": target.encode(), "root_path": "", "query_string": query.encode(),
            "headers": [(k.encode(), v.encode()) for k, v in hdrs.items()],
            "client": ("127.0.0.1", 50001), "server": ("testserver.local", 80), "state": {}, "extensions": {},
        }
        self.app = app
        self.chunks: asyncio.Queue[dict[str, Any]] = asyncio.Queue()
        self.gone = asyncio.Event()
        self.status: int | None = None
        self.buffer = ""
        self.task: asyncio.Task[Any] | None = None
        self.ended = False
        self._requested = False

    async def _receive(self) -> dict[str, Any]:
        if not self._requested:
            self._requested = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await self.gone.wait()
        return {"type": "http.disconnect"}

    async def open(self) -> AsgiSse:
        self.task = asyncio.ensure_future(self.app(self.scope, self._receive, self.chunks.put))
        start = await asyncio.wait_for(self.chunks.get(), 10)
        assert start["type"] == "http.response.start", start
        self.status = start["status"]
        return self

    async def body(self) -> str:
        """The whole body of a response that ends (a refusal)."""
        out = []
        while True:
            chunk = await asyncio.wait_for(self.chunks.get(), 10)
            out.append(chunk.get("body", b"").decode())
            if not chunk.get("more_body"):
                return "".join(out)

    async def message(self, wait: float = 10.0) -> dict[str, Any]:
        """The next message that is not a comment: {"id", "event", "data"} (data parsed when JSON)."""
        while True:
            while "\n\n" not in self.buffer:
                chunk = await asyncio.wait_for(self.chunks.get(), wait)
                self.buffer += chunk.get("body", b"").decode()
                if not chunk.get("more_body", False) and "\n\n" not in self.buffer:
                    self.ended = True
                    raise EOFError("the stream ended")
            block, self.buffer = self.buffer.split("\n\n", 1)
            msg: dict[str, Any] = {"id": None, "event": None}
            data = []
            for line in block.split("\n"):
                if not line or line.startswith(":"):
                    continue
                field, _, value = line.partition(":")
                value = value.removeprefix(" ")
                if field == "data":
                    data.append(value)
                elif field in ("id", "event"):
                    msg[field] = value
            if not data:
                continue  # retry: or a comment
            text = "\n".join(data)
            msg["data"] = json.loads(text) if text[:1] == "{" else text
            return msg

    async def close(self) -> None:
        self.gone.set()
        if self.task is not None:
            with suppress(asyncio.CancelledError, Exception):
                await asyncio.wait_for(self.task, 10)
            self.task = None


async def joined(hub: Any, key: str, readers: int) -> None:
    """Until the stream's feed holds that many readers (one that is sent nothing says nothing; the
    sessions of a table case share one connection, so wait before writing)."""
    for _ in range(2000):
        feed = hub.feeds.get(key)
        if feed is not None and len(feed.conns) >= readers:
            return
        await asyncio.sleep(0.001)
    raise AssertionError(f"no {readers} readers on {key}")
