"""The standard reasons an application is not admissible (the compliance check), with their labels
in the reader's language. A mark "not admissible" names at least one; `other` needs the note to say
what. Codes are stored; labels are translated when shown (pages, notifications, mail)."""

from __future__ import annotations

from asar.i18n import gettext as _

REASONS = ("missing_documents", "invalid_documents", "not_eligible", "budget", "off_topic", "other")
NEEDS_NOTE = frozenset({"other"})


def reason_label(code: str) -> str:
    return {
        "missing_documents": _("Required documents are missing or incomplete"),
        "invalid_documents": _("Documents are invalid or do not meet the call's requirements"),
        "not_eligible": _("The applicant does not meet the eligibility requirements"),
        "budget": _("The budget breaks the call's rules"),
        "off_topic": _("The project does not match the lot's subject"),
        "other": _("Other reason (explained in the note)"),
    }.get(code, code)


def reasons_text(codes: list[str], note: str = "") -> str:
    """The reasons as one sentence list, the note after them."""
    parts = [reason_label(c) for c in codes]
    text = "; ".join(parts)
    if note:
        text = f"{text}. {note}" if text else note
    return text
