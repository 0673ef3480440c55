"""Codes stored on hearings, posts, questions and polls, with their translated labels."""

from __future__ import annotations

from asar.i18n import N_, NC_, gettext

STATUS_LABELS = {
    "draft": N_("Draft"),
    "scheduled": N_("Scheduled"),
    "live": N_("Live now"),
    "closed": NC_("hearing status", "Closed"),
}
FORMAT_LABELS = {"online": N_("Online"), "hybrid": N_("Hybrid (online and in person)")}
PARTICIPATION_LABELS = {
    "all": N_("Everybody registered on ASAR"),
    "verified_orgs": N_("People acting for verified organizations"),
    "invited": N_("Invited people only"),
}
MODERATION_LABELS = {
    "pre": N_("Pre-moderation: posts appear after a moderator approves them"),
    "post": N_("Post-moderation: posts appear at once; moderators may hide them"),
}
VISIBILITY_LABELS = {
    "live": N_("Live: everybody sees the results while people vote"),
    "after_close": N_("Hidden until the poll closes, from officials too"),
}
LANGUAGE_LABELS = {"kk": N_("Kazakh"), "ru": N_("Russian"), "en": N_("English")}
RELATED_KIND_LABELS = {
    "project": N_("Project"),
    "competition": N_("Competition"),
    "draft": N_("Draft document"),
}
SECTOR_LABELS = {
    "government": N_("Government"),
    "business": N_("Business"),
    "ngo": N_("NGOs"),
    "citizen": N_("Citizens"),
}
POLL_KIND_LABELS = {
    "single": N_("Single choice"),
    "multiple": N_("Multiple choice"),
    "scale": N_("Scale from 1 to 5"),
}
POLL_STATUS_LABELS = {"draft": N_("Not opened yet"), "open": NC_("poll status", "Open"),
                      "closed": NC_("poll status", "Closed")}
QUESTION_STATUS_LABELS = {
    "pending": N_("Awaiting moderation"),
    "open": NC_("question status", "Open"),
    "answering": N_("Answering now"),
    "answered": N_("Answered"),
    "rejected": N_("Rejected"),
    "hidden": N_("Hidden by a moderator"),
}
POST_STATUS_LABELS = {
    "visible": N_("Published"),
    "pending": N_("Awaiting moderation"),
    "rejected": N_("Rejected"),
    "hidden": N_("Hidden by a moderator"),
}
MODERATION_ACTION_LABELS = {
    "approve": N_("Approved"),
    "reject": N_("Rejected"),
    "hide": N_("Hidden"),
    "mute": N_("Muted"),
    "ban": N_("Banned"),
    "unmute": N_("Mute lifted"),
    "unban": N_("Ban lifted"),
}

# The site navigation's link (templates/base.html) is translated here with the rest of the domain.
NAV_LABEL = N_("Hearings")


def author_label(name: str | None) -> str:
    """Who wrote a post or question or raised a hand: their name, or "Deleted account" once the
    account is deleted (anonymize.py empties the copies of the name)."""
    return name or gettext("Deleted account")


def label(table: dict[str, str], code: str) -> str:
    """The translated label of code in one of the tables above (the code itself if unknown)."""
    text = table.get(code)
    return gettext(text) if text else code


def template_labels() -> dict[str, object]:
    """Label helpers for templates."""
    return {
        "status_label": lambda c: label(STATUS_LABELS, c),
        "format_label": lambda c: label(FORMAT_LABELS, c),
        "participation_label": lambda c: label(PARTICIPATION_LABELS, c),
        "moderation_label": lambda c: label(MODERATION_LABELS, c),
        "visibility_label": lambda c: label(VISIBILITY_LABELS, c),
        "language_label": lambda c: label(LANGUAGE_LABELS, c),
        "related_kind_label": lambda c: label(RELATED_KIND_LABELS, c),
        "sector_label": lambda c: label(SECTOR_LABELS, c),
        "poll_kind_label": lambda c: label(POLL_KIND_LABELS, c),
        "poll_status_label": lambda c: label(POLL_STATUS_LABELS, c),
        "question_status_label": lambda c: label(QUESTION_STATUS_LABELS, c),
        "post_status_label": lambda c: label(POST_STATUS_LABELS, c),
        "moderation_action_label": lambda c: label(MODERATION_ACTION_LABELS, c),
        "author_label": author_label,
    }
