"""Catalog upkeep: extract message ids per domain, fill translations, and check completeness.

Domains: `web` (src/asar/*.py, src/asar/web/, templates/base.html, templates/web/) and one per
package (src/asar/<d>/ and templates/<d>/). Catalogs: src/asar/locale/<lang>/LC_MESSAGES/<d>.po.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from asar import PACKAGE_DIR, ROOT_DIR
from asar.i18n import LANGUAGES, LOCALE_DIR

TEMPLATES = ROOT_DIR / "templates"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "LazyText": None}
JINJA = "jinja2.ext:babel_extract"
JINJA_OPTIONS = {"extensions": "jinja2.ext.i18n", "trim_blocks": "True", "lstrip_blocks": "True"}
PLACEHOLDER = re.compile(r"%\((\w+)\)[sd]")


def domains() -> list[str]:
    names = {"web"}
    for p in PACKAGE_DIR.iterdir():
        if p.is_dir() and (p / "__init__.py").exists() and p.name != "web":
            names.add(p.name)
    for p in TEMPLATES.iterdir():
        if p.is_dir() and p.name != "web":
            names.add(p.name)
    return sorted(names)


def domain_files(domain: str) -> Iterable[tuple[str, Path]]:
    if domain == "web":
        for p in sorted(PACKAGE_DIR.glob("*.py")):
            yield "python", p
        for p in sorted((PACKAGE_DIR / "web").rglob("*.py")):
            yield "python", p
        for p in sorted(TEMPLATES.glob("*.html")):
            yield JINJA, p
        for p in sorted((TEMPLATES / "web").rglob("*")):
            if p.is_file():
                yield JINJA, p
        return
    for p in sorted((PACKAGE_DIR / domain).rglob("*.py")):
        yield "python", p
    for p in sorted((TEMPLATES / domain).rglob("*")) if (TEMPLATES / domain).exists() else []:
        if p.is_file():
            yield JINJA, p


def extract(domain: str) -> dict[str | tuple[str, str], list[str]]:
    """msgid (or (singular, plural)) -> where it appears."""
    found: dict[str | tuple[str, str], list[str]] = {}
    for method, path in domain_files(domain):
        options = JINJA_OPTIONS if method == JINJA else {}
        for lineno, message, _comments, _ctx in extract_from_file(method, str(path), keywords=KEYWORDS,
                                                                  options=options):
            if isinstance(message, tuple):
                message = tuple(m for m in message if m)
                message = message[0] if len(message) == 1 else message[:2]
            if not message:
                continue
            found.setdefault(message, []).append(f"{path.relative_to(ROOT_DIR)}:{lineno}")
    return found


def po_path(lang: str, domain: str) -> Path:
    return LOCALE_DIR / lang / "LC_MESSAGES" / f"{domain}.po"


def load(lang: str, domain: str) -> Catalog:
    path = po_path(lang, domain)
    if not path.exists():
        return Catalog(locale=lang, domain=domain, project="ASAR")
    with path.open("rb") as fh:
        return read_po(fh, locale=lang, domain=domain)


def save(catalog: Catalog, lang: str, domain: str) -> None:
    path = po_path(lang, domain)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog, width=0, omit_header=False, sort_output=True, include_lineno=False)


def update(domain: str) -> dict[str, int]:
    """Bring every language's catalog of domain in line with the sources; English is filled."""
    found = extract(domain)
    stats = {}
    for lang in LANGUAGES:
        old = load(lang, domain)
        new = Catalog(locale=lang, domain=domain, project="ASAR", charset="utf-8")
        for msgid, locations in found.items():
            prev = old.get(msgid)
            string = prev.string if prev is not None else ("" if not isinstance(msgid, tuple) else ("", ""))
            if lang == "en" and not _filled(string):
                string = msgid
            new.add(msgid, string, locations=[(loc.split(":")[0], None) for loc in locations[:3]])
        save(new, lang, domain)
        stats[lang] = len(found)
    return stats


def _filled(string: str | tuple[str, ...] | list[str]) -> bool:
    if isinstance(string, list | tuple):
        return all(string) and len(string) >= 1
    return bool(string)


def fill(domain: str, lang: str, translations: dict[str, object]) -> int:
    """Set msgstrs from a mapping {msgid: text} (plural: {singular: [form0, form1, ...]})."""
    catalog = load(lang, domain)
    n = 0
    for msg in catalog:
        if not msg.id:
            continue
        key = msg.id[0] if isinstance(msg.id, tuple) else msg.id
        if key in translations:
            value = translations[key]
            msg.string = tuple(value) if isinstance(value, list) else value  # type: ignore[assignment]
            msg.flags.discard("fuzzy")
            n += 1
    save(catalog, lang, domain)
    return n


def missing(domain: str, lang: str) -> list[str]:
    """Message ids of domain that are absent, empty or fuzzy in lang's catalog."""
    catalog = load(lang, domain)
    out = []
    for msgid in extract(domain):
        msg = catalog.get(msgid)
        if msg is None or not _filled(msg.string) or msg.fuzzy:
            out.append(msgid if isinstance(msgid, str) else msgid[0])
    return out


def check() -> list[str]:
    """Every problem found: missing, empty or fuzzy translations and placeholder mismatches."""
    problems = []
    for domain in domains():
        found = extract(domain)
        for lang in LANGUAGES:
            catalog = load(lang, domain)
            for msgid in found:
                msg = catalog.get(msgid)
                label = msgid if isinstance(msgid, str) else msgid[0]
                if msg is None or not _filled(msg.string) or msg.fuzzy:
                    problems.append(f"{lang}/{domain}: missing translation: {label!r}")
                    continue
                ids = [msgid] if isinstance(msgid, str) else list(msgid)
                want = set(PLACEHOLDER.findall(" ".join(ids)))
                strings = [msg.string] if isinstance(msg.string, str) else list(msg.string)
                for s in strings:
                    got = set(PLACEHOLDER.findall(s))
                    if got - want or (want - got - {"num"}):
                        problems.append(f"{lang}/{domain}: placeholders differ in {label!r}: {s!r}")
    return problems


def todo(domain: str, lang: str) -> str:
    """JSON of the untranslated ids, ready to fill and pass to `fill`."""
    catalog = load(lang, domain)
    out: dict[str, object] = {}
    for msgid in extract(domain):
        msg = catalog.get(msgid)
        if msg is None or not _filled(msg.string) or msg.fuzzy:
            if isinstance(msgid, tuple):
                out[msgid[0]] = {"plural": msgid[1], "forms": []}
            else:
                out[msgid] = ""
    return json.dumps(out, ensure_ascii=False, indent=1)
