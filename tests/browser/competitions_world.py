"""What the demo's competitions lack for the accessibility/phone test (tests/browser/test_pages_a11y.py),
added once to the browser server's database through the competition verbs, as `asar demo` adds its own:

- a call of the Almaty akimat at its **decision** stage: three applications scored by a commission of three
  (one member recused from one), scoring closed, the meeting recorded with everyone present, the winners
  not yet confirmed — so its decision page shows both the meeting's and the winners' forms;
- a call of the ministry **awarded**: its results published through the verbs, its appeal window then moved
  a second into the past (as tests/competitions/test_journey_browser.py moves it), awarded; both winners
  signed, one of them (Zhasyl) reported on its first milestone, which waits for the issuer's review, the
  other (Ümit) has its report to write.

The demo's own calls give the rest: a call in intake with drafts, one in its compliance check, one in
scoring, one with its results published and an appeal waiting for its answer."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions import service as calls
from asar.competitions.applications.models import Application
from asar.competitions.awards import service as awards
from asar.competitions.awards.core import ReportInput
from asar.competitions.decision import service as decision
from asar.competitions.evaluation import service as evaluation
from asar.competitions.forms import MemberInput
from asar.competitions.models import Call
from asar.db import Database, utcnow
from asar.demo import _demo_actor, demo_jobs
from asar.demo import competitions as demo
from asar.reference.models import Area, Region
from asar.settings import Settings
from asar.uow import unit_of_work

DECIDING = demo.DemoCall(
    demo.ALMATY, "scoring", "state_grant",
    "Алматы ауласындағы балалар алаңдарына арналған мемлекеттік грант",
    "Государственный грант на детские площадки во дворах Алматы",
    "Балалар алаңдарын жөндеу және жаңарту.\n\nРемонт и обновление детских площадок во дворах.",
    ("environment",), ("KZ-75",), (("Бостандық ауданы / Бостандыкский район", 10_000_000, 9),
                                   ("Алатау ауданы / Алатауский район", 6_000_000, 9)), 1,
    applications=(
        demo.DemoApplication(demo.ZHASYL, 1, "Қауіпсіз балалар алаңы", (5_000_000, 3_000_000, 800_000), mark="yes",
                             language="kk"),
        demo.DemoApplication(demo.KAMKOR, 1, "Площадки для детей с особыми потребностями",
                             (4_000_000, 2_500_000, 600_000), mark="yes"),
        demo.DemoApplication(demo.UMIT, 2, "Двор без барьеров", (3_000_000, 1_500_000, 400_000), mark="yes"),
    ),
    sheets=(*((member, index, "submit 8,7,4") for member in (demo.ALMATY, demo.MINISTRY) for index in range(3)),
            (demo.ABAI, 0, "recused"), (demo.ABAI, 1, "submit 6,6,3"), (demo.ABAI, 2, "submit 9,8,5")),
    commission=(MemberInput(demo.ALMATY, "Марина Ким", "issuer", "chair"),
                MemberInput(demo.MINISTRY, "Ерлан Сейітқали", "expert", "member"),
                MemberInput(demo.ABAI, "Бауыржан Тоқтаров", "expert", "member")),
)


AWARDED = demo.DemoCall(
    demo.MINISTRY, "results", "state_grant",
    "Ауыл мектептеріндегі оқу үйірмелеріне арналған мемлекеттік грант",
    "Государственный грант на кружки чтения в сельских школах",
    "Ауыл мектептерінде оқу үйірмелерін ашу.\n\nКружки чтения в сельских школах.",
    ("education",), ("KZ-71",), (("Кітаптар / Книги", 10_000_000, 9), ("Үйірмелер / Кружки", 6_000_000, 9)), 1,
    applications=(
        demo.DemoApplication(demo.UMIT, 1, "Читаем вместе", (5_000_000, 3_000_000, 800_000), mark="yes"),
        demo.DemoApplication(demo.ZHASYL, 2, "Оқитын ауыл", (3_000_000, 1_500_000, 400_000), mark="yes",
                             language="kk"),
    ),
    sheets=tuple((member, index, "submit 8,8,4") for member in (demo.MINISTRY, demo.ALMATY) for index in range(2)),
    commission=(MemberInput(demo.MINISTRY, "Ерлан Сейітқали", "issuer", "chair"),
                MemberInput(demo.ALMATY, "Марина Ким", "expert", "member"),
                MemberInput(demo.ABAI, "Бауыржан Тоқтаров", "expert", "member")),
)


@dataclass(frozen=True)
class Competitions:
    """The ids of the competition pages' subjects."""

    intake: int  # the demo's call in intake (Almaty akimat), with drafts
    draft_call: int  # the demo's draft call (the ministry)
    compliance: int  # in its compliance check (Abai district)
    scoring: int  # in scoring (the ministry)
    deciding: int  # at its decision (Almaty akimat), the meeting recorded
    results: int  # results published, in its appeal window, an appeal waiting for its answer (Almaty akimat)
    draft_application: int  # Ümit's complete draft on the call in intake
    sheet: int  # the application Marina Kim (Almaty) has a draft sheet for, on the call in scoring
    submitted: int  # Ümit's submitted application on the call in scoring (read-only now, with its receipt)
    appeal_form: int  # Kamkor's application on the call with results: no appeal yet
    awarded: int  # the awarded call (the ministry)
    award: int  # Ümit's award on it, signed, its first report to write
    reported: int  # Zhasyl's award on it, its first report waiting for review
    project: int  # Zhasyl's funded project, its first report waiting for review


async def _call_id(db: AsyncSession, title_ru: str) -> int:
    return (await db.execute(select(Call.id).where(Call.title_ru == title_ru))).scalar_one()


async def _application_id(db: AsyncSession, call_id: int, title: str) -> int:
    return (await db.execute(select(Application.id).where(Application.call_id == call_id,
                                                          Application.title == title))).scalar_one()


def _demo_call(stage: str) -> demo.DemoCall:
    return next(spec for spec in demo.CALLS if spec.stage == stage and spec.by != demo.DALA)


async def build(database_url: str, base_url: str) -> Competitions:
    """Add the deciding and the awarded calls (each step in one unit of work); the pages' subjects."""
    settings = Settings(database_url=database_url, base_url=base_url, secret_key="x" * 48, env="test")
    database = Database.from_url(database_url)
    jobs, _arq = await demo_jobs(database, settings)
    intake, scoring, appealed = _demo_call("published"), _demo_call("scoring"), _demo_call("appeal")
    draft = next(app for app in intake.applications if app.by == demo.UMIT and app.state == "draft")
    sheet = next(i for member, i, what in scoring.sheets if member == demo.ALMATY and what.startswith("draft"))
    submitted = next(app for app in scoring.applications if app.by == demo.UMIT and app.state == "submitted")
    assert appealed.appeal is not None
    not_appealed = next(app for i, app in enumerate(appealed.applications) if i != appealed.appeal[0])
    assert not_appealed.by == demo.KAMKOR, "the appeal form is visited as Kamkor (test_pages_a11y.COMPETITION_PAGES)"
    try:
        async with database.sessionmaker() as db:
            areas = dict((await db.execute(select(Area.code, Area.id))).all())
            regions = dict((await db.execute(select(Region.iso_code, Region.id))).all())
            async with unit_of_work(db):
                await demo._build(db, DECIDING, _demo_actor, base_url, areas, regions)
            deciding = await _call_id(db, DECIDING.title_ru)
            almaty = await _demo_actor(db, demo.ALMATY)
            async with unit_of_work(db):
                await evaluation.close_scoring(db, almaty, deciding, base_url=base_url)
                call = await calls.load_call(db, deciding)
                await decision.record_meeting(db, almaty, deciding, decision.MeetingInput(
                    meeting_at=utcnow().replace(second=0, microsecond=0),
                    present=frozenset(m.id for m in call.members),
                    minutes="Комиссия рейтингті қарады.\nКомиссия рассмотрела рейтинг."))
            async with unit_of_work(db):
                await demo._build(db, AWARDED, _demo_actor, base_url, areas, regions)
            awarded = await _call_id(db, AWARDED.title_ru)
            await db.execute(update(Call).where(Call.id == awarded).values(appeals_close_at=utcnow() - timedelta(seconds=1)))
            await db.commit()
            async with unit_of_work(db):
                made = {a.organization_id: a for a in await awards.award_call(
                    db, await _demo_actor(db, demo.MINISTRY), awarded, base_url=base_url)}
                umit, zhasyl = await _demo_actor(db, demo.UMIT), await _demo_actor(db, demo.ZHASYL)
                assert umit.organization is not None and zhasyl.organization is not None
                award, reported = made[umit.organization.id], made[zhasyl.organization.id]
                await awards.sign_agreement(db, umit, award.id, base_url=base_url)
                await awards.sign_agreement(db, zhasyl, reported.id, base_url=base_url)
                await awards.submit_report(db, zhasyl, reported.id, ReportInput(
                    narrative="Үйірмелер ашылды. / Кружки открыты.", achieved=["90", "12"],
                    spent={"salaries": 1_000_000, "goods": 500_000}), [(demo.demo_pdf("Есеп"), "esep.pdf")],
                    base_url=base_url)
            intake_id, scoring_id = await _call_id(db, intake.title_ru), await _call_id(db, scoring.title_ru)
            results = await _call_id(db, appealed.title_ru)
            subjects = Competitions(
                intake=intake_id, draft_call=await _call_id(db, _demo_call("draft").title_ru),
                compliance=await _call_id(db, _demo_call("compliance").title_ru), scoring=scoring_id,
                deciding=deciding, results=results,
                draft_application=await _application_id(db, intake_id, draft.title),
                sheet=await _application_id(db, scoring_id, scoring.applications[sheet].title),
                submitted=await _application_id(db, scoring_id, submitted.title),
                appeal_form=await _application_id(db, results, not_appealed.title),
                awarded=awarded, award=award.id, reported=reported.id, project=reported.project_id)
        await jobs.drain()
    finally:
        await database.close()
    return subjects
