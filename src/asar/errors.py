"""Typed errors raised by services; the web layer maps them to status codes and translated text.

Messages are already translated (services call gettext under the request's language).
"""

from __future__ import annotations


class ServiceError(Exception):
    code = "error"
    status = 400

    def __init__(self, message: str, *, errors: dict[str, str] | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.errors = errors or {}


class Invalid(ServiceError):
    """Bad input: one message for the whole form plus one per field."""

    code = "invalid"
    status = 400


class NotAuthenticated(ServiceError):
    code = "unauthenticated"
    status = 401


class PermissionDenied(ServiceError):
    code = "forbidden"
    status = 403


class NotFound(ServiceError):
    code = "not_found"
    status = 404


class Conflict(ServiceError):
    code = "conflict"
    status = 409


class RateLimited(ServiceError):
    code = "rate_limited"
    status = 429

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


def invalid(errors: dict[str, str]) -> Invalid:
    """An Invalid error for field errors, with the standard summary line."""
    from asar.i18n import gettext

    return Invalid(gettext("Please correct the errors below."), errors=errors)
