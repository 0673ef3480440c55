"""The numbered clauses of a hearing's draft document: a pure parser of pasted plain text / Markdown.

`parse_clauses(text)` reads the document line by line. A line starts a new clause when, after
optional Markdown decoration (a heading mark "## ", a list dash, "**" around the marker), it begins
with one of these markers; anything else continues the clause before it:

  * an article heading — a keyword and a number: "Статья 5", "Article 5", "Art. 5", "Section 5",
    "Пункт 5", "Глава 2", "Chapter 2", "§ 5", and the Kazakh forms "5-бап", "5 бап", "бап 5",
    "5-тармақ", "2-тарау" (the number may be dotted: "Статья 5.1");
  * a dotted number: "1." / "1.2." / "1.2.3." followed by a space, or "1.2" (two or more parts, no
    final dot) followed by a space;
  * a number with a parenthesis: "2) " (a sub-point).

Each part of a number has at most three digits, so "2026 жылы" or "2026. год" starts no clause.
Letter items ("а)", "a)") and bullets continue the clause they are in.

Numbers are hierarchical, as in Kazakh and Russian legal drafts: a dotted point inside an article is
qualified by the article's number ("Статья 5" then "1." gives "5.1"; "5.1." stays "5.1"), and a
parenthesis sub-point by the point or article around it ("2." then "1)" gives "2.1"). A number that
would repeat gets "-2", "-3"… so that every clause keeps a distinct, stable number string, which is
what posts and questions cite and what the page's anchors (id="clause-<number>") use.

Text before the first marker (a title, a preamble) becomes a clause with the number "" (shown, not
citable). A document with no marker at all becomes numbered paragraphs: blocks separated by blank
lines, numbered "1", "2", ….
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

MAX_DOCUMENT_CHARS = 200_000
MAX_CLAUSES = 2_000
MAX_NUMBER = 20  # characters of a clause number (longer ones are not citable and are refused)

_NUM = r"\d{1,3}(?:\.\d{1,3})*"
_DECOR = r"^\s*(?:#{1,6}\s+|[-*+]\s+(?=\*\*))?(?:\*\*|__)?\s*"
_KEYWORDS = r"статья|ст\.|article|art\.|section|clause|пункт|глава|chapter|раздел|бап|тармақ|тарау|бөлім|§"
_KK_SUFFIX = r"бап|тармақ|тарау|бөлім"
_ARTICLE = re.compile(_DECOR + rf"(?P<label>(?:{_KEYWORDS})\s*(?P<num>{_NUM})\.?)(?=[\s*_:.]|$)", re.IGNORECASE)
_ARTICLE_KK = re.compile(_DECOR + rf"(?P<label>(?P<num>{_NUM})\s*-?\s*(?:{_KK_SUFFIX})\.?)(?=[\s*_:.]|$)", re.IGNORECASE)
_DOTTED = re.compile(_DECOR + rf"(?P<label>(?P<num>{_NUM})\.)(?:\*\*|__)?(?=\s|$)")
_MULTI = re.compile(_DECOR + r"(?P<label>(?P<num>\d{1,3}(?:\.\d{1,3})+))(?:\*\*|__)?(?=\s)")
_PAREN = re.compile(_DECOR + rf"(?P<label>(?P<num>{_NUM})\))(?:\*\*|__)?(?=\s|$)")

ARTICLE, POINT, SUBPOINT = 0, 1, 2


@dataclass(frozen=True)
class Clause:
    """number: the stable citation ("5.1"; "" for a preamble); label: the marker as written
    ("Статья 5.", "1)"); text: the clause's words after the marker, lines joined with "\\n"."""

    number: str
    label: str
    text: str


def _marker(line: str) -> tuple[int, str, str, str] | None:
    """(level, raw number, label as written, rest of the line) when the line starts a clause."""
    for level, pattern in ((ARTICLE, _ARTICLE), (ARTICLE, _ARTICLE_KK), (POINT, _DOTTED), (POINT, _MULTI),
                           (SUBPOINT, _PAREN)):
        m = pattern.match(line)
        if m:
            rest = line[m.end():].lstrip(" \t*_:").strip()
            if rest.startswith(("**", "__")):
                rest = rest[2:].strip()
            return level, m.group("num").rstrip("."), m.group("label").strip(), rest
    return None


def _qualified(number: str, parent: str | None) -> str:
    if not parent or number.startswith(parent + "."):
        return number
    return f"{parent}.{number}"


def _join(lines: list[str]) -> str:
    """Lines of one clause: blank runs become one blank line; edges trimmed."""
    out: list[str] = []
    for line in lines:
        line = line.rstrip()
        if not line.strip():
            if out and out[-1] != "":
                out.append("")
        else:
            out.append(line.strip())
    while out and out[-1] == "":
        out.pop()
    return "\n".join(out)


def _paragraphs(lines: list[str]) -> list[Clause]:
    blocks: list[list[str]] = [[]]
    for line in lines:
        if line.strip():
            blocks[-1].append(line)
        elif blocks[-1]:
            blocks.append([])
    texts = [_join(b) for b in blocks if b]
    return [Clause(str(i), f"{i}.", t) for i, t in enumerate(texts, start=1)]


def parse_clauses(text: str) -> list[Clause]:
    """The document's clauses in order (rules in the module docstring); [] for an empty text."""
    lines = (text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not any(line.strip() for line in lines):
        return []
    found = [(i, m) for i, m in ((i, _marker(line)) for i, line in enumerate(lines)) if m is not None]
    if not found:
        return _paragraphs(lines)
    clauses: list[Clause] = []
    preamble = _join(lines[:found[0][0]])
    if preamble:
        clauses.append(Clause("", "", preamble))
    parents: dict[int, str | None] = {ARTICLE: None, POINT: None}
    used: set[str] = set()
    for k, (start, (level, raw, label, rest)) in enumerate(found):
        end = found[k + 1][0] if k + 1 < len(found) else len(lines)
        if level == ARTICLE:
            number = raw
            parents = {ARTICLE: raw, POINT: None}
        elif level == POINT:
            number = _qualified(raw, parents[ARTICLE])
            parents[POINT] = number
        else:
            number = _qualified(raw, parents[POINT] or parents[ARTICLE])
        base, n = number, 1
        while number in used:
            n += 1
            number = f"{base}-{n}"
        used.add(number)
        clauses.append(Clause(number, label, _join([rest, *lines[start + 1:end]])))
    return clauses


@lru_cache(maxsize=64)
def document_clauses(text: str) -> tuple[Clause, ...]:
    """parse_clauses, remembered for the last documents seen (pages and checks parse the same text often)."""
    return tuple(parse_clauses(text))


def citable_clauses(text: str) -> list[Clause]:
    """The clauses a post or question may cite, in order (a preamble is not citable)."""
    return [c for c in document_clauses(text or "") if c.number and len(c.number) <= MAX_NUMBER]


def clause_numbers(text: str) -> list[str]:
    """The citable numbers of a document, in order."""
    return [c.number for c in citable_clauses(text)]
