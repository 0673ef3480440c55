"""Full-text search over projects in Kazakh, Russian and English, the same on PostgreSQL and SQLite.

Neither database knows Kazakh (PostgreSQL ships no Kazakh stemmer, SQLite's FTS5 none at all), and a
project's language is not known word by word (a Kazakh title may sit in the Russian field; Russian
and Kazakh share most Cyrillic letters). So words are reduced to search terms here, in Python, for
the text stored and for the query alike, and the databases only match terms:

- `terms(text)`: each word, lower-cased, is folded (the Kazakh letters to their nearest Russian ones,
  ә→а, і→и, қ→к, ң→н, ғ→г, ө→о, ұ/ү→у, һ→х, ё→е: people without a Kazakh keyboard type them so)
  and reduced to its stems: a Cyrillic word to its Kazakh stem (`kazakh_stem`: case, possessive and
  plural endings stripped) and its Russian one (Snowball), a Latin word to its English one
  (Snowball). A word gives both Cyrillic stems because either language may be meant; a few short
  function words (и, для, және, үшін, the, of, ...) give none.
- The stored document (`ProjectSearch`, one row per project, written by `refresh_document` when the
  project is saved) holds the terms of its titles (weighted higher) and of its summaries and
  description, space-separated.
- A query matches a project when every query word has a stem that begins some term of the project
  (prefix match: a word still being typed matches, and so does a stem cut shorter in the query than
  in the text). PostgreSQL: a GIN index on `array_to_tsvector` of the terms (weights A and B) and a
  `tsquery` of `'stem':*` alternatives, ranked by `ts_rank`; SQLite: an FTS5 table kept in step with
  `project_search` by triggers, queried with `"stem"*`, ranked by `bm25`.

So searching `мектеп` finds «Ауыл мектептеріне кітапхана»: мектептеріне → мектеп-тер-і-не (school,
plural, its, to) → мектеп.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import snowballstemmer
from sqlalchemy import JSON, ForeignKey, Index, Text
from sqlalchemy.dialects.postgresql import ARRAY, TSVECTOR
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from asar.db import Base, BigId, upsert_insert

# ---------------------------------------------------------------- words to terms
_WORD = re.compile(r"[^\W_]+", re.UNICODE)  # runs of letters and digits
_FOLD = str.maketrans("әіқңғөұүһё", "аикнгоуухе")
_CYRILLIC = re.compile("[а-я]")
_LATIN = re.compile("[a-z]")
_VOWELS = frozenset("аеиоуыэюя")

MAX_QUERY_WORDS = 8  # more words than this in a query are ignored (each one is an AND)

# Function words that say nothing about a project (folded, as the words are when looked up).
STOP_WORDS = frozenset(["и", "в", "во", "на", "с", "со", "к", "ко", "по", "о", "об", "от", "до", "для", "из", "за", "у", "не", "но", "а", "или", "что", "как", "это", "при", "над", "под", "про", "без", "его", "её", "их", "мен", "бен", "пен", "жане", "үшин", "ушин", "да", "де", "та", "те", "ма", "ме", "па", "пе", "бул", "сол", "осы", "кей", "ар", "бир", "мен", "сен", "ол", "биз", "the", "a", "an", "and", "or", "of", "to", "in", "on", "for", "with", "by", "at", "from", "is", "are", "be", "this", "that", "as", "it", "its"])

# Kazakh endings in folded spelling (ғ→г, қ→к, ң→н, і→и), longest first within each group.
# Case endings come after possessive ones, which come after the plural: stripped in that order.
_CASE = (
    # locative-adjectival (ауылдағы: the one in the village)
    "ндагы", "ндеги", "дагы", "деги", "тагы", "теги",
    # instrumental
    "менен", "бенен", "пенен", "мен", "бен", "пен",
    # ablative
    "нан", "нен", "дан", "ден", "тан", "тен",
    # genitive
    "нын", "нин", "дын", "дин", "тын", "тин",
    # locative
    "нда", "нде", "да", "де", "та", "те",
    # dative
    "га", "ге", "ка", "ке",
    # accusative
    "ны", "ни", "ды", "ди", "ты", "ти",
)
# Endings that only follow a possessive (мектебіне, үйіме, кітабын): stripped with the possessive
# left to the next step, so that a word merely ending in -на, -а or -н keeps it (кітапхана).
_AFTER_POSSESSIVE = (("на", ("ы", "и")), ("не", ("ы", "и")), ("нда", ("ы", "и")), ("нде", ("ы", "и")),
                     ("а", ("ым", "им", "ын", "ин")), ("е", ("ым", "им", "ын", "ин")), ("н", ("ы", "и")))
_POSSESSIVE = ("ымыз", "имиз", "мыз", "миз", "ынызга", "ыныз", "иниз", "ныз", "низ",
               "сы", "си", "ым", "им", "ын", "ин", "ы", "и")
_PLURAL = ("лар", "лер", "дар", "дер", "тар", "тер")
_VOICED_FINAL = str.maketrans("бг", "пк")  # мектебі → мектеб → мектеп, көмегі → көмек
MIN_STEM = 3


def _strip(word: str, endings: Iterable[str]) -> str | None:
    for ending in endings:
        if word.endswith(ending):
            rest = word[: -len(ending)]
            if len(rest) >= MIN_STEM and any(c in _VOWELS for c in rest):
                return rest
    return None


def kazakh_stem(word: str) -> str:
    """The stem of a folded Kazakh word: its case, possessive and plural endings stripped."""
    stem = _strip(word, _CASE)
    if stem is None:
        stem = word
        for ending, before in _AFTER_POSSESSIVE:
            candidate = word[: -len(ending)]
            if word.endswith(ending) and candidate.endswith(before) and len(candidate) > MIN_STEM:
                stem = candidate
                break
    stem = _strip(stem, _POSSESSIVE) or stem
    stem = _strip(stem, _PLURAL) or stem
    if stem != word:
        stem = stem[:-1] + stem[-1].translate(_VOICED_FINAL)
    return stem


_russian = snowballstemmer.stemmer("russian")
_english = snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def word_stems(word: str) -> tuple[str, ...]:
    """The search terms of one word (lower-case, as _WORD finds it): its stems, none for a stop word."""
    folded = word.translate(_FOLD)
    if folded in STOP_WORDS:
        return ()
    if _CYRILLIC.search(folded):
        stems = {kazakh_stem(folded), _russian.stemWord(folded)}
    elif _LATIN.search(folded):
        stems = {_english.stemWord(folded)}
    else:  # digits (a year, a number), other scripts
        stems = {folded}
    return tuple(sorted(s for s in stems if s))


def words(value: str) -> list[str]:
    return _WORD.findall(value.lower())


def terms(value: str) -> list[str]:
    """Every search term of a text, in order, without repeats."""
    seen: dict[str, None] = {}
    for word in words(value):
        for stem in word_stems(word):
            seen[stem] = None
    return list(seen)


PREFIX_FROM = 4  # a stem this long or longer (or the whole word) matches as a prefix


def query_alternatives(query: str) -> list[tuple[tuple[str, bool], ...]]:
    """A query as what each of its words may match: per word, its stems with whether each matches
    as a prefix (stop words and repeats dropped, at most MAX_QUERY_WORDS words). A short stem cut
    from a longer word matches only itself: the Russian stem of «ауыл» is «ау», which must not find
    every «аудан». Empty when nothing searchable is left."""
    out: list[tuple[tuple[str, bool], ...]] = []
    for word in words(query):
        folded = word.translate(_FOLD)
        stems = tuple((s, len(s) >= PREFIX_FROM or s == folded) for s in word_stems(word))
        if stems and stems not in out:
            out.append(stems)
        if len(out) == MAX_QUERY_WORDS:
            break
    return out


def pg_tsquery(alternatives: list[tuple[tuple[str, bool], ...]]) -> str:
    """The PostgreSQL tsquery text: every word must match one of its stems."""
    return " & ".join("(" + " | ".join(f"'{s}'" + (":*" if prefix else "") for s, prefix in stems) + ")"
                      for stems in alternatives)


def fts5_query(alternatives: list[tuple[tuple[str, bool], ...]]) -> str:
    """The SQLite FTS5 query text, the same meaning as pg_tsquery."""
    return " AND ".join("(" + " OR ".join(f'"{s}"' + ("*" if prefix else "") for s, prefix in stems) + ")"
                        for stems in alternatives)


# ---------------------------------------------------------------- the stored document
# The PostgreSQL document, kept in project_search.document by a trigger (migration 0012).
PG_DOCUMENT_SQL = ("(setweight(array_to_tsvector(string_to_array(title_terms, ' ')), 'A') || "
                   "setweight(array_to_tsvector(string_to_array(body_terms, ' ')), 'B'))")


class ProjectSearch(Base):
    """The search terms of one project (see the module's docstring). On PostgreSQL `document` is
    their tsvector, written by a trigger from the terms and indexed (GIN); on SQLite it stays empty
    and the FTS5 table `project_search_fts`, kept in step by triggers, does the matching."""

    __tablename__ = "project_search"
    __table_args__ = (Index("ix_project_search_document", "document", postgresql_using="gin"),
                      Index("ix_project_search_facets", "facets", postgresql_using="gin"))

    project_id: Mapped[int] = mapped_column(BigId, ForeignKey("projects.id", ondelete="CASCADE"),
                                            primary_key=True)
    title_terms: Mapped[str] = mapped_column(Text, default="")
    body_terms: Mapped[str] = mapped_column(Text, default="")
    document: Mapped[Any] = mapped_column(TSVECTOR().with_variant(Text(), "sqlite"), nullable=True)
    # What the list filters on in the project's child rows (facets()), for PostgreSQL's GIN
    # index: one `@>` finds the projects of a region, settlement, area and target group at once.
    facets: Mapped[list[str] | None] = mapped_column(ARRAY(Text()).with_variant(JSON(), "sqlite"), nullable=True)


SETTLEMENT_SERVES = {"urban": ("urban",), "rural": ("rural",), "both": ("urban", "rural", "both")}


def facets(regions: Iterable[tuple[int, str]], area_ids: Iterable[int], target_codes: Iterable[str]) -> list[str]:
    """The facet strings of a project: `r<id>` per region, `r<id>:<s>` and `s:<s>` for each
    settlement filter value the region's settlement type serves (a project in towns and villages
    serves both filters, and "both"), `a<id>` per area, `t:<code>` per target group."""
    out: dict[str, None] = {}
    for region_id, settlement in regions:
        out[f"r{region_id}"] = None
        for served in SETTLEMENT_SERVES.get(settlement, ()):
            out[f"r{region_id}:{served}"] = None
            out[f"s:{served}"] = None
    for area_id in area_ids:
        out[f"a{area_id}"] = None
    for code in target_codes:
        out[f"t:{code}"] = None
    return list(out)


def filter_facets(region: int | None, settlement: str | None, area: int | None, target: str | None) -> list[str]:
    """The facets a project must all have to pass these filters."""
    wanted = []
    if region and settlement:
        wanted.append(f"r{region}:{settlement}")
    elif region:
        wanted.append(f"r{region}")
    elif settlement:
        wanted.append(f"s:{settlement}")
    if area:
        wanted.append(f"a{area}")
    if target:
        wanted.append(f"t:{target}")
    return wanted


FTS_TABLE = "project_search_fts"


def document_terms(titles: Iterable[str], bodies: Iterable[str]) -> tuple[str, str]:
    """(title terms, body terms) of a project, as stored."""
    return " ".join(terms(" ".join(t for t in titles if t))), " ".join(terms(" ".join(b for b in bodies if b)))


def project_document(project: Any) -> tuple[str, str]:
    """The stored terms of a project (any object with the Project's text attributes)."""
    return document_terms(
        (project.title_kk, project.title_ru, project.title_en),
        (project.summary_kk, project.summary_ru, project.summary_en, project.description),
    )


async def refresh_document(db: AsyncSession, project: Any) -> None:
    """Store the project's search terms and facets (call in the verb that saves the project,
    after a flush gave it its id and its regions, areas and target groups): one upsert of its
    project_search row. The list finds a project by words or by region, area or target group
    only once this has run for it."""
    title_terms, body_terms = project_document(project)
    values = {"title_terms": title_terms, "body_terms": body_terms,
              "facets": facets([(r.region_id, r.settlement) for r in project.regions], project.area_ids,
                               project.target_groups)}
    stmt = upsert_insert(db)(ProjectSearch.__table__).values(project_id=project.id, **values)
    await db.execute(stmt.on_conflict_do_update(index_elements=["project_id"], set_=values))


# ---------------------------------------------------------------- the query
def search_text(dialect: str, query: str) -> str | None:
    """The bound `search` value of the list statement (asar.projects.listing), or None when the query has nothing searchable."""
    alternatives = query_alternatives(query)
    if not alternatives:
        return None
    return pg_tsquery(alternatives) if dialect == "postgresql" else fts5_query(alternatives)

