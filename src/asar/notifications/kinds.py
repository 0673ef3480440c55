"""The kinds of notification: a registry each domain adds to when its `notices` module is imported
(asar.domains imports them all for the app and the worker; this package names no domain).

A kind says how to tell one thing: a sentence in the reader's language made from the
notification's stored params (`text`), where it leads (`link`: a route name and its path
parameters, turned into a URL by the router), the mail template its e-mail uses, and the defaults a
person starts with. A kind whose mail carries something only the mail can (a single-use link) is
`email_fixed`: it is always mailed at once, whatever the preferences say.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

Params = Mapping[str, Any]


@dataclass(frozen=True)
class Kind:
    name: str  # also the mail template (templates/mail/<name>.txt) and the outbox's kind
    label: str  # a message id (N_/NC_) naming the kind on the preferences page
    text: Callable[[Params], str]  # one sentence, in the current language
    link: Callable[[Params], tuple[str, dict[str, Any]]]  # (route name, path parameters)
    in_app_default: bool = True
    email_default: str = "immediately"  # immediately, daily or never (models.EMAIL_CHOICES)
    email_fixed: bool = False  # always mailed at once (the mail holds what nothing else does)


_KINDS: dict[str, Kind] = {}


def register(kind: Kind) -> Kind:
    """Add a kind (a domain does this once, at import); registering the same name again replaces it."""
    _KINDS[kind.name] = kind
    return kind


def get(name: str) -> Kind | None:
    return _KINDS.get(name)


def all_kinds() -> list[Kind]:
    """Every registered kind, in registration order (the preferences page's order)."""
    return list(_KINDS.values())
