"""The live layer: durable, resumable event streams for any domain, pushed over WebSockets.

A stream is named by a key `<kind>:<id>` (`hearing:42`, `user:15`), which is also its pub/sub
channel. Every event of a stream has the next sequence number of that stream, given in the writer's
transaction, and is published only after that transaction commits (`publish_after_commit`). A
socket resumes with `since=<seq>`: it gets exactly the events it missed from the log, or a snapshot
when it is too far behind; gaps (lost publishes, dropped messages, a Redis outage) are filled from
the log. Hearings are the first client (asar.hearings.live).

Pieces: `streams` (keys, StreamKind: what a domain registers), `hub` (feeds per stream, fan-out,
publishing), `connection` (one socket: handshake, bounded queue, limits, per-frame authorization),
`pubsub` (Redis pub/sub that reconnects and resubscribes), `plugin` (the app wiring).
"""

from asar.live.hub import Hub, hub_of, publish_after_commit
from asar.live.limits import LiveLimits
from asar.live.streams import Access, Credential, NotAllowed, Reader, StreamKind, split_key, stream_key

__all__ = ["Access", "Credential", "Hub", "LiveLimits", "NotAllowed", "Reader", "StreamKind", "hub_of",
           "publish_after_commit", "split_key", "stream_key"]
