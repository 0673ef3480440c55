"""The outbox's admin page: every mail queued, sent or failing (in the embedded default, the only
place to read what was "sent", since no SMTP server is configured)."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlencode

from litestar import Request, get
from litestar.response import Template

from asar.i18n import N_
from asar.mail import service
from asar.mail.sealing import MARK_RE, MASK
from asar.web.params import label, page_number
from asar.web.templating import page as render_page

PER_PAGE = 50

KIND_LABELS: dict[str, str] = {
    "confirm": N_("E-mail confirmation"),
    "reset": N_("Password reset"),
    "invitation": N_("Invitation"),
    "invite": N_("Invitation"),
    "registration_attempt": N_("Registration with a registered address"),
    "organization_verified": N_("Organization verified"),
    "organization_verification_withdrawn": N_("Verification withdrawn"),
    "hearing_reminder": N_("Hearing reminder"),
    "hearing_commitment": N_("Commitment update"),
    "notification_digest": N_("Daily digest of notifications"),
}


def kind_label(code: str) -> str:
    return label(KIND_LABELS, code)


URL_RE = re.compile(r"https?://[^\s<>\"'«»]+")
TRAILING = ".,;:!?)»"


def body_parts(body: str) -> list[tuple[str, str]]:
    """The stored body as ("text" | "link" | "hidden", text): web links to make clickable, and
    single-use links shown with their token masked (asar.mail: the outbox never holds it after
    delivery, and an admin reading this page must not be able to open someone's account)."""
    parts: list[tuple[str, str]] = []
    pos = 0
    for match in URL_RE.finditer(body):
        url = match.group(0).rstrip(TRAILING)
        end = match.start() + len(url)
        if match.start() > pos:
            parts.append(("text", MARK_RE.sub(MASK, body[pos:match.start()])))
        if MARK_RE.search(url):
            parts.append(("hidden", MARK_RE.sub(MASK, url)))
        else:
            parts.append(("link", url))
        pos = end
    if pos < len(body):
        parts.append(("text", MARK_RE.sub(MASK, body[pos:])))
    return parts


@get("/admin/mail", name="mail:outbox", include_in_schema=False)
async def outbox(request: Request[Any, Any, Any], page: str | None = None) -> Template:
    """Newest mail first, for the platform admin."""
    number = page_number(page)
    mails, total = await service.list_outbox(request.state.db, request.state.actor, limit=PER_PAGE,
                                             offset=(number - 1) * PER_PAGE)
    pages = max(1, -(-total // PER_PAGE))
    base = request.app.route_reverse("mail:outbox")

    def page_url(n: int) -> str:
        return f"{base}?{urlencode({'page': n})}" if n > 1 else base

    return render_page(
        request, "mail/outbox.html", mails=mails, total=total, page=number, pages=pages,
        prev_url=page_url(number - 1) if number > 1 else None,
        next_url=page_url(number + 1) if number < pages else None, kind_label=kind_label,
        body_parts=body_parts,
    )


routes = [outbox]
