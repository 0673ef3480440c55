"""The live layer: durable, resumable event streams for any domain, pushed over WebSockets.

A stream is named by a key `<kind>:<id>` (`hearing:42`, `user:15`), which is also its pub/sub
channel. Every event of a stream has the next sequence number of that stream, given in the writer's
transaction, and is published only after that transaction commits. A socket resumes with
`since=<seq>`: it gets exactly the events it missed from the log, or a snapshot when it is too far
behind; gaps (lost publishes, dropped messages, a Redis outage) are filled from the log. Each socket
is authorized by its stream's kind at connect and again, against current state, before frames and
privileged pushes (asar.live.connection). Hearings are the first client (asar.hearings.live).

Pieces: `streams` (keys, StreamKind: what a domain registers), `events` (typed events: the Event
base every kind's declarations subclass, the strict check, the JSON face; `event_docs` writes
docs/realtime.md from them), `hub` (feeds per stream, fan-out, publishing), `connection` (one
socket: handshake, bounded queue, limits, per-frame authorization), `sse` (the same over
Server-Sent Events), `log` and `models` (the shared event log), `personal` (the person's own stream
`user:<id>`), `pubsub` (Redis pub/sub that reconnects and resubscribes), `plugin` (the app wiring
and the routes /ws/streams/<kind>/<id> and /sse/streams/<kind>/<id> for kinds without routes of
their own).

The event log: one interface, a shared table by default. The hub reads any stream's log only through
its kind (`last_seq`, `events_after`). New streams keep their events in one shared table
(live_events, numbered per stream through live_streams: LogKind), so a domain adds a stream without
a migration. A domain may keep its own table behind the same interface when its events are part of
its records: hearings keep hearing_events (read by the events API, the minutes and replay, deleted
with their hearing, numbered by hearings.last_seq under the hearing's row lock that their verbs take
anyway); moving them would gain nothing and cost a data migration.

Usage. Declare each event type once (asar.live.events: a family base with the kind's prefix, a
struct per type) and append it inside the writer's unit of work (asar.uow); it is checked against its
declaration, and reaches the stream's sockets on every instance once the unit commits; nothing is
stored or sent if it rolls back:

    from asar import live
    from asar.notifications.event_types import NotificationCreated
    await live.append_event(db, live.stream_key("user", user_id),
                            NotificationCreated(id=n.id, kind=n.kind, unread=unread))

Register a stream kind (a StreamKind subclass, or LogKind for the shared log) in the app's
`stream_kinds` (asar.domains): `prefix`, `admit(db, actor, ident) -> (access, last seq)` raising
NotAllowed (required: a kind without it cannot be registered), `events` (its family of declared
events; those declared `reauthorizes` change the rights of the person named in their private
`user_id`), optionally `snapshot`, `render` and `render_snapshot` (the browser face's fragments) and
`connection` (a Connection subclass with FRAMES for what clients may send). The
person's own stream is asar.live.personal.PersonalStream (readable only by that person): subclass it
for the bell's snapshot and fragments and register the subclass in its place.
"""

from asar.live.events import Event, Private, Shape, UndeclaredEvent
from asar.live.hub import Hub, hub_of, publish_after_commit
from asar.live.limits import LiveLimits
from asar.live.log import LogKind, append, append_event, append_events
from asar.live.streams import (
           Access,
           Credential,
           NotAllowed,
           Reader,
           StreamKind,
           envelope,
           split_key,
           stream_key,
)

__all__ = ["Access", "Credential", "Event", "Hub", "LiveLimits", "LogKind", "NotAllowed", "Private", "Reader", "Shape",
           "StreamKind", "UndeclaredEvent", "append", "append_event", "append_events", "envelope", "hub_of", "publish_after_commit",
           "split_key", "stream_key"]
