"""Demo projects (`asar demo`): a few of each kind — NGO initiatives, state social-order projects and
business CSR programmes, one social enterprise — in cities and villages, in every lifecycle state
(a draft of the unverified NGO, published, funded, in progress, completed with its milestones
reported). Built through the project verbs, so they are what a person would have made; found again
by organization and Russian title, so a second run adds nothing.

Dates are relative to the day the demo runs (a project "starts in 40 days"), so the demo never
looks stale. `SPECS` are hand-written; a larger generated set (`asar demo --scale N`) can append
more specs built from the same fields.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.permissions import Actor
from asar.projects import service
from asar.projects.forms import parse_project
from asar.projects.models import Project
from asar.reference.models import Area, Region


@dataclass(frozen=True)
class DemoProject:
    by: str  # the demo person (e-mail) who writes it, acting for their organization
    kind: str
    title_kk: str
    title_ru: str
    summary_kk: str
    summary_ru: str
    description: str
    areas: tuple[str, ...]
    regions: tuple[tuple[str, str], ...]  # (ISO code, settlement)
    target_groups: tuple[str, ...]
    beneficiaries: int
    starts_in: int  # days from today (negative: already started)
    months: int
    stack: tuple[int, int, int]  # own contribution, state funding, sponsorship goal (tenge)
    milestones: tuple[tuple[str, str, int], ...]  # (title, deliverable, share of the budget in percent)
    status: str = "published"
    social_enterprise: bool = False
    title_en: str = ""


SPECS: tuple[DemoProject, ...] = (
    DemoProject(
        "ngo.auyl@demo.asar.kz", "ngo_initiative", "Ауыл мектептеріне кітапхана",
        "Библиотеки для сельских школ",
        "Абай ауданының 12 ауыл мектебіне қазақ және орыс тілдеріндегі кітап жинағы мен кітапханашыларды оқыту.",
        "Книжные фонды на казахском и русском языках для 12 сельских школ Абайского района и обучение библиотекарей.",
        "## Не істейміз\n\n- 3 600 кітап сатып аламыз;\n- кітапханашыларды оқытамыз;\n- оқу клубтарын ашамыз.\n\n"
        "Что делаем: закупаем книги, обучаем библиотекарей, открываем читательские клубы.",
        ("education", "rural"), (("KZ-10", "rural"),), ("children", "students", "rural_residents"), 2400,
        40, 10, (600_000, 2_400_000, 5_000_000), (("Кітаптар сатып алынды", "Қабылдау актісі", 55),
                                                  ("Кітапханашылар оқытылды", "Оқу есебі", 25),
                                                  ("Оқу клубтары ашылды", "Фотоесеп", 20)),
        title_en="Libraries for village schools"),
    DemoProject(
        "ngo.zhasyl@demo.asar.kz", "ngo_initiative", "Жасыл аулалар", "Зелёные дворы Алматы",
        "Алматының 20 ауласына 600 ағаш отырғызып, тұрғындармен бірге күтім жасау.",
        "Высадка 600 деревьев в 20 дворах Алматы и уход за ними вместе с жителями.",
        "Жители выбирают место, мы сажаем и три года поливаем. **Каждое дерево** на карте.",
        ("environment",), (("KZ-75", "urban"),), ("general_public", "families"), 15_000,
        25, 12, (1_200_000, 0, 6_800_000), (("Отырғызу", "600 көшет", 60), ("Күтім", "Суару кестесі", 40)),
        title_en="Green courtyards of Almaty"),
    DemoProject(
        "ngo.umit@demo.asar.kz", "ngo_initiative", "Ерекше балаларға арналған оңалту кабинеті",
        "Кабинет реабилитации для особых детей",
        "Шымкентте және Түркістан облысының ауылдарында мүмкіндігі шектеулі балаларға арналған кабинет.",
        "Кабинет реабилитации для детей с инвалидностью в Шымкенте и сёлах Туркестанской области.",
        "Оборудование, два специалиста и выездные занятия в сёлах раз в месяц.",
        ("disability", "children_family"), (("KZ-79", "urban"), ("KZ-61", "rural")),
        ("children", "disabilities", "families"), 180, -60, 12, (900_000, 3_100_000, 8_000_000),
        (("Жабдық", "Кабинет жабдықталды", 50), ("Сабақтар", "Жарты жылдық есеп", 30),
         ("Көшпелі сабақтар", "Жылдық есеп", 20)), status="in_progress"),
    DemoProject(
        "ngo.umit@demo.asar.kz", "ngo_initiative", "«Үміт» тігін шеберханасы", "Швейная мастерская «Умит»",
        "Мүмкіндігі шектеулі жастар тігін тігеді; табыс қордың бағдарламаларына жұмсалады.",
        "Молодые люди с инвалидностью шьют на заказ; доход идёт на программы фонда.",
        "Социальное предприятие: заказы от школ и компаний на форму и сумки.",
        ("social_enterprise", "disability"), (("KZ-79", "urban"),), ("disabilities", "youth", "unemployed"), 25,
        15, 18, (2_000_000, 0, 4_000_000), (("Жабдық сатып алу", "Тігін машиналары", 70),
                                             ("Алғашқы тапсырыстар", "Сату есебі", 30)),
        social_enterprise=True),
    DemoProject(
        "ngo.kamkor@demo.asar.kz", "ngo_initiative", "Жалғыз қарттарға үйде күтім",
        "Уход на дому за одинокими пожилыми",
        "Қарағанды облысының қалалары мен ауылдарында 120 жалғыз қартқа үйде әлеуметтік күтім.",
        "Социальный уход на дому за 120 одинокими пожилыми людьми в городах и сёлах Карагандинской области.",
        "Патронажные работники, продукты и лекарства, связь с родственниками.",
        ("elderly", "social_protection"), (("KZ-35", "both"),), ("elderly", "veterans"), 120,
        -20, 12, (500_000, 4_500_000, 3_000_000), (("Команда жасақталды", "Келісімшарттар", 40),
                                                    ("Бірінші жарты жыл", "Есеп", 60)), status="funded"),
    DemoProject(
        "ngo.auyl@demo.asar.kz", "ngo_initiative", "Ауыл жастарына спорт алаңы", "Спортплощадка для сельской молодёжи",
        "Абай ауданының Қайнар ауылында жастарға арналған спорт алаңы салынды.",
        "В селе Кайнар Абайского района построена спортплощадка для молодёжи.",
        "Проект завершён: площадка открыта, турниры проходят каждый месяц.",
        ("sport", "youth"), (("KZ-10", "rural"),), ("youth", "rural_residents"), 600, -400, 10,
        (300_000, 1_200_000, 1_500_000), (("Құрылыс", "Алаң салынды", 80), ("Ашылу", "Турнир", 20)),
        status="completed"),
    DemoProject(
        "ngo.adilet@demo.asar.kz", "ngo_initiative", "Ауылдарға тегін заң кеңесі",
        "Бесплатные юридические консультации в сёлах",
        "Түркістан облысы ауылдарында зейнетақы және жер мәселелері бойынша көшпелі кеңестер.",
        "Выездные консультации по пенсиям и земельным вопросам в сёлах Туркестанской области.",
        "Черновик: организация ещё ждёт подтверждения.",
        ("human_rights",), (("KZ-61", "rural"),), ("rural_residents", "elderly"), 900, 60, 6,
        (100_000, 0, 1_900_000), (("Кеңестер", "Есеп", 100),), status="draft"),
    DemoProject(
        "official.almaty@demo.asar.kz", "social_order", "Қарттарға әлеуметтік такси",
        "Социальное такси для пожилых",
        "Алматыда мүмкіндігі шектеулі және егде жастағы адамдарды емханаға тегін жеткізу: мемлекеттік әлеуметтік тапсырыс.",
        "Бесплатная доставка пожилых людей и людей с инвалидностью в поликлиники Алматы: государственный "
        "социальный заказ.",
        "Исполнитель — НПО, выбранное по конкурсу; бизнес может добавить машины.",
        ("social_protection", "elderly"), (("KZ-75", "urban"),), ("elderly", "disabilities"), 3_000, 30, 12,
        (0, 18_000_000, 6_000_000), (("Көлік", "Келісімшарт", 50), ("Сапарлар", "Жылдық есеп", 50))),
    DemoProject(
        "official.abai@demo.asar.kz", "social_order", "Ауыл жастарын жұмысқа орналастыру",
        "Трудоустройство сельской молодёжи",
        "Абай ауданының ауылдарындағы 150 жасқа кәсіптік оқыту және тағылымдама.",
        "Профобучение и стажировки для 150 молодых людей из сёл Абайского района.",
        "Социальный заказ акимата; ищем компании для стажировок.",
        ("youth", "rural"), (("KZ-10", "rural"),), ("youth", "unemployed", "rural_residents"), 150, 50, 9,
        (0, 9_000_000, 3_000_000), (("Оқыту", "Сертификаттар", 60), ("Тағылымдама", "Есеп", 40))),
    DemoProject(
        "business.admin@demo.asar.kz", "csr_programme", "Ауыл балаларына бағдарламалау мектебі", "Школа программирования для сельских детей",
        "«Дала Технолоджис» Абай ауданының ауылдарындағы оқушыларға бағдарламалау сабақтарын өткізеді.",
        "«Дала Технолоджис» проводит уроки программирования для школьников сёл Абайского района.",
        "Программа КСО: наши инженеры ведут онлайн-уроки, партнёры дают ноутбуки.",
        ("education", "youth"), (("KZ-10", "rural"), ("KZ-75", "urban")), ("children", "students"), 400, 20, 9,
        (6_000_000, 0, 4_000_000), (("Ноутбуктер", "Жеткізу актісі", 50), ("Сабақтар", "Жарты жылдық есеп", 50))),
    DemoProject(
        "saryarka.admin@demo.asar.kz", "csr_programme", "Жасыл Қарағанды", "Зелёная Караганда",
        "«Сарыарқа Металл» Қарағандыда санитарлық-қорғаныш аймағын көгалдандырады.",
        "«Сарыарка Металл» озеленяет санитарно-защитную зону Караганды.",
        "Программа КСО: 5 000 деревьев за два сезона, отчёт о приживаемости.",
        ("environment", "health"), (("KZ-35", "both"),), ("general_public",), 50_000, -90, 18,
        (20_000_000, 0, 5_000_000), (("Бірінші маусым", "2 500 көшет", 50), ("Екінші маусым", "2 500 көшет", 50)),
        status="in_progress"),
)


def submission(spec: DemoProject, today: date, areas: dict[str, int], regions: dict[str, int]) -> dict[str, Any]:
    """The spec as the project form would send it."""
    starts = today + timedelta(days=spec.starts_in)
    ends = starts + timedelta(days=30 * spec.months)
    budget = sum(spec.stack)
    milestones, spent = [], 0
    span = (ends - starts).days
    for n, (title, deliverable, share) in enumerate(spec.milestones, start=1):
        amount = budget - spent if n == len(spec.milestones) else budget * share // 100
        spent += amount
        due = starts + timedelta(days=span * n // len(spec.milestones))
        milestones.append({"title": title, "deliverable": deliverable, "due_on": due.isoformat(), "amount": amount})
    return {
        "kind": spec.kind, "social_enterprise": spec.social_enterprise, "title_kk": spec.title_kk,
        "title_ru": spec.title_ru, "title_en": spec.title_en, "summary_kk": spec.summary_kk,
        "summary_ru": spec.summary_ru, "description": spec.description,
        "areas": [areas[a] for a in spec.areas],
        "regions": [{"region_id": regions[iso], "settlement": s} for iso, s in spec.regions],
        "target_groups": list(spec.target_groups), "beneficiaries": spec.beneficiaries,
        "starts_on": starts.isoformat(), "ends_on": ends.isoformat(), "budget": budget,
        "own_contribution": spec.stack[0], "state_funding": spec.stack[1], "sponsorship_goal": spec.stack[2],
        "milestones": milestones,
    }


async def load_demo_projects(db: AsyncSession, actor_for: Any) -> int:
    """The demo projects that are missing (actor_for(db, email) -> Actor); how many were added."""
    areas = dict((await db.execute(select(Area.code, Area.id))).all())
    regions = dict((await db.execute(select(Region.iso_code, Region.id))).all())
    today = service.today()
    added = 0
    for spec in SPECS:
        actor: Actor = await actor_for(db, spec.by)
        assert actor.organization is not None
        exists = (await db.execute(select(Project.id).where(Project.organization_id == actor.organization.id,
                                                            Project.title_ru == spec.title_ru))).first()
        if exists:
            continue
        project = await service.create_project(db, actor, parse_project(submission(spec, today, areas, regions)))
        added += 1
        if spec.status == "draft":
            continue
        await service.publish_project(db, actor, project.id)
        path = {"funded": ("funded",), "in_progress": ("funded", "in_progress"),
                "completed": ("funded", "in_progress", "completed")}.get(spec.status, ())
        for status in path:
            if status == "completed":
                for milestone in project.milestones:  # reported on time, a day before each was due
                    milestone.reported_on = min(milestone.due_on, today) - timedelta(days=1)
                await db.commit()
            await service.change_status(db, actor, project.id, status)
    return added
