"""A hearing's related item and draft document: the form and the API accept them (bad input changes
nothing), the page shows the clauses with anchors, posts and questions cite clauses, the minutes count them."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from asar.errors import Invalid
from asar.hearings import minutes, room, service
from asar.hearings.clauses import MAX_CLAUSES, MAX_DOCUMENT_CHARS
from asar.hearings.forms import parse_hearing
from asar.hearings.models import Hearing, HearingEvent, Post, Question
from asar.i18n import use_language
from tests.hearings.helpers import hearing_fields, live_hearing, person, registered
from tests.hearings.test_web import EN, api_token, form_fields, sign_in

pytestmark = pytest.mark.sqlite

DRAFT = """Проект правил предоставления грантов на социальный заказ

1. Гранты предоставляются неправительственным организациям области.
2. Размер гранта:
1) малый — до 3 млн тенге;
2) большой — до 15 млн тенге.
3. Отчёт публикуется на портале."""
DOCUMENT = {"document_title": "Проект правил о грантах", "document_text": DRAFT}


def test_parse_hearing_reads_the_related_item_and_the_document() -> None:
    data = parse_hearing(hearing_fields(related_kind="competition", related_title="Грант-2027",
                                        related_url="https://gov.kz/grants?year=2027", **DOCUMENT))
    assert (data.related_kind, data.related_title, data.related_url) == (
        "competition", "Грант-2027", "https://gov.kz/grants?year=2027")
    assert data.document_title == "Проект правил о грантах" and data.document_text == DRAFT
    plain = parse_hearing(hearing_fields(related_kind=""))
    assert plain.related_kind is None and plain.document_text == ""


@pytest.mark.parametrize(("fields", "field"), [
    ({"related_kind": "project", "related_title": "X", "related_url": "javascript:alert(1)"}, "related_url"),
    ({"related_kind": "project", "related_title": "X", "related_url": "ftp://files.kz/a"}, "related_url"),
    ({"related_kind": "project", "related_title": "X", "related_url": "https://"}, "related_url"),
    ({"related_kind": "project", "related_title": "X", "related_url": "https://a b.kz"}, "related_url"),
    ({"related_kind": "project", "related_title": "X", "related_url": "https://a.kz:99999/"}, "related_url"),
    ({"related_kind": "project", "related_title": "X", "related_url": "https://a.kz/" + "x" * 500}, "related_url"),
    ({"related_kind": "project", "related_title": ""}, "related_title"),
    ({"related_kind": "project", "related_title": "x" * 301}, "related_title"),
    ({"related_kind": "petition", "related_title": "X"}, "related_kind"),
    ({"related_title": "A title without a kind"}, "related_kind"),
    ({"document_title": "x" * 301, "document_text": "1. a"}, "document_title"),
    ({"document_title": "", "document_text": "1. a"}, "document_title"),
    ({"document_title": "Title only"}, "document_text"),
    ({"document_title": "Big", "document_text": "a" * (MAX_DOCUMENT_CHARS + 1)}, "document_text"),
    ({"document_title": "Many", "document_text": "\n\n".join(f"p{i}" for i in range(MAX_CLAUSES + 1))},
     "document_text"),
])
def test_bad_related_item_or_document_is_refused_with_a_translated_message(fields, field) -> None:
    with pytest.raises(Invalid) as exc:
        parse_hearing(hearing_fields(**fields))
    assert set(exc.value.errors) == {field}


async def test_a_post_or_question_cites_a_clause_of_the_document(session) -> None:
    _, chair = await person(session, "government")
    hearing = await live_hearing(session, chair, **DOCUMENT)
    _, speaker = await registered(session, hearing, "ngo")
    post, _ = await room.post_comment(session, speaker, hearing.id, "c1", "Raise the small grant", clause="2.1")
    assert post.clause == "2.1"
    question, _ = await room.ask_question(session, speaker, hearing.id, "q1", "Where is it published?", clause="3")
    plain, _ = await room.post_comment(session, speaker, hearing.id, "c2", "No clause", clause="")
    assert (question.clause, plain.clause) == ("3", None)
    events = (await session.execute(select(HearingEvent).where(HearingEvent.hearing_id == hearing.id)
                                    .order_by(HearingEvent.seq))).scalars().all()
    assert [e.payload.get("post", e.payload.get("question", {})).get("clause") for e in events[-3:]] == [
        "2.1", "3", None]


async def test_an_unknown_clause_is_refused_and_nothing_is_stored(session) -> None:
    _, chair = await person(session, "government")
    hearing = await live_hearing(session, chair, **DOCUMENT)
    _, speaker = await registered(session, hearing)
    for bad in ("9", "2.3", "1.", "x" * 40, "0", ["2.1"]):
        with pytest.raises(Invalid) as exc:
            await room.post_comment(session, speaker, hearing.id, "c", "Text", clause=bad)
        assert set(exc.value.errors) == {"clause"}
    with pytest.raises(Invalid):
        await room.ask_question(session, speaker, hearing.id, "q", "Text", clause="7")
    posts = (await session.execute(select(func.count(Post.id)).where(Post.hearing_id == hearing.id))).scalar_one()
    asked = (await session.execute(select(func.count(Question.id)).where(Question.hearing_id == hearing.id))
             ).scalar_one()
    assert (posts, asked) == (0, 0)


async def test_without_a_document_no_clause_can_be_cited(session) -> None:
    _, chair = await person(session, "government")
    hearing = await live_hearing(session, chair)
    _, speaker = await registered(session, hearing)
    with use_language("en"), pytest.raises(Invalid) as exc:
        await room.post_comment(session, speaker, hearing.id, "c", "Text", clause="1")
    assert "no document" in exc.value.errors["clause"]
    post, _ = await room.post_comment(session, speaker, hearing.id, "c", "Text")
    assert post.clause is None


async def test_the_minutes_show_each_questions_clause_and_the_most_discussed_clauses(session) -> None:
    _, chair = await person(session, "government")
    hearing = await live_hearing(session, chair, **DOCUMENT)
    _, a = await registered(session, hearing, "ngo")
    _, b = await registered(session, hearing, "business")
    await room.post_comment(session, a, hearing.id, "p1", "On grants", clause="1")
    await room.post_comment(session, b, hearing.id, "p2", "Small grant", clause="2.1")
    await room.post_comment(session, a, hearing.id, "p3", "Small grant again", clause="2.1")
    await room.ask_question(session, b, hearing.id, "q1", "Why 3 million?", clause="2.1")
    await room.ask_question(session, a, hearing.id, "q2", "A general question")
    await service.close_hearing(session, chair, hearing.id)
    hearing = await service.get_hearing(session, hearing.id)
    row = await minutes.minutes_row(session, hearing.id)
    data = await minutes.minutes_data(session, hearing, row)
    assert {q["body"]: q["clause"] for q in data["questions"]} == {"Why 3 million?": "2.1",
                                                                    "A general question": None}
    assert data["document"]["title"] == "Проект правил о грантах" and data["document"]["clauses"] == 5
    assert [(c["number"], c["posts"], c["questions"]) for c in data["document"]["discussed"]] == [
        ("2.1", 2, 1), ("1", 1, 0)]
    with use_language("en"):
        markdown = minutes.to_markdown(data)
    assert "On clause 2.1" in markdown and "| 2.1 | 2 | 1 |" in markdown
    with use_language("kk"):
        assert "2.1-тармаққа қатысты" in minutes.to_markdown(data)
    assert any(r["section"] == "clause" and r["number"] == "2.1" for r in minutes.csv_rows(data))


# ---------------------------------------------------------------- pages and API
async def test_the_form_round_trips_the_document_and_the_page_anchors_each_clause(client, session) -> None:
    official_user, _ = await person(session, "government")
    csrf = await sign_in(client, session, official_user)
    fields = form_fields(related_kind="draft", related_title="Проект на портале",
                         related_url="https://legalacts.egov.kz/npa/view?id=1", **DOCUMENT)
    r = await client.post("/hearings", data={**fields, "_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303, r.text
    path = r.headers["location"]
    page = (await client.get(path, headers=EN)).text
    for number in ("1", "2", "2.1", "2.2", "3"):
        assert f'id="clause-{number}"' in page and f'href="#clause-{number}"' in page
    assert "Проект правил о грантах" in page and 'href="https://legalacts.egov.kz/npa/view?id=1"' in page
    edit = (await client.get(f"{path}/edit", headers=EN)).text
    assert "1) малый — до 3 млн тенге;" in edit and 'value="draft" checked' in edit

    bad = {**fields, "related_url": "javascript:alert(1)", "document_text": "x" * (MAX_DOCUMENT_CHARS + 1),
           "title": "Changed title", "_csrf_token": csrf}
    r = await client.post(f"{path}/edit", data=bad, headers=EN)
    assert r.status_code == 400
    assert "starts with http:// or https://" in r.text and "The document is too long" in r.text
    hearing = (await session.execute(select(Hearing).where(Hearing.id == int(path.rsplit("/", 1)[1])))
               ).scalar_one()
    await session.refresh(hearing)
    assert hearing.title == "Clean air in Almaty" and hearing.document_text == DRAFT  # nothing changed

    r = await client.post(f"{path}/edit", data={**fields, "document_title": "", "_csrf_token": csrf}, headers=EN)
    assert r.status_code == 400 and "Give the document a title." in r.text
    r = await client.post(f"{path}/edit", data={**fields, "related_kind": "", "related_title": "",
                                                 "related_url": "", "_csrf_token": csrf}, headers=EN)
    assert r.status_code == 303
    await session.refresh(hearing)
    assert hearing.related_kind is None and hearing.related_title == ""


async def test_the_form_errors_are_translated(client, session) -> None:
    official_user, _ = await person(session, "government")
    official_user.language = "ru"
    await session.flush()
    csrf = await sign_in(client, session, official_user)
    r = await client.post("/hearings", data={**form_fields(related_kind="project", related_title="X",
                                                           related_url="ftp://x.kz", document_title="Проект",
                                                           document_text="a" * (MAX_DOCUMENT_CHARS + 1)),
                                             "_csrf_token": csrf})
    assert r.status_code == 400
    assert "Введите веб-адрес, начинающийся с http:// или https://." in r.text
    assert "Документ слишком длинный" in r.text


async def test_the_api_accepts_and_returns_the_document_and_refuses_bad_input(client, session) -> None:
    official_user, _ = await person(session, "government")
    chair = await api_token(session, official_user)
    body = {"title": "API hearing", "starts_at": "2031-05-05T09:00:00+05:00", "related_kind": "project",
            "related_title": "Грантовый конкурс", "related_url": "http://grants.kz", **DOCUMENT}
    r = await client.post("/api/v1/hearings", json=body, headers=chair)
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["related"] == {"kind": "project", "title": "Грантовый конкурс", "url": "http://grants.kz"}
    assert out["document_title"] == "Проект правил о грантах"
    assert [c["number"] for c in out["clauses"]] == ["", "1", "2", "2.1", "2.2", "3"]
    assert out["clauses"][3] == {"number": "2.1", "label": "1)", "text": "малый — до 3 млн тенге;"}
    again = (await client.get(f"/api/v1/hearings/{out['id']}", headers=chair)).json()
    assert again["clauses"] == out["clauses"]
    listed = (await client.get("/api/v1/hearings?status=draft", headers=chair)).json()["items"]
    mine = next(h for h in listed if h["id"] == out["id"])  # lists stay small: no document text or clauses
    assert (mine["document_title"], mine["document_text"], mine["clauses"]) == ("Проект правил о грантах", "", [])

    before = (await session.execute(select(func.count(Hearing.id)))).scalar_one()
    for bad, field in (({"related_url": "mailto:a@b.kz"}, "related_url"),
                       ({"document_text": "a" * (MAX_DOCUMENT_CHARS + 1)}, "document_text"),
                       ({"related_title": "x" * 400}, "related_title")):
        r = await client.post("/api/v1/hearings", json={**body, **bad}, headers=chair)
        assert r.status_code == 400, r.text
        assert field in r.json()["error"]["fields"]
    r = await client.post("/api/v1/hearings", json={**body, "document_text": 5}, headers=chair)
    assert r.status_code == 400
    assert (await session.execute(select(func.count(Hearing.id)))).scalar_one() == before
    plain = (await client.post("/api/v1/hearings", json={"title": "Plain", "starts_at": "2031-05-05T09:00"},
                               headers=chair)).json()
    assert plain["related"] is None and plain["clauses"] == []


async def test_the_room_links_to_the_document_and_a_post_shows_its_clause(client, session) -> None:
    _, chair = await person(session, "government")
    hearing = await live_hearing(session, chair, **DOCUMENT)
    user, speaker = await registered(session, hearing, "ngo")
    await room.post_comment(session, speaker, hearing.id, "c1", "About the big grant", clause="2.2")
    await sign_in(client, session, user)
    page = (await client.get(f"/hearings/{hearing.id}/room", headers=EN)).text
    assert f'href="/hearings/{hearing.id}#document"' in page
    assert f'href="/hearings/{hearing.id}#clause-2.2">On clause 2.2</a>' in page
    assert '<select id="post-clause" name="clause" form="post-form">' in page and '<option value="2.2">' in page
