"""Matching on the database: "matched for you" with its reasons (page and API), the likely sponsors
and suggestions of a project (panel and API), the tables noticing new projects and profiles, and
the weekly digest (once per business and week, through the notification preferences). PostgreSQL
and SQLite."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, update

from asar.db import utcnow
from asar.mail.models import OutboxMail
from asar.matching import service
from asar.notifications import service as notifications
from asar.notifications.models import Notification
from asar.projects.models import Project
from tests.factories import BASE_URL, make_user
from tests.hearings.helpers import actor_of, join, make_org
from tests.matching.helpers import M, make_project, make_sponsor
from tests.organizations.helpers import area, bearer, sign_in

pytestmark = pytest.mark.sqlite


async def ngo_with_member(session: Any, name: str = "Ауыл балалары") -> tuple[Any, Any]:
    ngo = await make_org(session, "ngo", name=name)
    user = await make_user(session, name="NGO member", language="ru")
    await join(session, user, ngo)
    return ngo, user


async def test_matched_for_you_ranks_projects_and_explains_each(client: Any, session: Any) -> None:
    ngo, _ = await ngo_with_member(session)
    org, user, _profile = await make_sponsor(session, prefers_rural=True)
    # the sponsor: education (weight 3) in Almaty (KZ-75), children, 1M-5M ₸, villages first
    best = await make_project(session, ngo.id, "Ауыл мектептеріне кітапхана", groups=("children",),
                              regions=(("KZ-75", "rural"),))
    weaker = await make_project(session, ngo.id, "Городской спортзал", areas=("sport",),
                                regions=(("KZ-71", "urban"),))
    await make_project(session, ngo.id, "Черновик", status="draft")  # not published: never matched
    await make_project(session, ngo.id, "Уже собрано", committed=4 * M)  # no gap left
    headers = {**await bearer(session, user), "accept-language": "ru"}
    r = await client.get(f"/api/v1/organizations/{org.id}/matches", headers=headers)
    assert r.status_code == 200, r.text
    items = r.json()
    assert [i["project_id"] for i in items] == [best.id, weaker.id]
    top = items[0]
    # education 30, Almaty 20, children 10 (1 of 1), 4M within 1M..5M 20, track: nothing completed,
    # nothing due (2), verified today (0) -> 2, rural 5, start in 30 days 5: 92
    assert top["score"] == 92.0
    assert [(x["factor"], x["points"]) for x in top["reasons"]] == [
        ("area", 30.0), ("region", 20.0), ("target_groups", 10.0), ("budget", 20.0), ("track_record", 2.0),
        ("rural", 5.0), ("start", 5.0)]
    texts = {x["factor"]: x["text"] for x in top["reasons"]}
    assert "основная сфера спонсора" in texts["area"]
    assert texts["region"].startswith("Проект работает в одном из регионов спонсора: Алматы")
    assert "4\u00a0000\u00a0000\u00a0₸" in texts["budget"]
    assert items[1]["score"] < top["score"]

    await sign_in(client, session, user)
    page = await client.get("/matches")
    assert page.status_code == 200
    assert "Ауыл мектептеріне кітапхана" in page.text and "Черновик" not in page.text
    assert "основная сфера спонсора" in page.text and "92" in page.text
    assert f'href="/projects/{best.id}"' in page.text  # the project's page (asar.projects)
    assert top["url"] == f"/projects/{best.id}"


async def test_the_project_panel_shows_likely_sponsors_and_what_would_raise_the_match(
        client: Any, session: Any) -> None:
    ngo, member = await ngo_with_member(session)
    project = await make_project(session, ngo.id, "Библиотека", groups=("children",), goal=12 * M,
                                 tranches=(12 * M,))
    # two sponsors want disabled people too; both give at most 5M, so a 12M single tranche is too big
    a, _u, _p = await make_sponsor(session, "Steppe Oil", target_groups=["children", "disabilities"])
    b, _u2, _p2 = await make_sponsor(session, "Altyn Bank", target_groups=["disabilities"])
    headers = {**await bearer(session, member), "accept-language": "ru"}
    r = await client.get(f"/api/v1/projects/{project.id}/sponsor-matches", headers=headers)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["matchable"] is True
    assert [s["organization_id"] for s in body["sponsors"]] == [a.id, b.id]
    codes = [s["code"] for s in body["suggestions"]]
    assert codes[:2] == ["add_target_group", "split_milestones"]
    assert "Люди с инвалидностью" in body["suggestions"][0]["text"]
    assert "5\u00a0000\u00a0000\u00a0₸" in body["suggestions"][1]["text"]
    await sign_in(client, session, member)
    panel = await client.get(f"/projects/{project.id}/sponsor-matches")
    assert panel.status_code == 200
    assert "Steppe Oil" in panel.text and "Что повысит соответствие" in panel.text

    # someone outside the NGO sees none of it
    outsider = await make_user(session, name="Outsider")
    r = await client.get(f"/api/v1/projects/{project.id}/sponsor-matches",
                         headers=await bearer(session, outsider))
    assert r.status_code == 403


async def test_the_tables_see_new_projects_and_profiles_at_once(session: Any) -> None:
    ngo, member = await ngo_with_member(session)
    org, user, _ = await make_sponsor(session)
    actor = await actor_of(session, user)
    first = await make_project(session, ngo.id, "Первый")
    assert [m.project.id for m in (await service.matches_for_sponsor(session, actor, org.id))[2]] == [first.id]
    second = await make_project(session, ngo.id, "Второй", groups=("children",))
    assert [m.project.id for m in (await service.matches_for_sponsor(session, actor, org.id))[2]] == \
        [second.id, first.id]
    # a project that leaves "published" leaves the matches
    await session.execute(update(Project).where(Project.id == second.id).values(status="cancelled"))
    await session.commit()
    assert [m.project.id for m in (await service.matches_for_sponsor(session, actor, org.id))[2]] == [first.id]
    # a new sponsor profile is among the project's likely sponsors at once
    ngo_actor = await actor_of(session, member)
    before = await service.sponsors_for_project(session, ngo_actor, first.id)
    other, _u, _p = await make_sponsor(session, "Altyn Bank")
    after = await service.sponsors_for_project(session, ngo_actor, first.id)
    assert {s.organization.id for s in after.sponsors} == {s.organization.id for s in before.sponsors} | {other.id}


async def test_the_weekly_digest_tells_each_sponsor_once_a_week(session: Any) -> None:
    ngo, _ = await ngo_with_member(session)
    org, user, _ = await make_sponsor(session)
    quiet = await make_user(session, name="No mail, please")
    await join(session, quiet, org)
    await notifications.set_preference(session, await actor_of(session, quiet), "matching_digest", email="never")
    await make_project(session, ngo.id, "Новая библиотека", groups=("children",))  # published yesterday
    await make_project(session, ngo.id, "Старый проект", published_days_ago=20)  # not new this week
    now = utcnow()
    assert await service.send_weekly_digest(session, base_url=BASE_URL, now=now) == 2
    await session.commit()
    assert await service.send_weekly_digest(session, base_url=BASE_URL, now=now + timedelta(hours=3)) == 0
    await session.commit()
    rows = (await session.execute(select(Notification).where(Notification.kind == "matching_digest"))).scalars().all()
    assert sorted(n.user_id for n in rows) == sorted([user.id, quiet.id])
    assert [i["titles"]["ru"] for i in rows[0].params["items"]] == ["Новая библиотека"]
    mails = (await session.execute(select(OutboxMail).where(OutboxMail.kind == "matching_digest"))).scalars().all()
    assert [m.to_email for m in mails] == [user.email]  # the quiet member chose no mail
    body = mails[0].body_text
    # 30 + 20 + 10 + 20 + track 2 + rural 2.5 (no preference) + start 5 = 89.5
    assert "1. Новая библиотека — оценка: 89,5 из 100" in body, body
    assert "Сфера деятельности проекта (Образование и наука) — основная сфера спонсора." in body, body
    # a week later nothing new was published: nobody is told again
    assert await service.send_weekly_digest(session, base_url=BASE_URL, now=now + timedelta(days=7)) == 0


def test_the_digest_job_runs_on_mondays_from_nine_in_almaty() -> None:
    from datetime import UTC, datetime

    from asar.matching.jobs import digest_due

    assert digest_due(datetime(2026, 12, 7, 4, 0, tzinfo=UTC))  # Monday 09:00 in Almaty
    assert not digest_due(datetime(2026, 12, 7, 3, 59, tzinfo=UTC))  # Monday 08:59
    assert not digest_due(datetime(2026, 12, 8, 4, 0, tzinfo=UTC))  # Tuesday
    assert digest_due(datetime(2026, 12, 7, 18, 59, tzinfo=UTC))  # Monday 23:59 in Almaty
    assert not digest_due(datetime(2026, 12, 6, 19, 0, tzinfo=UTC))  # Sunday 19:00 UTC is Monday 00:00: before 9


async def test_a_project_s_facts_are_the_same_read_alone_or_with_all(session: Any) -> None:
    """The adapter reads one project's rows in one statement and all projects' table by table: the
    same facts either way, track records included (2 of 3 due milestones reported on time)."""
    from datetime import date

    from asar.matching.adapter import project_facts
    from asar.projects.models import Milestone

    ngo, _ = await ngo_with_member(session)
    other, _ = await ngo_with_member(session, "Басқа ұйым")
    one = await make_project(session, ngo.id, "Бір", areas=("health", "education"),
                             regions=(("KZ-75", "rural"), ("KZ-71", "rural")), groups=("youth", "children"),
                             tranches=(M, 3 * M), goal=4 * M)
    await make_project(session, ngo.id, "Екі", regions=(("KZ-75", "urban"), ("KZ-71", "rural")))
    await make_project(session, other.id, "Үш", starts_in_days=-400, tranches=(M, M, 2 * M), status="completed")
    done = (await session.execute(select(Project).where(Project.title_ru == "Үш"))).scalar_one()
    rows = (await session.execute(select(Milestone).where(Milestone.project_id == done.id)
                                  .order_by(Milestone.position))).scalars().all()
    rows[0].reported_on = rows[0].due_on  # on time
    rows[1].reported_on = rows[1].due_on + timedelta(days=3)  # late
    await session.commit()
    day = date.today()
    everything = {f.id: f for f in await project_facts(session, day)}
    alone = {f.id: f for pid in everything for f in await project_facts(session, day, [pid])}
    assert alone == everything and len(everything) == 2  # the completed project is not matchable
    facts = everything[one.id]
    assert facts.settlement == "rural" and facts.tranches == (M, 3 * M) and facts.target_groups == ("children", "youth")
    assert facts.area_ids == ((await area(session, "health")).id, (await area(session)).id)  # main area first
    track = (await project_facts(session, day, [one.id]))[0].track
    assert (track.completed_projects, track.milestones_due, track.milestones_on_time) == (0, 0, 0)
    from asar.matching.adapter import track_records

    records = await track_records(session, [other.id, ngo.id], day)
    assert (records[other.id].completed_projects, records[other.id].milestones_due,
            records[other.id].milestones_on_time) == (1, 3, 1)
    assert await track_records(session, [other.id], day) == {other.id: records[other.id]}


async def test_the_panel_of_a_draft_and_of_a_funded_project(client: Any, session: Any) -> None:
    ngo, member = await ngo_with_member(session)
    draft = await make_project(session, ngo.id, "Қаралама", status="draft")
    funded = await make_project(session, ngo.id, "Қаржыландырылған", committed=4 * M)
    await make_sponsor(session)
    await sign_in(client, session, member)
    for project in (draft, funded):  # its own organization: told why there is nothing to show
        r = await client.get(f"/projects/{project.id}/sponsor-matches")
        assert r.status_code == 200
        assert "Спонсоры подбираются только для опубликованных проектов" in r.text
    outsider = await make_user(session, name="Outsider")
    headers = await bearer(session, outsider)
    r = await client.get(f"/api/v1/projects/{draft.id}/sponsor-matches", headers=headers)
    assert r.status_code == 404  # a draft is not told to exist
    r = await client.get("/api/v1/projects/999999/sponsor-matches", headers=headers)
    assert r.status_code == 404
