"""The clause parser (asar.hearings.clauses) on plain text: Russian, Kazakh and English drafts."""

from __future__ import annotations

from asar.hearings.clauses import Clause, citable_clauses, clause_numbers, parse_clauses

RUSSIAN = """ПРОЕКТ
Правила предоставления государственных грантов НПО

Статья 1. Общие положения
1. Настоящие правила определяют порядок предоставления грантов.
2. Гранты предоставляются:
1) неправительственным организациям;
2) инициативным группам
   на конкурсной основе.
Статья 2. Размер гранта
2.1. Размер гранта составляет до 3.5 млн тенге.
2026 жылы ничего не начинается здесь.
а) буквенный подпункт продолжает пункт.
"""

KAZAKH = """1-бап. Жалпы ережелер
Осы қағидалар гранттар беру тәртібін айқындайды.
2-бап. Гранттың мөлшері
1. Грант 5 миллион теңгеге дейін беріледі.
2. Есеп жыл сайын жарияланады.
3 бап Қорытынды ережелер
"""


def numbers(text: str) -> list[str]:
    return [c.number for c in parse_clauses(text)]


def test_russian_articles_points_and_sub_points_are_numbered_hierarchically() -> None:
    clauses = parse_clauses(RUSSIAN)
    assert [c.number for c in clauses] == ["", "1", "1.1", "1.2", "1.2.1", "1.2.2", "2", "2.1"]
    assert clauses[0] == Clause("", "", "ПРОЕКТ\nПравила предоставления государственных грантов НПО")
    assert clauses[1] == Clause("1", "Статья 1.", "Общие положения")
    assert clauses[2].label == "1." and clauses[4].label == "1)"
    # an unnumbered line continues the clause before it, indentation trimmed
    assert clauses[5].text == "инициативным группам\nна конкурсной основе."
    # "3.5" inside a line, a year at the start of a line and a letter item start no clause
    assert clauses[7].text == ("Размер гранта составляет до 3.5 млн тенге.\n2026 жылы ничего не начинается здесь.\n"
                               "а) буквенный подпункт продолжает пункт.")


def test_kazakh_articles() -> None:
    clauses = parse_clauses(KAZAKH)
    assert [c.number for c in clauses] == ["1", "2", "2.1", "2.2", "3"]
    assert clauses[0].label == "1-бап." and clauses[0].text.startswith("Жалпы ережелер\nОсы")
    assert clauses[4].label == "3 бап" and clauses[4].text == "Қорытынды ережелер"


def test_plain_numbered_lists_markdown_and_english_articles() -> None:
    assert numbers("1. One\n2. Two\n2.1 Two point one\n2.2. Two point two\n3) Three") == ["1", "2", "2.1", "2.2", "2.2.3"]
    doc = "# Draft\n## Article 4 Scope\nText.\n**5.** Bold marker\n- **6.** Bulleted bold\nArt. 7: Last"
    clauses = parse_clauses(doc)
    assert [c.number for c in clauses] == ["", "4", "4.5", "4.6", "7"]
    assert clauses[1].text == "Scope\nText." and clauses[2].text == "Bold marker" and clauses[4].text == "Last"
    assert numbers("1) a\n2) b") == ["1", "2"]  # parenthesis items at the top level


def test_repeated_numbers_stay_distinct() -> None:
    assert numbers("1. a\n2. b\n\nAnnex\n1. c\n2. d") == ["1", "2", "1-2", "2-2"]


def test_a_document_without_numbers_becomes_numbered_paragraphs() -> None:
    clauses = parse_clauses("Первый абзац,\nещё строка.\n\n\nВторой абзац.\n\n   \nТретий.")
    assert clauses == [Clause("1", "1.", "Первый абзац,\nещё строка."), Clause("2", "2.", "Второй абзац."),
                       Clause("3", "3.", "Третий.")]


def test_empty_and_blank_documents_have_no_clauses() -> None:
    assert parse_clauses("") == [] and parse_clauses(" \n\n\t\n") == []
    assert clause_numbers("") == []


def test_blank_lines_inside_a_clause_collapse_and_windows_line_ends_are_read() -> None:
    clauses = parse_clauses("1. First\r\n\r\n\r\nstill first\r\n2. Second\r\n")
    assert clauses == [Clause("1", "1.", "First\n\nstill first"), Clause("2", "2.", "Second")]


def test_citable_clauses_leave_out_the_preamble() -> None:
    assert [c.number for c in citable_clauses(RUSSIAN)] == ["1", "1.1", "1.2", "1.2.1", "1.2.2", "2", "2.1"]
    assert clause_numbers(RUSSIAN) == ["1", "1.1", "1.2", "1.2.1", "1.2.2", "2", "2.1"]
