"""What organizations tell people (asar.notifications kinds): an invitation to join, and the
organization's verification or its withdrawal (to its administrators)."""

from __future__ import annotations

from typing import Any

from asar.i18n import N_, current_language
from asar.i18n import gettext as _
from asar.notifications.kinds import Kind, Params, register


def names_of(org: Any) -> dict[str, str]:
    """The organization's name in each language it has, for a notification's params."""
    return {lang: name for lang in ("kk", "ru", "en") if (name := getattr(org, f"name_{lang}", None))}


def _name(p: Params) -> str:
    names = p.get("organization") or {}
    return str(names.get(current_language()) or names.get("ru") or next(iter(names.values()), ""))


def _invitation_text(p: Params) -> str:
    if not p.get("inviter"):  # the inviter's account was deleted (anonymize.py)
        if p.get("role") == "admin":
            return _("You are invited to join %(name)s as an administrator. The link to accept is in the e-mail "
                     "sent to your address.", name=_name(p))
        return _("You are invited to join %(name)s as a member. The link to accept is in the e-mail sent to "
                 "your address.", name=_name(p))
    if p.get("role") == "admin":
        return _("%(inviter)s invites you to join %(name)s as an administrator. The link to accept is in "
                 "the e-mail sent to your address.", inviter=p["inviter"], name=_name(p))
    return _("%(inviter)s invites you to join %(name)s as a member. The link to accept is in the e-mail "
             "sent to your address.", inviter=p["inviter"], name=_name(p))


def _verified_text(p: Params) -> str:
    return _("%(name)s has been verified on ASAR.", name=_name(p))


def _withdrawn_text(p: Params) -> str:
    if p.get("reason"):
        return _("The verification of %(name)s was withdrawn. Reason: %(reason)s", name=_name(p),
                 reason=p["reason"])
    return _("The verification of %(name)s was withdrawn.", name=_name(p))


def _organization_link(p: Params) -> tuple[str, dict[str, Any]]:
    return "organizations:detail", {"org_id": int(p["organization_id"])}


INVITATION = register(Kind("invitation", N_("Invitations to join an organization"), _invitation_text,
                           _organization_link, email_fixed=True))
VERIFIED = register(Kind("organization_verified", N_("Your organization verified"), _verified_text,
                         _organization_link))
WITHDRAWN = register(Kind("organization_verification_withdrawn",
                          N_("Your organization's verification withdrawn"), _withdrawn_text, _organization_link))
