"""An iCalendar (RFC 5545) file for one hearing, so that people put it in their calendar."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asar.db import utcnow
from asar.hearings.models import Hearing


def _escape(text: str) -> str:
    return (text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,")
            .replace("\r\n", "\\n").replace("\n", "\\n").replace("\r", "\\n"))


def _fold(line: str) -> list[str]:
    """Lines of at most 75 octets, continued with a leading space."""
    out, current = [], b""
    for ch in line:
        encoded = ch.encode()
        if len(current) + len(encoded) > (75 if not out else 74):
            out.append(current.decode())
            current = b""
        current += encoded
    out.append(current.decode())
    return [out[0], *(" " + part for part in out[1:])]


def _stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")


def calendar(hearing: Hearing, *, url: str, host: str) -> bytes:
    end = hearing.starts_at + timedelta(minutes=hearing.duration_minutes)
    location = hearing.venue if hearing.format == "hybrid" else url
    description = "\n".join(p for p in (hearing.topic, hearing.description, url) if p)
    lines = [
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//ASAR//Public hearings//KK-RU-EN", "CALSCALE:GREGORIAN",
        "METHOD:PUBLISH", "BEGIN:VEVENT",
        f"UID:hearing-{hearing.id}@{host}",
        f"DTSTAMP:{_stamp(utcnow())}",
        f"DTSTART:{_stamp(hearing.starts_at)}",
        f"DTEND:{_stamp(end)}",
        f"SUMMARY:{_escape(hearing.title)}",
        f"DESCRIPTION:{_escape(description)}",
        f"LOCATION:{_escape(location)}",
        f"URL:{url}",
        "STATUS:CONFIRMED",
        "END:VEVENT", "END:VCALENDAR",
    ]
    folded = [part for line in lines for part in _fold(line)]
    return ("\r\n".join(folded) + "\r\n").encode()
