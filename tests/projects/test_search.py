"""The search terms (asar.projects.search): Kazakh word forms reduced to their stem, Russian and
English through Snowball, the letters people type without a Kazakh keyboard, and the query texts
both databases are given. Pure functions; the databases are in test_browse.py."""

from __future__ import annotations

import pytest

from asar.projects.search import (
    fts5_query,
    kazakh_stem,
    pg_tsquery,
    query_alternatives,
    terms,
    word_stems,
)


@pytest.mark.parametrize(("word", "stem"), [
    ("мектептерине", "мектеп"),   # мектеп-тер-і-не: plural, possessive, dative (folded: і → и)
    ("мектептеринде", "мектеп"),  # plural, possessive, locative
    ("мектепке", "мектеп"),       # dative
    ("мектептин", "мектеп"),      # genitive
    ("мектеби", "мектеп"),        # possessive; б back to п
    ("мектебине", "мектеп"),
    ("балаларга", "бала"),        # plural, dative
    ("балаларына", "бала"),       # plural, possessive, dative after it
    ("жастарга", "жас"),
    ("ауылдагы", "ауыл"),         # locative-adjectival
    ("китабын", "китап"),         # possessive, accusative after it; б back to п
    ("китапханасы", "китапхана"),
    ("китапханага", "китапхана"),
    ("китапханалар", "китапхана"),
    ("китапхана", "китапхана"),   # -на, -а: not stripped where no possessive comes before
    ("жобаны", "жоба"),
    ("жобалармен", "жоба"),       # plural, instrumental
    ("ауыл", "ауыл"),
    ("ел", "ел"),                 # too short to strip anything
])
def test_kazakh_endings_are_stripped_in_order_case_possessive_plural(word: str, stem: str) -> None:
    assert kazakh_stem(word) == stem


def test_a_kazakh_word_typed_with_russian_letters_gives_the_same_terms() -> None:
    assert word_stems("мектептеріне") == word_stems("мектептерине")
    assert word_stems("кітапханаға") == word_stems("китапханага")
    assert "мектеп" in word_stems("мектептеріне")


def test_cyrillic_words_get_their_kazakh_and_russian_stems_latin_words_their_english_one() -> None:
    assert set(word_stems("библиотеки")) >= {"библиотек"}
    assert word_stems("libraries") == ("librari",)
    assert word_stems("schools") == ("school",)
    assert word_stems("2027") == ("2027",)


def test_function_words_give_no_terms() -> None:
    assert terms("для детей и молодёжи") == terms("детей молодёжи")
    assert terms("балалар мен жастар үшін") == terms("балалар жастар")
    assert query_alternatives("the of and") == []


def test_terms_of_the_issues_title_hold_the_stem_searched_for() -> None:
    title = terms("Ауыл мектептеріне кітапхана")
    (alternatives,) = query_alternatives("мектеп")
    assert any(term.startswith(stem) for stem, _prefix in alternatives for term in title)


def test_a_query_is_an_and_of_words_each_an_or_of_its_stems() -> None:
    alternatives = query_alternatives("Ауыл мектеп")
    assert pg_tsquery(alternatives) == "('ау' | 'ауыл':*) & ('мектеп':*)"
    assert fts5_query(alternatives) == '("ау" OR "ауыл"*) AND ("мектеп"*)'


def test_a_short_stem_cut_from_a_longer_word_matches_only_itself() -> None:
    # the Russian stem of «ауыл» is «ау»: as a prefix it would find every «аудан» (district)
    assert dict(query_alternatives("ауыл")[0]) == {"ау": False, "ауыл": True}


def test_query_words_are_bounded_and_repeats_dropped() -> None:
    assert len(query_alternatives(" ".join(f"сөз{i}" for i in range(30)))) == 8
    assert len(query_alternatives("мектеп мектеп Мектеп")) == 1


def test_query_text_cannot_break_out_of_its_quotes() -> None:
    # only letters and digits reach the query texts: quotes, operators and colons are separators
    alternatives = query_alternatives("мектеп' | !книга\" OR * : NEAR(")
    assert all(stem.isalnum() for word in alternatives for stem, _p in word)
