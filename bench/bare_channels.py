"""The yardstick of bench/hearing_broadcast.py: a bare Litestar channels broadcast, served by
uvicorn like ASAR. Every socket subscribes to one channel and forwards what it carries; a text
frame sent by any socket is published on the channel as an event frame of the same shape (and
about the same size) as ASAR's `post.created`. No database, no authentication, no per-socket queue.
"""

import json
from typing import Any

from litestar import Litestar, WebSocket, websocket
from litestar.channels import ChannelsPlugin
from litestar.channels.backends.memory import MemoryChannelsBackend
from litestar.exceptions import WebSocketDisconnect

channels = ChannelsPlugin(backend=MemoryChannelsBackend(), channels=["room"], subscriber_max_backlog=10_000,
                          subscriber_backlog_strategy="dropleft")
_seq = 0


@websocket("/ws")
async def room(socket: WebSocket[Any, Any, Any]) -> None:
    global _seq
    await socket.accept()
    async with channels.start_subscription(["room"]) as subscriber:

        async def forward(data: bytes) -> None:
            await socket.send_text(data.decode())

        async with subscriber.run_in_background(forward):
            try:
                while True:
                    frame = json.loads(await socket.receive_text())
                    _seq += 1
                    event = {"type": "event", "seq": _seq, "event": {
                        "type": "post.created", "at": "2026-12-01T21:00:00.000000+00:00",
                        "post": {"id": _seq, "author": "Bench Poster", "sector": "citizen", "organization_id": None,
                                 "body": frame.get("body", ""), "status": "visible", "reason": "",
                                 "at": "2026-12-01T21:00:00.000000+00:00"}}}
                    await channels.wait_published(json.dumps(event, separators=(",", ":")), "room")
            except WebSocketDisconnect:
                return


app = Litestar(route_handlers=[room], plugins=[channels], debug=False)
