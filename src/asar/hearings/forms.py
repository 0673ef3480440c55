"""Input parsing shared by the HTML forms, the JSON API and the socket: mappings in, dataclasses out.

Each parser raises Invalid with one translated message per field; none touches the database.
Times are typed in Asia/Almaty ("2026-12-10T10:00") or given with an offset (the API); stored UTC.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from email_validator import EmailNotValidError, validate_email

from asar.errors import invalid
from asar.hearings.clauses import (
    MAX_CLAUSES,
    MAX_DOCUMENT_CHARS,
    MAX_NUMBER,
    clause_numbers,
    document_clauses,
)
from asar.hearings.models import (
    FORMATS,
    HEARING_LANGUAGES,
    MODERATION_MODES,
    PARTICIPATION,
    POLL_KINDS,
    RELATED_KINDS,
    RESULTS_VISIBILITY,
)
from asar.i18n import TIMEZONE
from asar.i18n import gettext as _
from asar.inputs import EARLIEST, INT64_MAX, LATEST, bounded_int, moment_allowed, one_line, visible

MAX_AGENDA_ITEMS = 30
MAX_INVITEES = 500
MAX_POLL_OPTIONS = 10
MAX_BODY = 2000  # a post, a question or an answer
MAX_REASON = 500
CLIENT_ID_MAX = 64


def text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        value = value[0] if value else ""
    return str(value).strip()


def values(value: Any) -> list[Any]:
    """A list from a JSON list, repeated form values or one value."""
    if value is None or value == "":
        return []
    return list(value) if isinstance(value, list | tuple) else [value]


def positive_int(value: Any) -> int | None:
    """A positive integer from an int or its digits; None when it is anything else."""
    return bounded_int(text(value) if isinstance(value, str | list | tuple) else value, 1, INT64_MAX)


def parse_moment(value: Any) -> datetime | None:
    """A moment from "YYYY-MM-DDTHH:MM" in Almaty time, or ISO 8601 with an offset; None if neither."""
    raw = text(value)
    if not raw or len(raw) > 40:
        return None
    try:
        moment = datetime.fromisoformat(raw)
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=TIMEZONE)
        return moment.astimezone(UTC)
    except (ValueError, OverflowError):  # OverflowError: year 1 at +05:00 is before year 1 in UTC
        return None


def local_input(moment: datetime | None) -> str:
    """The value for a datetime-local input, in Almaty time."""
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M") if moment else ""


def parse_email(value: Any) -> str | None:
    raw = text(value)
    if not raw or len(raw) > 320:
        return None
    try:
        return validate_email(raw, check_deliverability=False).normalized.lower()
    except EmailNotValidError:
        return None


@dataclass
class AgendaInput:
    title: str
    minutes: int


@dataclass
class HearingInput:
    title: str = ""
    topic: str = ""
    description: str = ""
    region_id: int | None = None
    starts_at: datetime | None = None
    duration_minutes: int = 90
    format: str = "online"
    venue: str = ""
    languages: list[str] = field(default_factory=lambda: ["kk", "ru"])
    participation: str = "all"
    moderation_mode: str = "post"
    results_visibility: str = "live"
    agenda: list[AgendaInput] = field(default_factory=list)
    invitees: list[str] = field(default_factory=list)
    related_kind: str | None = None  # project | competition | draft; None: nothing related
    related_title: str = ""
    related_url: str = ""
    document_title: str = ""
    document_text: str = ""


def _agenda(data: Mapping[str, Any], errors: dict[str, str]) -> list[AgendaInput]:
    """Agenda items from a JSON list of {title, minutes} or the form's parallel lists."""
    if isinstance(data.get("agenda"), list):
        raw = [(one_line(text(i.get("title"))) if isinstance(i, Mapping) else "",
                i.get("minutes") if isinstance(i, Mapping) else None) for i in data["agenda"]]
    else:
        titles, minutes = values(data.get("agenda_title")), values(data.get("agenda_minutes"))
        raw = [(one_line(text(t)), minutes[i] if i < len(minutes) else None) for i, t in enumerate(titles)]
    items: list[AgendaInput] = []
    for title, minutes in raw:
        if not title and not text(minutes):
            continue  # a blank row of the form
        n = positive_int(minutes)
        if not title:
            errors["agenda"] = _("Give every agenda item a title.")
        elif len(title) > 300:
            errors["agenda"] = _("An agenda item's title has at most 300 characters.")
        elif n is None or n > 600:
            errors["agenda"] = _("Give every agenda item its length in minutes (1 to 600).")
        else:
            items.append(AgendaInput(title, n))
    if len(items) > MAX_AGENDA_ITEMS:
        errors["agenda"] = _("At most %(max)s agenda items.", max=MAX_AGENDA_ITEMS)
    return items


def parse_url(value: Any) -> str | None:
    """An http(s) address with a host, at most 500 characters; None when it is anything else."""
    raw = text(value)
    if not raw or len(raw) > 500 or any(c.isspace() for c in raw) or not raw.isprintable():
        return None
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        return None
    return raw


def _related(data: Mapping[str, Any], out: HearingInput, errors: dict[str, str]) -> None:
    """The related project, competition or outside draft: a kind, a title, an optional link."""
    kind = text(data.get("related_kind"))
    title = one_line(text(data.get("related_title")))
    url = text(data.get("related_url"))
    if kind in ("", "none"):
        if title or url:
            errors["related_kind"] = _("Choose what the related item is: a project, a competition or a draft.")
        return
    if kind not in RELATED_KINDS:
        errors["related_kind"] = _("Choose what the related item is: a project, a competition or a draft.")
        return
    out.related_kind = kind
    if not title:
        errors["related_title"] = _("Enter the title of the related item.")
    elif len(title) > 300:
        errors["related_title"] = _("This is too long: at most %(max)s characters.", max=300)
    out.related_title = title
    if url:
        checked = parse_url(url)
        if checked is None:
            errors["related_url"] = _("Enter a web address that starts with http:// or https://.")
        else:
            out.related_url = checked


def _document(data: Mapping[str, Any], out: HearingInput, errors: dict[str, str]) -> None:
    """The draft document under discussion: a title and the pasted text with its numbered clauses."""
    out.document_title = one_line(text(data.get("document_title")))
    if len(out.document_title) > 300:
        errors["document_title"] = _("This is too long: at most %(max)s characters.", max=300)
    raw = data.get("document_text")
    body = raw if isinstance(raw, str) else text(raw)
    body = body.replace("\r\n", "\n").strip("\n").rstrip()
    if len(body) > MAX_DOCUMENT_CHARS:
        errors["document_text"] = _("The document is too long: at most %(max)s characters.", max=MAX_DOCUMENT_CHARS)
        return
    out.document_text = body
    if body:
        clauses = document_clauses(body)
        if len(clauses) > MAX_CLAUSES:
            errors["document_text"] = _("The document has too many clauses: at most %(max)s.", max=MAX_CLAUSES)
        elif any(len(c.number) > MAX_NUMBER for c in clauses):
            errors["document_text"] = _("A clause number is too long: at most %(max)s characters.", max=MAX_NUMBER)
        elif not out.document_title:
            errors["document_title"] = _("Give the document a title.")
    elif out.document_title:
        errors["document_text"] = _("Paste the text of the document, or leave its title empty.")


def parse_hearing(data: Mapping[str, Any]) -> HearingInput:
    """A hearing's fields from a form or a JSON body."""
    errors: dict[str, str] = {}
    out = HearingInput()
    out.title = one_line(text(data.get("title")))
    if not out.title:
        errors["title"] = _("Enter the hearing's title.")
    elif len(out.title) > 200:
        errors["title"] = _("This is too long: at most %(max)s characters.", max=200)
    out.topic = one_line(text(data.get("topic")))
    if len(out.topic) > 200:
        errors["topic"] = _("This is too long: at most %(max)s characters.", max=200)
    out.description = text(data.get("description"))
    if len(out.description) > 20000:
        errors["description"] = _("This is too long: at most %(max)s characters.", max=20000)
    if text(data.get("region_id")):
        out.region_id = positive_int(data.get("region_id"))
        if out.region_id is None:
            errors["region_id"] = _("Choose a region from the list.")
    out.starts_at = parse_moment(data.get("starts_at"))
    if out.starts_at is None:
        errors["starts_at"] = _("Enter the start date and time (Almaty time).")
    elif not moment_allowed(out.starts_at):
        errors["starts_at"] = _("Choose a date in the years %(first)s–%(last)s.", first=EARLIEST.year,
                                last=LATEST.year - 1)
    duration = positive_int(data.get("duration_minutes") or 90)
    if duration is None or not 15 <= duration <= 720:
        errors["duration_minutes"] = _("The duration is between 15 and 720 minutes.")
    else:
        out.duration_minutes = duration
    out.format = text(data.get("format")) or "online"
    if out.format not in FORMATS:
        errors["format"] = _("Choose online or hybrid.")
    out.venue = one_line(text(data.get("venue")))
    if len(out.venue) > 300:
        errors["venue"] = _("This is too long: at most %(max)s characters.", max=300)
    elif out.format == "hybrid" and not out.venue:
        errors["venue"] = _("A hybrid hearing needs a venue: where people meet in person.")
    langs = [text(v) for v in values(data.get("languages"))]
    if len(langs) == 1 and "," in langs[0]:
        langs = [p.strip() for p in langs[0].split(",")]
    if not langs or any(code not in HEARING_LANGUAGES for code in langs):
        errors["languages"] = _("Choose the hearing's languages: Kazakh, Russian, English.")
    else:
        out.languages = [c for c in HEARING_LANGUAGES if c in langs]
    for name, allowed, message in (
        ("participation", PARTICIPATION, _("Choose who may take part.")),
        ("moderation_mode", MODERATION_MODES, _("Choose pre-moderation or post-moderation.")),
        ("results_visibility", RESULTS_VISIBILITY, _("Choose when poll results are shown.")),
    ):
        value = text(data.get(name)) or getattr(out, name)
        if value not in allowed:
            errors[name] = message
        else:
            setattr(out, name, value)
    out.agenda = _agenda(data, errors)
    raw_invitees = data.get("invitees")
    lines = (values(raw_invitees) if isinstance(raw_invitees, list)
             else text(raw_invitees).replace(",", "\n").split("\n"))
    for line in lines:
        if not text(line):
            continue
        email = parse_email(line)
        if email is None:
            errors["invitees"] = _("This is not an e-mail address: %(value)s", value=text(line)[:80])
            break
        if email not in out.invitees:
            out.invitees.append(email)
    if len(out.invitees) > MAX_INVITEES:
        errors["invitees"] = _("At most %(max)s invited addresses.", max=MAX_INVITEES)
    if out.participation == "invited" and not out.invitees and "invitees" not in errors:
        errors["invitees"] = _("List the e-mail addresses of the people invited, one a line.")
    _related(data, out, errors)
    _document(data, out, errors)
    if errors:
        raise invalid(errors)
    return out


@dataclass
class PollInput:
    kind: str
    question: str
    options: list[str]
    allow_change: bool


def parse_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return text(value).lower() in ("1", "true", "on", "yes")


def parse_poll(data: Mapping[str, Any]) -> PollInput:
    errors: dict[str, str] = {}
    kind = text(data.get("kind")) or "single"
    if kind not in POLL_KINDS:
        errors["kind"] = _("Choose the kind of poll.")
    question = one_line(text(data.get("question")))
    if not question:
        errors["question"] = _("Enter the poll's question.")
    elif len(question) > 500:
        errors["question"] = _("This is too long: at most %(max)s characters.", max=500)
    raw = data.get("options")
    lines = values(raw) if isinstance(raw, list) else text(raw).split("\n")
    options = [one_line(text(o)) for o in lines if one_line(text(o))]
    if kind != "scale":
        if len(options) < 2:
            errors["options"] = _("Give at least two options, one a line.")
        elif len(options) > MAX_POLL_OPTIONS:
            errors["options"] = _("At most %(max)s options.", max=MAX_POLL_OPTIONS)
        elif any(len(o) > 300 for o in options):
            errors["options"] = _("An option has at most 300 characters.")
        elif len(set(options)) != len(options):
            errors["options"] = _("Two options are the same.")
    else:
        options = []
    if errors:
        raise invalid(errors)
    return PollInput(kind=kind, question=question, options=options, allow_change=parse_bool(data.get("allow_change")))


def parse_body(value: Any, field_name: str = "body") -> str:
    """A post, question or answer: not empty (nor only invisible characters), at most MAX_BODY characters."""
    body = visible(text(value))
    if not body:
        raise invalid({field_name: _("Write something first.")})
    if len(body) > MAX_BODY:
        raise invalid({field_name: _("This is too long: at most %(max)s characters.", max=MAX_BODY)})
    return body


def parse_clause(value: Any, document_text: str) -> str | None:
    """The clause a post or question cites: None when none is given, else a number of the document
    (a string, as the document's clause list gives it)."""
    if value is None:
        return None
    if not isinstance(value, str):
        raise invalid({"clause": _("Choose a clause from the document's list.")})
    raw = text(value)
    if not raw:
        return None
    if not document_text:
        raise invalid({"clause": _("This hearing has no document whose clauses could be cited.")})
    if len(raw) > MAX_NUMBER or raw not in clause_numbers(document_text):
        raise invalid({"clause": _("The document has no clause %(number)s.", number=raw[:MAX_NUMBER])})
    return raw


def parse_reason(value: Any, *, required: bool) -> str:
    reason = visible(text(value))
    if required and not reason:
        raise invalid({"reason": _("Give the reason: it is shown in the public moderation log.")})
    if len(reason) > MAX_REASON:
        raise invalid({"reason": _("This is too long: at most %(max)s characters.", max=MAX_REASON)})
    return reason


def parse_client_id(value: Any) -> str:
    """The client-chosen id that makes a retried send idempotent: 1–64 visible ASCII characters."""
    raw = value if isinstance(value, str) else ""
    if not raw or len(raw) > CLIENT_ID_MAX or not raw.isascii() or not raw.isprintable() or " " in raw:
        raise invalid({"client_id": _("Every message needs a client_id: 1 to 64 letters, digits or signs.")})
    return raw
