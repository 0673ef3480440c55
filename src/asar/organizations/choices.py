"""Codes stored for sectors, legal forms, settlements and roles, with their translated labels."""

from __future__ import annotations

from asar.i18n import N_, current_language, gettext

SECTOR_LABELS = {
    "government": N_("Government body"),
    "business": N_("Business"),
    "ngo": N_("NGO"),
}

# Legal forms offered per sector; codes are unique across sectors.
LEGAL_FORMS: dict[str, dict[str, str]] = {
    "ngo": {
        "public_association": N_("Public association"),
        "public_foundation": N_("Public foundation"),
        "association_of_legal_entities": N_("Association (union) of legal entities"),
        "private_institution": N_("Private institution"),
        "other_nonprofit": N_("Other non-profit form"),
    },
    "business": {
        "llp": N_("Limited liability partnership (LLP)"),
        "jsc": N_("Joint-stock company (JSC)"),
        "individual_entrepreneur": N_("Individual entrepreneur"),
        "other_commercial": N_("Other form"),
    },
    "government": {
        "state_body": N_("State body"),
        "state_institution": N_("State institution"),
        "other_state": N_("Other form"),
    },
}
LEGAL_FORM_LABELS = {code: label for forms in LEGAL_FORMS.values() for code, label in forms.items()}

SETTLEMENT_LABELS = {
    "urban": N_("Urban"),
    "rural": N_("Rural"),
    "both": N_("Urban and rural"),
}

ROLE_LABELS = {
    "admin": N_("Administrator"),
    "member": N_("Member"),
}


_KINDS = {"sector": SECTOR_LABELS, "legal_form": LEGAL_FORM_LABELS, "settlement": SETTLEMENT_LABELS,
          "role": ROLE_LABELS}
_translated: dict[tuple[str, str], dict[str, str]] = {}


def translated_labels(kind: str) -> dict[str, str]:
    """code -> label of one kind ("sector", "legal_form", "settlement", "role") in the current
    language; kept per language (the catalogs are read once per process)."""
    key = (kind, current_language())
    table = _translated.get(key)
    if table is None:
        table = _translated[key] = {code: gettext(label) for code, label in _KINDS[kind].items()}
    return table


def sector_label(code: str) -> str:
    return gettext(SECTOR_LABELS[code]) if code in SECTOR_LABELS else code


def legal_form_label(code: str) -> str:
    return gettext(LEGAL_FORM_LABELS[code]) if code in LEGAL_FORM_LABELS else code


def settlement_label(code: str) -> str:
    return gettext(SETTLEMENT_LABELS[code]) if code in SETTLEMENT_LABELS else code


def role_label(code: str) -> str:
    return gettext(ROLE_LABELS[code]) if code in ROLE_LABELS else code


def legal_forms_for(sector: str | None) -> list[tuple[str, str]]:
    """(code, translated label) of the legal forms open to sector."""
    return [(code, gettext(label)) for code, label in LEGAL_FORMS.get(sector or "", {}).items()]
