"""The audit log's vocabulary, declared by the domains: the action codes each records and the types
of object it names, with their labels (marked with N_, translated when shown), next to its
`record()` calls, as each domain registers its notification kinds:

    audit_actions.declare({"pledge.offered": N_("Pledge offered"), ...}, objects={"project": N_("Project")})

The admin page (asar.audit.controllers) reads the registry; a code nobody declared is shown as it
is. tests/audit/test_web.py checks that every code a record() call writes is declared.
"""

from __future__ import annotations

from collections.abc import Mapping

ACTIONS: dict[str, str] = {}
OBJECTS: dict[str, str] = {}


def _add(into: dict[str, str], labels: Mapping[str, str]) -> None:
    for code, text in labels.items():
        if into.get(code, text) != text:
            raise ValueError(f"{code!r} is declared twice with different labels")
        into[code] = text


def declare(actions: Mapping[str, str], objects: Mapping[str, str] | None = None) -> None:
    """Add a domain's action codes and object types with their (untranslated) labels."""
    _add(ACTIONS, actions)
    _add(OBJECTS, objects or {})


def action_labels() -> Mapping[str, str]:
    return ACTIONS


def object_labels() -> Mapping[str, str]:
    return OBJECTS
