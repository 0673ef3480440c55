"""The demo's showcase projects (`asar demo`): a few of each kind — NGO initiatives, state
social-order projects and business CSR programmes, one social enterprise — in cities and villages,
in every lifecycle state (a draft of the unverified NGO, published, funded, in progress, completed
with its milestones reported), owned by the organizations whose people sign in. Built through the
project and pledge verbs, so they are what a person would have made (with the notifications and
audit entries that go with it); found again by organization and Russian title, so a second run adds
nothing. The 320 projects of the catalogue (asar.demo.catalogue) are written in bulk instead.

Dates are relative to the day the demo runs (a project "starts in 40 days"), so the demo never
looks stale.
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


def _tranches(project: Project, amount: int) -> dict[int, int]:
    """The pledge spread over the project's milestones in proportion to their tranches."""
    out, given = {}, 0
    for n, m in enumerate(project.milestones, start=1):
        share = amount - given if n == len(project.milestones) else amount * m.amount // project.budget
        out[m.id] = share
        given += share
    return {k: v for k, v in out.items() if v > 0}


async def _pledge(db: AsyncSession, sponsor: Actor, project: Project, amount: int, base_url: str) -> Any:
    from asar.pledges import service as pledges

    row, _made = await pledges.pledge(db, sponsor, project.id, pledges.PledgeInput(
        amount=amount, conditions="Есеп әр кезеңнен кейін / Отчёт после каждого этапа",
        tranches=_tranches(project, amount), idempotency_key=f"demo-showcase-{project.id}-{amount}"),
        base_url=base_url)
    return row


async def load_demo_projects(db: AsyncSession, actor_for: Any, base_url: str = "") -> int:
    """The demo projects that are missing (actor_for(db, email) -> Actor); how many were added.

    A funded, in-progress or completed one is funded as a person would: a demo business pledges its
    goal and the owner accepts (which makes it funded); the completed one's tranches are paid. Then,
    for the projects added now, the other pledge states, interest threads, followers and an update
    (asar.demo.showcase.EXTRAS), all through the verbs, so the bells and the mail have them too."""
    from asar.pledges import service as pledges

    areas = dict((await db.execute(select(Area.code, Area.id))).all())
    regions = dict((await db.execute(select(Region.iso_code, Region.id))).all())
    today = service.today()
    added: dict[str, Project] = {}
    for spec in SPECS:
        actor: Actor = await actor_for(db, spec.by)
        assert actor.organization is not None
        exists = (await db.execute(select(Project.id).where(Project.organization_id == actor.organization.id,
                                                            Project.title_ru == spec.title_ru))).first()
        if exists:
            continue
        project = await service.create_project(db, actor, parse_project(submission(spec, today, areas, regions)))
        added[spec.title_ru] = project
        if spec.status == "draft":
            continue
        await service.publish_project(db, actor, project.id)
        if spec.status not in ("funded", "in_progress", "completed"):
            continue
        sponsor = await actor_for(db, "business.admin@demo.asar.kz" if spec.by == "saryarka.admin@demo.asar.kz"
                                  else "saryarka.admin@demo.asar.kz")
        row = await _pledge(db, sponsor, project, project.sponsorship_goal, base_url)
        await pledges.accept_pledge(db, actor, row.id, base_url=base_url)  # the goal is reached: funded
        if spec.status == "funded":
            continue
        await service.change_status(db, actor, project.id, "in_progress")
        if spec.status == "completed":
            project = await service.load_project(db, project.id)
            for milestone in project.milestones:  # reported on time, a day before each was due
                milestone.reported_on = min(milestone.due_on, today) - timedelta(days=1)
            await db.commit()
            row = await db.get(type(row), row.id)
            for tranche in list(row.tranches):
                await pledges.disburse_tranche(db, sponsor, row.id, tranche.id, base_url=base_url)
            await service.change_status(db, actor, project.id, "completed")
    await _extras(db, actor_for, added, base_url)
    return len(added)


async def _extras(db: AsyncSession, actor_for: Any, added: dict[str, Project], base_url: str) -> None:
    """Pledges in the other states, interest threads, followers and an update, on the showcase
    projects added now (so a second run adds none of them)."""
    from asar.pledges import interest
    from asar.pledges import service as pledges
    from asar.projects.forms import parse_update

    dala = await actor_for(db, "business.admin@demo.asar.kz")
    saryarka = await actor_for(db, "saryarka.admin@demo.asar.kz")
    if (p := added.get("Библиотеки для сельских школ")) is not None:
        thread, _message = await interest.express_interest(
            db, dala, p.id, "Сәлеметсіз бе! Кітапханаларға ноутбук та қосуға дайынбыз. Есептерді қалай жібересіздер?\n\n"
            "Здравствуйте! Готовы добавить к библиотекам ноутбуки. Как вы отчитываетесь?", base_url=base_url)
        await interest.reply(db, await actor_for(db, "ngo.auyl@demo.asar.kz"), thread.id,
                             "Рахмет! Әр кезеңнен кейін қабылдау актілері мен фотоесеп жібереміз.\n\n"
                             "Спасибо! После каждого этапа присылаем акты приёма и фотоотчёт.", base_url=base_url)
        await _pledge(db, dala, p, 1_000_000, base_url)  # offered: the NGO has yet to answer
    if (p := added.get("Зелёные дворы Алматы")) is not None:
        row = await _pledge(db, saryarka, p, 2_000_000, base_url)
        await pledges.accept_pledge(db, await actor_for(db, "ngo.zhasyl@demo.asar.kz"), row.id, base_url=base_url)
    if (p := added.get("Швейная мастерская «Умит»")) is not None:
        row = await _pledge(db, dala, p, 500_000, base_url)
        await pledges.decline_pledge(db, await actor_for(db, "ngo.umit@demo.asar.kz"), row.id,
                                     "Бұл соманы жабдықтың бір бөлігіне ғана жеткізуге болмайды / "
                                     "Эту сумму нельзя направить только на часть оборудования", base_url=base_url)
    if (p := added.get("Трудоустройство сельской молодёжи")) is not None:
        row = await _pledge(db, saryarka, p, 1_000_000, base_url)
        await pledges.withdraw_pledge(db, saryarka, row.id, base_url=base_url)
    if (p := added.get("Социальное такси для пожилых")) is not None:
        thread, _message = await interest.express_interest(
            db, saryarka, p.id, "Можем передать два микроавтобуса с подъёмником. Кто будет их обслуживать?",
            base_url=base_url)
        await interest.reply(db, await actor_for(db, "official.almaty@demo.asar.kz"), thread.id,
                             "Спасибо! Обслуживание берёт на себя исполнитель социального заказа.", base_url=base_url)
    for email, title in (("citizen@demo.asar.kz", "Библиотеки для сельских школ"),
                         ("citizen@demo.asar.kz", "Зелёные дворы Алматы"),
                         ("volunteer@demo.asar.kz", "Кабинет реабилитации для особых детей"),
                         ("citizen.semey@demo.asar.kz", "Кабинет реабилитации для особых детей")):
        if (p := added.get(title)) is not None:
            await service.follow(db, await actor_for(db, email), p.id, base_url=base_url)
    if (p := added.get("Кабинет реабилитации для особых детей")) is not None:
        await service.post_update(db, await actor_for(db, "ngo.umit@demo.asar.kz"), p.id, parse_update({
            "title": "Кабинет жабдықталды / Кабинет оборудован",
            "body": "Тренажерлер орнатылды, алғашқы 40 бала сабаққа келді.\n\n"
                    "Тренажёры установлены, первые 40 детей начали занятия."}), base_url=base_url)
