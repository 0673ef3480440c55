r"""Catalog upkeep: extract message ids per domain, fill translations, and check completeness.

Domains: `web` (src/asar/*.py, src/asar/web/, templates/base.html, templates/web/) and one per
package (src/asar/<d>/ and templates/<d>/). Catalogs: src/asar/locale/<lang>/LC_MESSAGES/<d>.po.

A message is keyed by its msgid (a plural by (singular, plural)); a message with a context
(pgettext, npgettext, NC_) by "context\x04msgid", gettext's own encoding, also in the JSON of
`todo` and `fill` (written "\u0004" there).

`check` also enforces docs/glossary.md (a kk/ru translation of a message using a domain term
contains that term's stem), one wording per message across domains, and Kazakh placeholder grammar.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog, Message
from babel.messages.extract import extract_from_file
from babel.messages.pofile import read_po, write_po

from asar import PACKAGE_DIR, ROOT_DIR
from asar.i18n import LANGUAGES, LOCALE_DIR

TEMPLATES = ROOT_DIR / "templates"
GLOSSARY = ROOT_DIR / "docs" / "glossary.md"
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "N_": None, "LazyText": None,
            "pgettext": ((1, "c"), 2), "npgettext": ((1, "c"), 2, 3), "NC_": ((1, "c"), 2)}
CONTEXT_SEP = "\x04"
Key = str | tuple[str, str]
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


def make_key(msgid: str | tuple[str, ...], context: str | None) -> Key:
    """The key of a message: msgid or (singular, plural), prefixed with "context\x04" if any."""
    if isinstance(msgid, tuple):
        singular, plural = msgid[0], msgid[1]
        return (f"{context}{CONTEXT_SEP}{singular}" if context else singular, plural)
    return f"{context}{CONTEXT_SEP}{msgid}" if context else msgid


def split_key(key: Key) -> tuple[str | None, str | tuple[str, str]]:
    """(context, msgid) of a key."""
    first = key[0] if isinstance(key, tuple) else key
    context, sep, singular = first.rpartition(CONTEXT_SEP)
    if not sep:
        return None, key
    return context, ((singular, key[1]) if isinstance(key, tuple) else singular)


def label_of(key: Key) -> str:
    """The singular msgid of a key, with its context as "context|msgid" for messages to people."""
    context, msgid = split_key(key)
    text = msgid[0] if isinstance(msgid, tuple) else msgid
    return f"{context}|{text}" if context else text


def lookup(catalog: Catalog, key: Key) -> Message | None:
    context, msgid = split_key(key)
    return catalog.get(msgid, context=context)


def extract(domain: str) -> dict[Key, list[str]]:
    """key (see make_key) -> where it appears."""
    found: dict[Key, list[str]] = {}
    for method, path in domain_files(domain):
        options = JINJA_OPTIONS if method == JINJA else {}
        for lineno, message, _comments, context in extract_from_file(method, str(path), keywords=KEYWORDS,
                                                                     options=options):
            if isinstance(message, tuple):
                message = tuple(m for m in message if m)
                message = message[0] if len(message) == 1 else message[:2]
            if not message:
                continue
            key = make_key(message, context)
            found.setdefault(key, []).append(f"{path.relative_to(ROOT_DIR)}:{lineno}")
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
        # The old creation date is kept: a new date in every file on every run makes every
        # helper's rebase conflict in every catalog header.
        new = Catalog(locale=lang, domain=domain, project=old.project or "ASAR", charset="utf-8",
                      creation_date=old.creation_date)
        for key, locations in found.items():
            context, msgid = split_key(key)
            prev = old.get(msgid, context=context)
            string = prev.string if prev is not None else ("" if not isinstance(msgid, tuple) else ("", ""))
            if lang == "en" and not _filled(string):
                string = msgid
            new.add(msgid, string, locations=[(loc.split(":")[0], None) for loc in locations[:3]],
                    context=context)
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
        key = make_key(msg.id[0] if isinstance(msg.id, tuple) else msg.id, msg.context)
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
    for key in extract(domain):
        msg = lookup(catalog, key)
        if msg is None or not _filled(msg.string) or msg.fuzzy:
            out.append(key if isinstance(key, str) else key[0])
    return out


def check() -> list[str]:
    """Every problem found: missing, empty or fuzzy translations, placeholder mismatches, and one
    message translated differently in two domains (see asar.i18n: the catalogs are merged)."""
    problems = []
    catalogs: dict[str, dict[str, Catalog]] = {lang: {} for lang in LANGUAGES}
    for domain in domains():
        found = extract(domain)
        for lang in LANGUAGES:
            catalog = catalogs[lang][domain] = load(lang, domain)
            for key in found:
                msg = lookup(catalog, key)
                label = label_of(key)
                if msg is None or not _filled(msg.string) or msg.fuzzy:
                    problems.append(f"{lang}/{domain}: missing translation: {label!r}")
                    continue
                msgid = split_key(key)[1]
                ids = [msgid] if isinstance(msgid, str) else list(msgid)
                want = set(PLACEHOLDER.findall(" ".join(ids)))
                strings = [msg.string] if isinstance(msg.string, str) else list(msg.string)
                for s in strings:
                    got = set(PLACEHOLDER.findall(s))
                    if got - want or (want - got - {"num"}):
                        problems.append(f"{lang}/{domain}: placeholders differ in {label!r}: {s!r}")
                    if lang == "kk":
                        problems += [f"kk/{domain}: {p} in {label!r}: {s!r}" for p in kazakh_grammar(s)]
                    if lang == "ru":
                        problems += [f"ru/{domain}: {p} in {label!r}: {s!r}" for p in russian_punctuation(s)]
    for lang, by_domain in catalogs.items():
        problems += collisions(lang, by_domain)
    problems += glossary_problems(load_glossary(), catalogs)
    return problems


_KK_LETTERS = "а-яёәғқңөұүһі"
# A case ending cannot be fixed text after a placeholder: it depends on the value's last sound
# (5-ке, 6-ға; 14:00-де, 15:30-да). Nor can a postposition that needs one follow it bare.
_KK_GLUED = re.compile(rf"%\(\w+\)[sd](?:-(?:[{_KK_LETTERS}]{{1,4}})\b|[{_KK_LETTERS}])", re.IGNORECASE)
_KK_ORDINAL_NOUNS = r"тармақ|бап|бет|пункт|қадам|орын|сынып|курс|лот|мүше"
_KK_BARE_ORDINAL = re.compile(rf"%\((?:number|n|page|position)\)[sd] (?:{_KK_ORDINAL_NOUNS})", re.IGNORECASE)
_KK_BARE_POSTPOSITION = re.compile(r"%\(\w+\)[sd] (?:дейін|кейін|бастап|бері|соң)\b", re.IGNORECASE)


def kazakh_grammar(text: str) -> list[str]:
    """Mistakes a placeholder invites in Kazakh: a case ending written after it (it must agree with
    the value: rephrase, as "Басталу уақыты: %(time)s"), a number used as an ordinal without its
    hyphen ("%(number)s-тармақ"), a postposition that needs a case ending right after it."""
    found = []
    for match in _KK_GLUED.finditer(text):
        tail = match.group(0).split("-", 1)[-1] if "-" in match.group(0) else ""
        if re.fullmatch(rf"(?:{_KK_ORDINAL_NOUNS})\w*", tail, re.IGNORECASE):
            continue
        if match.group(0).endswith(tuple(_KK_ORDINAL_NOUNS.split("|"))):
            continue
        found.append(f"case ending after a placeholder ({match.group(0)!r}: rephrase)")
    found += [f"ordinal without a hyphen ({m.group(0)!r})" for m in _KK_BARE_ORDINAL.finditer(text)]
    found += [f"postposition after a bare placeholder ({m.group(0)!r}: rephrase)"
              for m in _KK_BARE_POSTPOSITION.finditer(text)]
    return found


# A Russian long date ends with its own full stop ("7 декабря 2026 г."): a sentence that puts one
# after a date placeholder prints "г..".
_RU_DATE_STOP = re.compile(r"%\((?:\w*_)?(?:date|day|deadline)\)s\.", re.IGNORECASE)


def russian_punctuation(text: str) -> list[str]:
    """A full stop right after a date placeholder doubles the date's own ("г.."): rephrase with a dash
    or a colon before the date."""
    return [f"full stop after a date ({m.group(0)!r}: the date ends in 'г.')" for m in _RU_DATE_STOP.finditer(text)]


def collisions(lang: str, by_domain: dict[str, Catalog]) -> list[str]:
    """Messages of one language translated differently in two domains: the runtime merges all
    domains, so one of the wordings would show on the other's screen. Tell the meanings apart with
    a context (pgettext), or use one wording."""
    seen: dict[Key, dict[str, str]] = {}
    for domain, catalog in sorted(by_domain.items()):
        for msg in catalog:
            if not msg.id or not _filled(msg.string) or msg.fuzzy:
                continue
            key = make_key(msg.id if isinstance(msg.id, str) else tuple(msg.id), msg.context)
            string = msg.string if isinstance(msg.string, str) else " | ".join(msg.string)
            seen.setdefault(key, {})[domain] = string
    problems = []
    for key, strings in seen.items():
        if len(set(strings.values())) > 1:
            wordings = "; ".join(f"{domain}: {text!r}" for domain, text in strings.items())
            problems.append(f"{lang}: {label_of(key)!r} is translated differently by domain ({wordings}); "
                            "give each meaning a context (pgettext) or use one wording")
    return problems


def todo(domain: str, lang: str) -> str:
    """JSON of the untranslated ids, ready to fill and pass to `fill`."""
    catalog = load(lang, domain)
    out: dict[str, object] = {}
    for key in extract(domain):
        msg = lookup(catalog, key)
        if msg is None or not _filled(msg.string) or msg.fuzzy:
            if isinstance(key, tuple):
                out[key[0]] = {"plural": key[1], "forms": []}
            else:
                out[key] = ""
    return json.dumps(out, ensure_ascii=False, indent=1)


# ---------------------------------------------------------------- glossary (docs/glossary.md)
@dataclass(frozen=True)
class Term:
    """A checked glossary row: English phrases, and the stems a kk/ru translation must contain."""

    match: tuple[str, ...]
    stems: dict[str, tuple[str, ...]]

    @property
    def name(self) -> str:
        return self.match[0]

    def pattern(self) -> re.Pattern[str]:
        words = "|".join(re.escape(m).replace(r"\ ", r"\s+") for m in sorted(self.match, key=len, reverse=True))
        return re.compile(rf"(?<![\w-])(?:{words})(?:e?s)?(?![\w-])", re.IGNORECASE)


@dataclass
class Glossary:
    terms: list[Term]
    exceptions: set[tuple[str, str, str]]  # (term, lang, msgid)


def _cells(line: str) -> list[str]:
    """The cells of a Markdown table row ("\\|" is a literal bar)."""
    inner = line.strip().strip("|")
    return [c.replace("\\|", "|").strip().strip("`") for c in re.split(r"(?<!\\)\|", inner)]


def _alternatives(cell: str) -> tuple[str, ...]:
    return tuple(a.strip() for a in cell.split(",") if a.strip())


def parse_glossary(text: str) -> Glossary:
    """Rows of the "Terms" table with stems are checked; the "Exceptions" table lists allowed misses."""
    terms: list[Term] = []
    exceptions: set[tuple[str, str, str]] = set()
    section = ""
    for line in text.splitlines():
        if line.startswith("## "):
            section = line[3:].strip().lower()
            continue
        if not line.startswith("|") or re.match(r"^\|[\s|:-]+\|$", line.strip()):
            continue
        cells = _cells(line)
        if section == "terms" and len(cells) >= 6 and cells[0] != "Match":
            stems = {"kk": _alternatives(cells[4]), "ru": _alternatives(cells[5])}
            if any(stems.values()):
                terms.append(Term(_alternatives(cells[0]), stems))
        elif section == "exceptions" and len(cells) >= 3 and cells[0] != "Term":
            exceptions.add((cells[0], cells[1], cells[2]))
    # Longer phrases first: what they match is taken out before shorter terms look.
    terms.sort(key=lambda t: -max(len(m) for m in t.match))
    return Glossary(terms, exceptions)


def load_glossary(path: Path = GLOSSARY) -> Glossary:
    return parse_glossary(path.read_text(encoding="utf-8"))


def glossary_problems(glossary: Glossary, catalogs: dict[str, dict[str, Catalog]]) -> list[str]:
    """kk and ru translations of messages that use a glossary term but not its translation."""
    problems = []
    patterns = [(term, term.pattern()) for term in glossary.terms]
    for lang in ("kk", "ru"):
        for domain, catalog in sorted(catalogs.get(lang, {}).items()):
            for msg in catalog:
                if not msg.id or not _filled(msg.string) or msg.fuzzy:
                    continue
                ids = [msg.id] if isinstance(msg.id, str) else list(msg.id)
                singular = ids[0]
                english = PLACEHOLDER.sub(" ", " / ".join(ids))  # %(question)s names a value, not a term
                translation = (msg.string if isinstance(msg.string, str) else " ".join(msg.string)).casefold()
                for term, pattern in patterns:
                    english, hits = pattern.subn(" \x00 ", english)
                    stems = term.stems.get(lang, ())
                    if not hits or not stems or {(term.name, lang, singular), ("*", lang, singular)} & glossary.exceptions:
                        continue
                    if not any(stem.casefold() in translation for stem in stems):
                        problems.append(f"{lang}/{domain}: glossary: {term.name!r} is "
                                        f"{' or '.join(stems)!r} in {singular!r}: "
                                        f"{msg.string if isinstance(msg.string, str) else msg.string[0]!r}")
    return problems
