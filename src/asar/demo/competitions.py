"""The demo's competitions (`asar demo`): one call in each stage a person can visit, built through the
competition verbs (create, announce, commission, apply, submit, mark, score), so their pages, streams,
notifications and audit entries are what the people would have made.

- a **draft** of the ministry (state social order for 2027), seen by the ministry's people only;
- an **announced** state grant of the Almaty akimat, intake open: two submitted applications and two
  drafts (one complete, one just started);
- a business **grant programme** of Dala Technologies, intake open: one submitted, one draft;
- a state social order of the Abai district akimat in its **compliance check**: three submitted, one
  marked admissible, one not admissible (with its reason), one not marked yet;
- a state grant of the ministry in **scoring**: a commission of three (the ministry's official as chair,
  two invited experts), three applications (two admissible, one not), some sheets submitted, one
  saved as a draft, one member recused from an application;
- a state social order of the Almaty akimat with its **results published**, in its appeal window: every
  sheet submitted, scoring closed, the meeting recorded with everyone present, the ranking's proposal
  confirmed as the winner, the results, scores and protocol public; the NGO that did not win has appealed
  (waiting for the answer);
- a state grant of the ministry **awarded**: its appeal window over (the publication moved ten days back),
  the winner's project with a tranche per stage of its application, the grant agreement signed, the first
  milestone's report approved and its tranche released.

Calls are found again by issuer and Russian title, so a second run adds nothing; each is built in one
unit of work, so a run stopped halfway leaves no half-built call. Intake that must have closed (the
calls past intake) is moved into the past after the applications are submitted, as the
hearings demo moves its closed hearing, and the compliance check is opened by the same verb as the job
that opens it when intake closes. Dates are relative to the day the demo runs. Calls that need the MCI
(state grants) fall back to state social order when the year's MCI is not entered yet.
"""

from __future__ import annotations

import io
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.competitions import service as calls
from asar.competitions.appeals import service as appeals
from asar.competitions.applications import service as applications
from asar.competitions.applications.forms import parse_application
from asar.competitions.awards import service as awards
from asar.competitions.awards.core import ReportInput
from asar.competitions.compliance import service as compliance
from asar.competitions.decision import service as decision
from asar.competitions.decision.core import Pick
from asar.competitions.evaluation import service as evaluation
from asar.competitions.forms import MemberInput, parse_call
from asar.competitions.models import Call
from asar.db import utcnow
from asar.i18n import TIMEZONE
from asar.permissions import Actor
from asar.reference.mci import mci_for_year
from asar.reference.models import Area, Region
from asar.uow import unit_of_work

ActorFor = Callable[[AsyncSession, str], Awaitable[Actor]]

MINISTRY = "official.culture@demo.asar.kz"
ALMATY = "official.almaty@demo.asar.kz"
ABAI = "official.abai@demo.asar.kz"
DALA = "business.admin@demo.asar.kz"
ZHASYL, UMIT, AUYL, KAMKOR = ("ngo.zhasyl@demo.asar.kz", "ngo.umit@demo.asar.kz", "ngo.auyl@demo.asar.kz",
                              "ngo.kamkor@demo.asar.kz")


@dataclass(frozen=True)
class DemoApplication:
    by: str  # the NGO's demo person
    lot: int  # 1-based
    title: str
    budget: tuple[int, int, int]  # salaries, goods, administration (tenge)
    state: str = "submitted"  # "submitted", "draft" (complete, not submitted) or "started" (title only)
    mark: str = ""  # compliance: "yes", "no" or "" (not marked)
    language: str = "ru"


# the stages the demo builds, in order: "results" is a call whose results are published (its `appeals` stage),
# "appeal" the same with an appeal waiting for its answer, "awarded" one awarded with a tranche released
STAGES = ("draft", "published", "compliance", "scoring", "results", "appeal", "awarded")


@dataclass(frozen=True)
class DemoCall:
    by: str
    stage: str  # one of STAGES
    kind: str
    title_kk: str
    title_ru: str
    description: str
    areas: tuple[str, ...]
    regions: tuple[str, ...]
    lots: tuple[tuple[str, int, int], ...]  # (title, budget, months)
    opened_days_ago: int  # negative: opens in that many days (a call past intake is moved back after it)
    applications: tuple[DemoApplication, ...] = ()
    sheets: tuple[tuple[str, int, str], ...] = ()  # (member, application index, "submit 8,7" / "draft 6" / "recused")
    commission: tuple[MemberInput, ...] = ()
    appeal: tuple[int, str] | None = None  # (application index, the appellant's text)

    def past(self, stage: str) -> bool:
        """Whether the call goes beyond `stage`."""
        return STAGES.index(self.stage) > STAGES.index(stage)


CRITERIA = ({"title": "Өзектілігі / Актуальность", "description": "Насколько проект отвечает нуждам людей",
             "weight": 40, "max_points": 10},
            {"title": "Жоспардың сапасы / Качество плана", "description": "", "weight": 35, "max_points": 10},
            {"title": "Бюджеттің негізділігі / Обоснованность бюджета", "description": "", "weight": 25,
             "max_points": 5})
COMMISSION = (MemberInput(MINISTRY, "Ерлан Сейітқали", "issuer", "chair"),
              MemberInput(ALMATY, "Марина Ким", "expert", "member"),
              MemberInput("citizen.semey@demo.asar.kz", "Pavel Ivanov", "expert", "member"))

CALLS: tuple[DemoCall, ...] = (
    DemoCall(
        MINISTRY, "draft", "state_social_order",
        "2027 жылға арналған жастар саясаты саласындағы мемлекеттік әлеуметтік тапсырыс",
        "Государственный социальный заказ в сфере молодёжной политики на 2027 год",
        "## Мақсаты\n\nАуыл жастарының бос уақытын ұйымдастыру және еріктілікті дамыту.\n\n"
        "## Цель\n\nДосуг сельской молодёжи и развитие волонтёрства.",
        ("youth",), ("KZ-71", "KZ-10"), (("Ауыл жастарының клубтары / Клубы сельской молодёжи", 40_000_000, 12),
                                         ("Еріктілер мектебі / Школа волонтёров", 25_000_000, 12)), -10),
    DemoCall(
        ALMATY, "published", "state_grant",
        "Алматы аулаларын көгалдандыруға арналған мемлекеттік грант",
        "Государственный грант на озеленение дворов Алматы",
        "Акимат поддерживает проекты жителей и НПО: **деревья во дворах**, полив и уход три года.\n\n"
        "Әкімдік тұрғындар мен ҮЕҰ жобаларын қолдайды: аулаларға ағаш отырғызу және күтім.",
        ("environment",), ("KZ-75",), (("Бостандық ауданы / Бостандыкский район", 10_000_000, 6),
                                       ("Алатау ауданы / Алатауский район", 6_000_000, 9)), 5,
        applications=(
            DemoApplication(ZHASYL, 1, "Жасыл аулалар: 40 аула", (6_000_000, 2_500_000, 800_000)),
            DemoApplication(KAMKOR, 2, "Сад ветеранов в Алатауском районе", (3_000_000, 1_800_000, 400_000)),
            DemoApplication(UMIT, 1, "Инклюзивный сквер у реабилитационного центра", (4_000_000, 2_500_000, 500_000),
                            state="draft"),
            DemoApplication(AUYL, 2, "Ауладағы жастар бағы", (0, 0, 0), state="started", language="kk"),
        )),
    DemoCall(
        DALA, "published", "grant_programme",
        "«Дала Технолоджис» жасөспірімдерге арналған бағдарламалау мектептерінің грант бағдарламасы",
        "Грантовая программа «Дала Технолоджис» для IT-школ подростков",
        "Бесплатные курсы программирования для подростков из сёл и малых городов: компания даёт грант, ноутбуки "
        "и наставников.\n\nАуыл мен шағын қала жасөспірімдеріне тегін бағдарламалау курстары.",
        ("education", "youth"), ("KZ-75", "KZ-10"), (("IT-мектеп / IT-школа", 5_000_000, 8),), 3,
        applications=(
            DemoApplication(AUYL, 1, "Қарауылдағы жас бағдарламашылар мектебі", (2_500_000, 1_500_000, 300_000),
                            language="kk"),
            DemoApplication(UMIT, 1, "Программирование для детей с особыми потребностями",
                            (2_000_000, 1_000_000, 200_000), state="draft"),
        )),
    DemoCall(
        ABAI, "compliance", "state_social_order",
        "Абай ауданының ауыл жастарына арналған спорт секциялары",
        "Спортивные секции для сельской молодёжи Абайского района",
        "Бесплатные секции по футболу, волейболу и тоғызқұмалақ в сельских округах района.\n\n"
        "Аудандың ауылдық округтерінде футбол, волейбол және тоғызқұмалақ үйірмелері.",
        ("sport", "rural"), ("KZ-10",), (("Қарауыл және маңындағы ауылдар / Караул и окрестные сёла", 12_000_000, 12),
                                         ("Шалғай ауылдар / Отдалённые сёла", 8_000_000, 12)), 1,
        applications=(
            DemoApplication(AUYL, 1, "Әр ауылда спорт секциясы", (7_000_000, 3_500_000, 1_000_000), mark="yes",
                            language="kk"),
            DemoApplication(ZHASYL, 2, "Спорт и экология для сёл", (4_000_000, 2_000_000, 600_000), mark="no"),
            DemoApplication(KAMKOR, 2, "Скандинавская ходьба для старших и младших", (3_500_000, 2_000_000, 500_000)),
        )),
    DemoCall(
        MINISTRY, "scoring", "state_grant",
        "Мәдени мұраны сақтау жобаларына арналған мемлекеттік грант",
        "Государственный грант на проекты сохранения культурного наследия",
        "Оцифровка архивов, экспедиции по записи устного наследия, музеи в сёлах.\n\n"
        "Мұрағаттарды цифрландыру, ауызша мұраны жазып алу экспедициялары, ауыл мұражайлары.",
        ("culture",), ("KZ-71", "KZ-10", "KZ-79"), (("Ауызша мұра / Устное наследие", 12_000_000, 10),
                                                    ("Ауыл мұражайлары / Сельские музеи", 9_000_000, 12)), 1,
        applications=(
            DemoApplication(AUYL, 1, "Абай ауданының жыршылары: дыбыс мұрағаты", (6_000_000, 3_000_000, 900_000),
                            mark="yes", language="kk"),
            DemoApplication(UMIT, 2, "Музей детского творчества в Шымкенте", (4_500_000, 2_500_000, 700_000),
                            mark="yes"),
            DemoApplication(ZHASYL, 2, "Экомузей под открытым небом", (5_000_000, 3_000_000, 800_000), mark="no"),
        ),
        sheets=((MINISTRY, 0, "submit 9,8,4"), (MINISTRY, 1, "submit 7,8,5"),
                (ALMATY, 0, "submit 8,7,4"), (ALMATY, 1, "draft 6,7"),
                ("citizen.semey@demo.asar.kz", 0, "recused")), commission=COMMISSION),
    DemoCall(
        ALMATY, "appeal", "state_social_order",
        "Алматыдағы жалғыз басты қарттарға үйде күтім көрсету",
        "Уход на дому за одинокими пожилыми людьми в Алматы",
        "Социальные работники навещают одиноких пожилых людей дважды в неделю: продукты, лекарства, уборка.\n\n"
        "Әлеуметтік қызметкерлер жалғыз басты қарттарға аптасына екі рет барады.",
        ("elderly", "social_protection"), ("KZ-75",), (("Үйде күтім / Уход на дому", 12_000_000, 12),), 1,
        applications=(
            DemoApplication(KAMKOR, 1, "Тёплый дом: уход за одинокими пожилыми", (7_000_000, 3_000_000, 1_000_000),
                            mark="yes"),
            DemoApplication(UMIT, 1, "Помощь пожилым родителям детей с инвалидностью", (6_000_000, 3_500_000, 900_000),
                            mark="yes"),
        ),
        sheets=((ALMATY, 0, "submit 9,9,5"), (ALMATY, 1, "submit 7,7,4"), (ABAI, 0, "submit 8,9,4"),
                (ABAI, 1, "submit 8,6,4"), ("citizen.semey@demo.asar.kz", 0, "submit 9,8,5"),
                ("citizen.semey@demo.asar.kz", 1, "submit 6,7,3")),
        commission=(MemberInput(ALMATY, "Марина Ким", "issuer", "chair"),
                    MemberInput(ABAI, "Бауыржан Тоқтаров", "expert", "member"),
                    MemberInput("citizen.semey@demo.asar.kz", "Pavel Ivanov", "expert", "member")),
        appeal=(1, ("Просим пересмотреть баллы по критерию «Качество плана»: в плане есть график выездов по "
                    "районам.\n\nЖоспарда аудандарға шығу кестесі бар."))),
    DemoCall(
        MINISTRY, "awarded", "state_grant",
        "Жастар еріктілік орталықтарына арналған мемлекеттік грант",
        "Государственный грант для молодёжных волонтёрских центров",
        "Волонтёрские центры в сёлах: обучение, снаряжение, поездки.\n\n"
        "Ауылдардағы еріктілер орталықтары: оқыту, жабдық, сапарлар.",
        ("youth", "civil_society"), ("KZ-10", "KZ-75"), (("Ауыл еріктілері / Сельские волонтёры", 9_000_000, 9),), 1,
        applications=(
            DemoApplication(AUYL, 1, "Қарауыл еріктілер орталығы", (5_000_000, 2_500_000, 700_000), mark="yes",
                            language="kk"),
            DemoApplication(ZHASYL, 1, "Экоотряды волонтёров в сёлах", (4_500_000, 2_800_000, 700_000), mark="yes"),
        ),
        sheets=((MINISTRY, 0, "submit 9,9,5"), (MINISTRY, 1, "submit 8,7,4"), (ALMATY, 0, "submit 9,8,4"),
                (ALMATY, 1, "submit 7,8,4"), ("citizen.semey@demo.asar.kz", 0, "submit 10,9,5"),
                ("citizen.semey@demo.asar.kz", 1, "recused")),
        commission=COMMISSION),
)


def demo_pdf(title: str) -> bytes:
    """A one-page PDF (pypdf, a dependency of the PDF check itself) standing for an uploaded document."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    writer.add_metadata({"/Title": title})
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _lot_class(kind: str, months: int, has_mci: bool) -> tuple[str, str, int]:
    """(kind, size class, months) as the call is built: a state grant without the year's MCI becomes a
    state social order (whose lots run 12 months at least)."""
    if kind == "state_grant" and not has_mci:
        kind = "state_social_order"
    if kind == "state_grant":
        return kind, ("short" if months <= 12 else "medium"), months
    if kind == "state_social_order":
        return kind, "social_order", max(12, months)
    return kind, "", months


def _local(moment: Any) -> str:
    return moment.astimezone(TIMEZONE).strftime("%Y-%m-%dT%H:%M")


async def _call_input(db: AsyncSession, spec: DemoCall, areas: dict[str, int], regions: dict[str, int]) -> Any:
    opens = (utcnow() - timedelta(days=spec.opened_days_ago)).replace(second=0, microsecond=0)
    has_mci = await mci_for_year(db, opens.astimezone(TIMEZONE).year) is not None
    lots = []
    kind = spec.kind
    for title, budget, months in spec.lots:
        kind, size, months = _lot_class(spec.kind, months, has_mci)
        lots.append({"title": title, "budget": budget, "duration_months": months, "size_class": size,
                     "expected_results": "Жыл соңына дейін нәтиже / Результат к концу года",
                     "indicators": "Қатысушылар саны / Число участников"})
    return parse_call({
        "kind": kind, "title_kk": spec.title_kk, "title_ru": spec.title_ru, "title_en": "",
        "description": spec.description, "areas": [areas[a] for a in spec.areas],
        "regions": [regions[r] for r in spec.regions], "total_budget": sum(lot["budget"] for lot in lots),
        "opens_at": _local(opens), "closes_at": _local(opens + timedelta(days=25)), "languages": ["kk", "ru"],
        "eligibility": [{"rule": "organization_verified"}, {"rule": "organization_age", "months": 12}],
        "appeal_days": 5, "lots": lots, "criteria": list(CRITERIA),
        "documents": [{"title": "Жарғы / Устав", "note": "PDF"}],
    })


def _application_body(app: DemoApplication, months: int) -> dict[str, Any]:
    if app.state == "started":
        return {"language": app.language, "title": app.title}
    salaries, goods, admin = app.budget
    total = salaries + goods + admin
    return {
        "language": app.language, "title": app.title,
        "plan": "Үш кезең: дайындық, негізгі жұмыс, қорытынды есеп.\n\nТри этапа: подготовка, основная работа, "
                "итоговый отчёт с фотографиями и отзывами участников.",
        "indicators": [{"name": "Қатысушылар / Участники", "target": "150"},
                       {"name": "Іс-шаралар / Мероприятия", "target": "24"}],
        "team": [{"name": "Жоба жетекшісі / Руководитель проекта", "role": "руководитель"},
                 {"name": "Бухгалтер", "role": "финансы"}],
        "budget": [{"category": "salaries", "description": "Команда / Команда", "amount": salaries},
                   {"category": "goods", "description": "Материалы / Материалдар", "amount": goods},
                   {"category": "administration", "description": "Бухгалтерия", "amount": admin}],
        "stages": [{"title": "Іске қосу / Запуск", "deliverable": "Кесте және қатысушылар тізімі / График и списки",
                    "month": max(1, months // 3), "amount": total // 2},
                   {"title": "Қорытынды / Итоги", "deliverable": "Қорытынды есеп / Итоговый отчёт", "month": months,
                    "amount": total - total // 2}],
    }


async def _build(db: AsyncSession, spec: DemoCall, people: ActorFor, base_url: str,
                 areas: dict[str, int], regions: dict[str, int]) -> None:
    known: dict[str, Actor] = {}

    async def actor_for(session: AsyncSession, email: str) -> Actor:
        if email not in known:
            known[email] = await people(session, email)
        return known[email]

    issuer = await actor_for(db, spec.by)
    call = await calls.create_call(db, issuer, await _call_input(db, spec, areas, regions))
    if spec.stage == "draft":
        return
    if spec.commission:
        await calls.set_commission(db, issuer, call.id, list(spec.commission), base_url=base_url)
    await calls.publish_call(db, issuer, call.id)
    lots = [lot.id for lot in call.lots]
    document = call.documents[0].id
    pdf = demo_pdf("Устав")
    made: list[int] = []
    for app in spec.applications:
        ngo = await actor_for(db, app.by)
        row = await applications.start_application(db, ngo, call.id, lots[app.lot - 1])
        months = next(lot.duration_months for lot in call.lots if lot.id == lots[app.lot - 1])
        await applications.save_draft(db, ngo, row.id, parse_application(_application_body(app, months)))
        made.append(row.id)
        if app.state == "started":
            continue
        await applications.attach_document(db, ngo, row.id, document, pdf, "ustav.pdf")
        if app.state == "submitted":
            await applications.submit_application(db, ngo, row.id, base_url=base_url)
    if spec.stage == "published":
        return
    # intake has closed: the window moves into the past (ending a day ago), then the check opens as the job opens it
    call = await calls.load_call(db, call.id, for_update=True)
    closed_days_ago = {"compliance": 2, "scoring": 16}.get(spec.stage, 45)
    shift = call.closes_at - (utcnow() - timedelta(days=closed_days_ago))
    call.opens_at -= shift
    call.closes_at -= shift
    await db.flush()
    await compliance.start_compliance(db, call.id)
    for app, application_id in zip(spec.applications, made, strict=True):
        if app.mark:
            await compliance.mark(db, issuer, application_id, admissible=app.mark == "yes", base_url=base_url,
                                  reasons=() if app.mark == "yes" else ("off_topic",),
                                  note="" if app.mark == "yes" else "Жоба лоттың тақырыбына сәйкес келмейді / "
                                                                    "Проект не соответствует теме лота")
    if spec.stage == "compliance":
        return
    await compliance.finish_compliance(db, issuer, call.id)
    criteria = [c.id for c in call.criteria]
    for member, index, what in spec.sheets:
        person = await actor_for(db, member)
        application_id = made[index]
        if what == "recused":
            await evaluation.declare(db, person, application_id, conflict=True,
                                     note="Бұрын осы ұйымда жұмыс істедім / Работал в этой организации")
            continue
        action, points = what.split(" ")
        await evaluation.declare(db, person, application_id, conflict=False)
        await evaluation.save_scores(db, person, application_id, {
            c: (int(p), "Жақсы негізделген / Хорошо обосновано") for c, p in zip(criteria, points.split(","),
                                                                                    strict=False)})
        if action == "submit":
            await evaluation.submit_scores(db, person, application_id)
    if not spec.past("scoring"):
        return
    await evaluation.close_scoring(db, issuer, call.id, base_url=base_url)
    # the commission meets at once, everyone present; the winners are the ranking's proposal; published
    call = await calls.load_call(db, call.id)
    await decision.record_meeting(db, issuer, call.id, decision.MeetingInput(
        meeting_at=utcnow().replace(second=0, microsecond=0),
        present=frozenset(m.id for m in call.members),
        minutes="Комиссия рейтингті қарап, жеңімпаздарды бекітті.\nКомиссия рассмотрела рейтинг и утвердила "
                "победителей."))
    board = await decision.board_for(db, issuer, call.id)
    await decision.confirm_winners(db, issuer, call.id, {
        lot.lot.id: [Pick(c.application.id, c.proposed) for c in lot.candidates if c.proposed]
        for lot in board.lots})
    await decision.publish_results(db, issuer, call.id, base_url=base_url)
    if spec.appeal is not None:
        index, text = spec.appeal
        await appeals.file_appeal(db, await actor_for(db, spec.applications[index].by), made[index], text,
                                  base_url=base_url)
    if not spec.past("appeal"):
        return
    # the appeal window has closed (the publication moves back ten days), the call is awarded; the winner
    # signs, reports on its first milestone, and the issuer's approval releases the first tranche
    call = await calls.load_call(db, call.id, for_update=True)
    back = call.results_published_at - (utcnow() - timedelta(days=10))
    call.results_published_at -= back
    call.appeals_close_at = await calls.appeal_deadline(db, call, call.results_published_at)
    await db.flush()
    for award in await awards.award_call(db, issuer, call.id, base_url=base_url):
        winner = await actor_for(db, next(a.by for a, i in zip(spec.applications, made, strict=True)
                                          if i == award.application_id))
        await awards.sign_agreement(db, winner, award.id, base_url=base_url)
        report = await awards.submit_report(db, winner, award.id, ReportInput(
            narrative="Орталық ашылды, 40 ерікті оқытылды.\n\nЦентр открыт, обучены 40 волонтёров.",
            achieved=["60", "8"], spent={"salaries": 2_000_000, "goods": 1_500_000, "administration": 300_000}),
            [(demo_pdf("Есеп / Отчёт"), "esep.pdf")], base_url=base_url)
        await awards.approve_report(db, issuer, report.id, base_url=base_url)


async def load_demo_calls(db: AsyncSession, actor_for: ActorFor, base_url: str = "") -> int:
    """The demo calls that are missing; how many were added."""
    areas = dict((await db.execute(select(Area.code, Area.id))).all())
    regions = dict((await db.execute(select(Region.iso_code, Region.id))).all())
    added = 0
    for spec in CALLS:
        issuer = await actor_for(db, spec.by)
        assert issuer.organization is not None
        exists = (await db.execute(select(Call.id).where(Call.organization_id == issuer.organization.id,
                                                         Call.title_ru == spec.title_ru))).first()
        if exists:
            continue
        async with unit_of_work(db):
            await _build(db, spec, actor_for, base_url, areas, regions)
        added += 1
    return added
