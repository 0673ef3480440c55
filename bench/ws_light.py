"""Thousands of receive-only WebSocket readers on one asyncio loop, as light as a client can be.

Used by bench/hearing_broadcast.py, for ASAR and the bare channels app alike. Each reader is a
bare `asyncio.Protocol`: it writes the upgrade request itself and parses the server's (unmasked)
frames in `data_received`, so a frame costs one callback and no task wake-up, no queue and no
JSON parsing (the `websockets` client wakes one reader task per frame and socket, which on a
2-core machine made the client a large part of the measured latency). A frame's arrival is
stamped with time.monotonic() (CLOCK_MONOTONIC, one clock for all processes on Linux) once per
`data_received` call. Event frames are checked for gaps in seq as in bench/ws_clients.py.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

from bench.ws_clients import event_seq_and_type

KEY = "dGhlIHNhbXBsZSBub25jZQ=="  # the server does not care which key; we do not check its answer
PING = b"\x81\x8f\0\0\0\0" + b'{"type":"ping"}'  # a masked (zero key) text frame


class LightReader(asyncio.Protocol):
    __slots__ = ("buf", "closed", "events", "expect_hello", "gaps", "last_seq", "on_text", "ready", "request",
                 "transport", "upgraded")

    def __init__(self, request: bytes, on_text: Callable[[str, float], None], ready: asyncio.Future[None],
                 since: int | None, expect_hello: bool) -> None:
        self.request = request
        self.on_text = on_text
        self.ready = ready
        self.expect_hello = expect_hello
        self.transport: asyncio.Transport | None = None
        self.buf = b""
        self.upgraded = False
        self.closed: int | None = None  # close code, once closed
        self.last_seq = since
        self.events = 0
        self.gaps = 0

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = transport  # type: ignore[assignment]
        transport.write(self.request)  # type: ignore[attr-defined]

    def connection_lost(self, exc: Exception | None) -> None:
        if self.closed is None:
            self.closed = 1006
        if not self.ready.done():
            self.ready.set_exception(ConnectionError(f"closed before ready ({self.closed})"))

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        buf = self.buf + data if self.buf else data
        if not self.upgraded:
            end = buf.find(b"\r\n\r\n")
            if end < 0:
                self.buf = buf
                return
            if not buf.startswith(b"HTTP/1.1 101"):
                self.ready.set_exception(ConnectionError(buf[:end].split(b"\r\n")[0].decode(errors="replace")))
                self.transport.close()  # type: ignore[union-attr]
                return
            self.upgraded = True
            if not self.expect_hello:
                self.ready.set_result(None)
            buf = buf[end + 4:]
        pos, size = 0, len(buf)
        while size - pos >= 2:
            length = buf[pos + 1] & 0x7F
            head = 2
            if length == 126:
                if size - pos < 4:
                    break
                length, head = int.from_bytes(buf[pos + 2:pos + 4], "big"), 4
            elif length == 127:
                if size - pos < 10:
                    break
                length, head = int.from_bytes(buf[pos + 2:pos + 10], "big"), 10
            if size - pos < head + length:
                break
            opcode = buf[pos] & 0x0F
            payload = buf[pos + head:pos + head + length]
            pos += head + length
            if opcode == 1:
                self._text(payload.decode(), now)
            elif opcode == 8:
                self.closed = int.from_bytes(payload[:2], "big") if len(payload) >= 2 else 1005
                self.transport.close()  # type: ignore[union-attr]
                return
            elif opcode == 9:
                # the pong carries the ping's data (uvicorn's keepalive checks it); masked, zero key
                self.transport.write(bytes((0x8A, 0x80 | len(payload))) + b"\0\0\0\0" + payload)  # type: ignore[union-attr]
        self.buf = buf[pos:]

    def _text(self, text: str, now: float) -> None:
        head = event_seq_and_type(text)
        if head is not None:
            seq = head[0]
            if self.last_seq is not None and seq != self.last_seq + 1:
                self.gaps += 1
            self.last_seq = seq
            self.events += 1
            self.on_text(text, now)
        elif not self.ready.done() and text.startswith('{"type":"hello"'):
            self.ready.set_result(None)

    def ping(self) -> None:
        """ASAR's application-level ping (its sockets close after 90 s without a frame)."""
        if self.transport is not None and self.upgraded and self.closed is None:
            self.transport.write(PING)

    def abort(self) -> None:
        if self.transport is not None:
            self.transport.abort()


async def connect_readers(host: str, port: int, path: str, n: int, *, origin: str,
                          on_text: Callable[[str, float], None], since: int | None, expect_hello: bool,
                          concurrency: int = 100, attempts: int = 4, wait: float = 30.0,
                          into: list[LightReader] | None = None) -> list[LightReader]:
    """n readers of ws://host:port/path (with ?since= when given), at most `concurrency`
    handshakes in flight; a refused or timed-out handshake is tried again a few times. Each
    reader is appended to `into` as soon as it is ready (for keep_alive)."""
    into = [] if into is None else into
    loop = asyncio.get_running_loop()
    if since is not None:
        path = f"{path}{'&' if '?' in path else '?'}since={since}"
    request = (f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
               f"Sec-WebSocket-Key: {KEY}\r\nSec-WebSocket-Version: 13\r\nOrigin: {origin}\r\n\r\n").encode()
    sem = asyncio.Semaphore(concurrency)

    async def one() -> LightReader:
        async with sem:
            for attempt in range(attempts):
                ready: asyncio.Future[None] = loop.create_future()
                reader = LightReader(request, on_text, ready, since, expect_hello)
                try:
                    await loop.create_connection(lambda r=reader: r, host, port)
                    await asyncio.wait_for(ready, wait)
                    into.append(reader)
                    return reader
                except (OSError, TimeoutError, ConnectionError):
                    reader.abort()
                    if attempt == attempts - 1:
                        raise
                    await asyncio.sleep(0.2 * (attempt + 1))
            raise AssertionError("unreachable")

    await asyncio.gather(*(one() for _ in range(n)))
    return into


async def keep_alive(readers: list[LightReader], every: float = 20.0) -> None:
    """Ping every reader every `every` seconds (while connecting: the first ones would time out)."""
    while True:
        await asyncio.sleep(every)
        for reader in readers:
            reader.ping()
