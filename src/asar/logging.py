"""Structured logs (structlog): key=value on a console, JSON lines with ASAR_LOG_JSON=1."""

from __future__ import annotations

import logging
import re
import sys
from typing import Any

import structlog

from asar.settings import Settings

# Secrets a log line must never carry: a token in a URL's query (old clients still send
# /ws/hearings/7?token=…, and uvicorn logs every path with its query) or after "Bearer".
_SECRET_QUERY = re.compile(r"([?&;](?:token|access_token|api_key)=)[^&;\s\"']+", re.IGNORECASE)
_BEARER = re.compile(r"(\bbearer[ .])[A-Za-z0-9._~+/=-]+", re.IGNORECASE)
REDACTED = "[redacted]"
# uvicorn's access log, its WebSocket handshake lines ("uvicorn.error", also the websockets library's
# logger there) and the rest of its loggers: none of them propagates to the root logger
SERVER_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access", "websockets", "websockets.server")


def redact(text: str) -> str:
    if "=" not in text and "earer" not in text:
        return text
    return _BEARER.sub(r"\1" + REDACTED, _SECRET_QUERY.sub(r"\1" + REDACTED, text))


class RedactSecrets(logging.Filter):
    """Blanks tokens in a record's message and arguments before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def redact_event(_logger: Any, _name: str, event: dict[str, Any]) -> dict[str, Any]:
    """structlog: the same for every string value of an event."""
    for key, value in event.items():
        if isinstance(value, str):
            event[key] = redact(value)
    return event


def install_redaction() -> None:
    """On uvicorn's loggers and the root logger's handlers; idempotent."""
    loggers = [logging.getLogger(name) for name in SERVER_LOGGERS]
    for target in [*loggers, *logging.getLogger().handlers]:
        if not any(isinstance(f, RedactSecrets) for f in target.filters):
            target.addFilter(RedactSecrets())


def _stderr_logger(*_args: Any) -> structlog.PrintLogger:
    """A logger writing to the sys.stderr of the moment: one bound at configure time would keep
    writing to a stream that was swapped and closed since (a captured test, a CLI runner)."""
    return structlog.PrintLogger(file=sys.stderr)


def configure_logging(settings: Settings) -> None:
    level = getattr(logging, settings.log_level.upper(), logging.INFO)
    processors: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.format_exc_info,
        redact_event,
    ]
    renderer = structlog.processors.JSONRenderer() if settings.log_json else structlog.dev.ConsoleRenderer(colors=False)
    structlog.configure(
        processors=[*processors, renderer],
        wrapper_class=structlog.make_filtering_bound_logger(level),
        logger_factory=_stderr_logger,
        cache_logger_on_first_use=False,
    )
    logging.basicConfig(level=level, stream=sys.stderr, format="%(levelname)s %(name)s %(message)s")
    install_redaction()
