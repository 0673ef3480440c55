"""The minutes as a PDF: drawn from the same minutes data as the other downloads, in the reader's
language, with Kazakh Cyrillic intact; the download follows the rules of the other exports."""

from __future__ import annotations

import io
from datetime import date, timedelta

import pytest
from pypdf import PdfReader
from sqlalchemy import select

from asar.hearings import commitments, minutes, room, service
from asar.hearings.forms import parse_hearing
from asar.hearings.minutes_pdf import REPLACEMENT, clean, minutes_pdf
from asar.i18n import use_language
from asar.reference.models import Region
from tests.hearings.helpers import hearing_fields, live_hearing, person, registered, sector_poll

pytestmark = pytest.mark.sqlite
TITLE = "Алматының жасыл желегі туралы қоғамдық тыңдау"
QUESTION = "Ағаштар қай көшелерде өседі? Ұсыныс: Әуезов ауданы, Құрманғазы көшесі"
ANSWER = "Абай даңғылы мен Сәтбаев көшесінің бойында."


def text_of(pdf: bytes) -> str:
    reader = PdfReader(io.BytesIO(pdf))
    return "\n".join(page.extract_text() for page in reader.pages)


def flat(text: str) -> str:
    """Extracted text with line breaks and repeated spaces folded (wrapping splits lines anywhere)."""
    return " ".join(text.split())


async def closed_kazakh_hearing(session):
    """Closed: a Kazakh title, an answered question, a poll with votes from every sector, a decision
    and a commitment."""
    _user, official = await person(session, "government")
    region = (await session.execute(select(Region).order_by(Region.id).limit(1))).scalar_one_or_none()
    hearing = await live_hearing(session, official, title=TITLE, format="hybrid", venue="Абай даңғылы, 90",
                                 region_id=str(region.id) if region else "")
    await service.register(session, official, hearing.id)
    people = {s: await registered(session, hearing, s) for s in ("business", "ngo", "citizen")}
    q, _dup = await room.ask_question(session, people["ngo"][1], hearing.id, "q1", QUESTION)
    await room.upvote_question(session, people["citizen"][1], hearing.id, q.id)
    await room.answer_question(session, official, hearing.id, q.id, ANSWER)
    await sector_poll(session, official, hearing, people, "Жоспарды қолдайсыз ба?", "Иә\nЖоқ")
    await service.close_hearing(session, official, hearing.id)
    await minutes.add_decision(session, official, hearing.id, "Көктемде 500 ағаш отырғызылсын.")
    org = people["ngo"][1].organization
    await commitments.add_commitment(session, official, hearing.id, commitments.CommitmentInput(
        "Көшеттерді сатып алу", org.id, date.today() + timedelta(days=60)))
    return hearing, official, region


async def test_the_pdf_carries_the_minutes_in_each_language(session) -> None:
    hearing, official, region = await closed_kazakh_hearing(session)
    hearing, row = await minutes.closed_hearing(session, official, hearing.id)
    headings = {"kk": ("Хаттама", "Күн тәртібі", "Шешімдер"),
                "ru": ("Протокол", "Повестка", "Решения"),
                "en": ("Minutes", "Agenda", "Decisions")}
    for lang, words in headings.items():
        with use_language(lang):  # as a request in that language builds it (names of regions, organizations)
            data = await minutes.minutes_data(session, hearing, row, base_url="https://asar.example.kz")
        pdf = minutes_pdf(data, lang)
        assert pdf.startswith(b"%PDF-")
        text = flat(text_of(pdf))
        assert TITLE in text, lang
        assert QUESTION in text and ANSWER in text
        assert "Жоспарды қолдайсыз ба?" in text and "3 (75%)" in text  # the poll: «Иә» 3 of 4 voters
        assert "Көктемде 500 ағаш отырғызылсын." in text and "Көшеттерді сатып алу" in text
        assert "https://asar.example.kz/hearings/" in text and "/minutes" in text
        for word in words:
            assert word in text, (lang, word)
        if region is not None:
            assert getattr(region, f"name_{lang}") in text
    kk = flat(text_of(minutes_pdf(data, "kk")))
    assert "Мемлекет" in kk and "Бизнес" in kk  # poll table by sector, in Kazakh
    assert "беттің 1-беті" in kk  # page numbers in the reader's language
    en = flat(text_of(minutes_pdf(data, "en")))
    assert "Page 1 of" in en and "Single choice" in en and "Open" in en  # the commitment's status


def test_the_pdf_tolerates_missing_optional_sections_and_extra_keys() -> None:
    from datetime import UTC, datetime

    now = datetime(2026, 12, 1, 5, tzinfo=UTC)
    data = {
        "hearing": {"id": 1, "title": "Тыңдау 🙂", "topic": "", "organizer": None, "starts_at": now,
                    "duration_minutes": 60, "opened_at": None, "closed_at": now, "format": "online",
                    "venue": "", "url": "/hearings/1", "new_field": [1, 2]},
        "status": "draft", "produced_at": now, "published_at": None, "agenda": [], "attendance": [],
        "questions": [], "polls": [], "moderation": {"total": 0, "by_action": {}, "reasons": []},
        "decisions": [{"id": 1, "position": 1, "text": "Бір шешім", "citations": [{"number": "5.1"}]}],
        "commitments": [],
        "speakers": [{"number": 1, "name": "Айгүл Сейітқызы", "sector": "ngo", "note": "Су туралы",
                      "started_at": now, "ended_at": None, "seconds": 185, "unknown": True}],
        "document": {"title": "Ереже жобасы", "clauses": 3,
                     "discussed": [{"number": "2.1", "text": "Ағаштар " * 60, "posts": 4, "questions": 1, "total": 5}]},
        "something_new": {"x": 1},
    }
    text = flat(text_of(minutes_pdf(data, "en")))
    assert "Тыңдау" in text and "No agenda." in text and "No polls were held." in text
    assert "Айгүл Сейітқызы" in text and "Су туралы" in text and "3:05" in text and "On clause 5.1" in text
    assert "Discussion of the document: Ереже жобасы" in text and "2.1 Ағаштар" in text and "…" in text
    del data["speakers"], data["document"]
    text = flat(text_of(minutes_pdf(data, "en")))
    assert "Айгүл" not in text and "Speakers" not in text and "Ереже" not in text


def test_clean_keeps_kazakh_and_marks_what_the_font_cannot_draw() -> None:
    assert clean("әғқңөұүһі ӘҒҚҢӨҰҮҺІ") == "әғқңөұүһі ӘҒҚҢӨҰҮҺІ"
    assert clean("a\u202fb\u0007c\td\r\ne") == "a\u00a0bc d\ne"
    assert clean("дерек 🌳") == f"дерек {REPLACEMENT}"


async def test_the_pdf_download_follows_the_other_exports(client, session) -> None:
    hearing, official, _region = await closed_kazakh_hearing(session)
    r = await client.get(f"/hearings/{hearing.id}/minutes", headers={"accept-language": "kk"})
    assert r.status_code == 200 and f'href="/hearings/{hearing.id}/minutes.pdf"' in r.text
    r = await client.get(f"/hearings/{hearing.id}/minutes.pdf", headers={"accept-language": "kk"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="hearing-{hearing.id}-minutes.pdf"'
    assert r.content.startswith(b"%PDF-")
    text = flat(text_of(r.content))
    assert TITLE in text and "Хаттама" in text and QUESTION in text
    # a hearing not closed yet has no minutes: the same translated 404 as the other downloads
    live = await live_hearing(session, official, title="Әлі ашық тыңдау")
    for ext in ("md", "pdf"):
        r = await client.get(f"/hearings/{live.id}/minutes.{ext}", headers={"accept-language": "kk"})
        assert r.status_code == 404 and "Хаттама тыңдау аяқталғанда жасалады." in r.text
    r = await client.get(f"/hearings/{live.id}/minutes.pdf", headers={"accept-language": "ru"})
    assert r.status_code == 404 and "Протокол составляется при завершении слушаний." in r.text
    # a hearing the visitor may not see (a draft) is not found either
    draft = await service.create_hearing(session, official, parse_hearing(hearing_fields(title="Жоба")))
    assert (await client.get(f"/hearings/{draft.id}/minutes.pdf")).status_code == 404
    assert (await client.get("/hearings/999999/minutes.pdf")).status_code == 404
