"""Typed errors of the hearings domain: each has a stable code (used by the socket's error frames)."""

from __future__ import annotations

from asar.errors import Conflict, PermissionDenied


class NotRegistered(PermissionDenied):
    code = "not_registered"


class Banned(PermissionDenied):
    code = "banned"


class Muted(PermissionDenied):
    code = "muted"


class NotLive(Conflict):
    code = "not_live"


class PollNotOpen(Conflict):
    code = "poll_closed"


class AlreadyVoted(Conflict):
    code = "already_voted"


class HandAlreadyRaised(Conflict):
    code = "hand_raised"


class NobodyWaiting(Conflict):
    code = "queue_empty"
