"""Demo data for the embedded default (`asar demo`); safe to run again.

Organizations are found again by BIN and people by e-mail, so a second run adds nothing. The 20
regions and the areas of activity come from the first migration; this fills in who lives there:
verified government bodies (a ministry, the Almaty city akimat, a rural district akimat and three
regional akimats), six companies, eleven NGOs in cities and villages across the regions (one still
waiting for verification), and people in every role, all confirmed and signing in with
DEMO_PASSWORD. Then two hearings (below), the showcase projects built through the verbs
(asar.demo.showcase), the catalogue of 320 projects with their pledges, updates and followers
(asar.demo.catalogue, written by asar.demo.projects) and the businesses' sponsor profiles.

It writes organizations and people through the ORM directly (not the service verbs) because it
creates what the verbs refuse to: already-verified bodies, an admin, confirmed addresses.
Verifications and memberships are still written to the audit log, as the verbs would.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from asar.accounts.models import User
from asar.accounts.passwords import hash_password
from asar.audit.models import AuditEntry
from asar.audit.service import record
from asar.competitions.applications.models import Application
from asar.competitions.models import Call
from asar.db import Database, utcnow
from asar.demo.competitions import load_demo_calls
from asar.demo.projects import load_catalogue, load_sponsor_profiles
from asar.demo.showcase import load_demo_projects
from asar.domains import job_registry
from asar.i18n import N_
from asar.jobs import JobQueue
from asar.organizations.bin import check_digit
from asar.organizations.models import Membership, Organization
from asar.permissions import Actor
from asar.pledges.models import Pledge
from asar.projects.models import Project
from asar.reference.models import Area, Region
from asar.settings import Settings
from asar.sponsors.models import SponsorProfile
from asar.uow import atomic, unit_of_work

DEMO_PASSWORD = "asar-demo-2026"


def make_bin(first11: str) -> str:
    """A valid BIN from 11 leading digits (YYMM, 4 = resident legal entity, 0 = head office, serial);
    when those 11 have no check digit the serial is moved on until they do."""
    while (digit := check_digit(first11)) is None:
        first11 = f"{int(first11) + 1:011d}"
    return first11 + str(digit)


@dataclass(frozen=True)
class DemoOrg:
    key: str
    sector: str
    bin_prefix: str
    name_kk: str
    name_ru: str
    name_en: str
    legal_form: str
    regions: tuple[str, ...]  # ISO 3166-2 codes
    settlement: str
    areas: tuple[str, ...]
    description: str
    address: str
    phone: str
    verified_by: str | None  # the demo person who verified it (None: waiting for verification)
    verified_months: int = 0  # verified this many months before the demo runs (its track record counts it)


@dataclass(frozen=True)
class DemoPerson:
    email: str
    name: str
    language: str
    region: str | None
    about: str  # shown on the sign-in page (English, like every message id)
    memberships: tuple[tuple[str, str], ...] = ()  # (organization key, role); the first is acted for
    admin: bool = False


ORGANIZATIONS: tuple[DemoOrg, ...] = (
    DemoOrg(
        "ministry", "government", "99074000018",
        "ҚР Мәдениет және ақпарат министрлігі", "Министерство культуры и информации РК",
        "Ministry of Culture and Information of the Republic of Kazakhstan", "state_body",
        ("KZ-71",), "both", ("culture", "civil_society", "youth", "interethnic"),
        "Государственная политика в сферах культуры, информации, молодёжи и взаимодействия с "
        "гражданским обществом; оператор государственного социального заказа и грантов для НПО.\n\n"
        "Мәдениет, ақпарат, жастар саясаты және азаматтық қоғаммен өзара іс-қимыл саласындағы "
        "мемлекеттік саясат.",
        "Астана, Мәңгілік Ел даңғылы, 8, «Министрліктер үйі»", "+7 7172 00 00 01", "admin", 120,
    ),
    DemoOrg(
        "akimat_almaty", "government", "99024000052",
        "Алматы қаласының әкімдігі", "Акимат города Алматы", "Akimat of Almaty City", "state_body",
        ("KZ-75",), "urban", ("social_protection", "housing", "civil_society", "environment"),
        "Местный исполнительный орган города Алматы: городские социальные программы, "
        "благоустройство, общественные слушания по вопросам города.\n\n"
        "Алматы қаласының жергілікті атқарушы органы.",
        "Алматы, Республика алаңы, 4", "+7 727 000 00 02", "admin", 120,
    ),
    DemoOrg(
        "akimat_abai_district", "government", "01114000073",
        "Абай облысы Абай ауданының әкімдігі", "Акимат Абайского района области Абай",
        "Akimat of Abai District, Abai Region", "state_institution",
        ("KZ-10",), "rural", ("rural", "social_protection", "elderly", "sport"),
        "Районный акимат с центром в селе Караул: сельские округа, поддержка ветеранов, "
        "сельский спорт и развитие сёл.\n\n"
        "Орталығы Қарауыл ауылы болатын аудан әкімдігі: ауылдық округтер, ардагерлерді қолдау, ауыл спорты.",
        "Абай облысы, Абай ауданы, Қарауыл ауылы, Абай көшесі, 1", "+7 72252 0 00 03", "admin", 60,
    ),
    DemoOrg(
        "dala_tech", "business", "15064000094",
        "«Дала Технолоджис» ЖШС", "ТОО «Дала Технолоджис»", "Dala Technologies LLP", "llp",
        ("KZ-75",), "urban", ("education", "youth", "social_enterprise"),
        "IT-компания из Алматы. Программа корпоративной социальной ответственности: "
        "бесплатные курсы программирования для подростков и поддержка социальных предпринимателей.\n\n"
        "Алматылық IT-компания: жасөспірімдерге тегін бағдарламалау курстары.",
        "Алматы, Әл-Фараби даңғылы, 17", "+7 727 000 00 04", "official.almaty@demo.asar.kz", 26,
    ),
    DemoOrg(
        "saryarka_metal", "business", "05034000115",
        "«Сарыарқа Металл» АҚ", "АО «Сарыарка Металл»", "Saryarka Metal JSC", "jsc",
        ("KZ-35",), "both", ("environment", "health", "sport"),
        "Металлургическое предприятие Карагандинской области. Спонсирует экологические и "
        "спортивные проекты в Караганде, Темиртау и окрестных посёлках.\n\n"
        "Қарағанды облысының металлургиялық кәсіпорны: экология және спорт жобаларының демеушісі.",
        "Қарағанды, Бұқар жырау даңғылы, 30", "+7 7212 00 00 05", "official.culture@demo.asar.kz", 90,
    ),
    DemoOrg(
        "zhasyl_almaty", "ngo", "10044000136",
        "«Жасыл Алматы» қоғамдық бірлестігі", "Общественное объединение «Жасыл Алматы»",
        "Zhasyl Almaty Public Association", "public_association",
        ("KZ-75",), "urban", ("environment", "civil_society"),
        "Городские посадки деревьев, раздельный сбор отходов во дворах, экологические уроки в школах.\n\n"
        "Қала ағаштарын отырғызу, аулаларда қалдықтарды бөлек жинау, мектептерде экология сабақтары.",
        "Алматы, Абай даңғылы, 52", "+7 727 000 00 06", "official.almaty@demo.asar.kz", 54,
    ),
    DemoOrg(
        "umit", "ngo", "12094000157",
        "«Үміт» қоғамдық қоры", "Общественный фонд «Умит»", "Umit Public Foundation", "public_foundation",
        ("KZ-79", "KZ-61"), "both", ("children_family", "disability", "education"),
        "Помощь семьям, воспитывающим детей с инвалидностью, в Шымкенте и сёлах Туркестанской "
        "области: инклюзивные занятия, консультации родителей.\n\n"
        "Мүгедектігі бар балаларды тәрбиелеп отырған отбасыларға көмек.",
        "Шымкент, Тәуке хан даңғылы, 5", "+7 7252 00 00 07", "official.culture@demo.asar.kz", 40,
    ),
    DemoOrg(
        "auyl_zhastary", "ngo", "18034000178",
        "«Ауыл жастары» қоғамдық бірлестігі", "Общественное объединение «Молодёжь села»",
        "Rural Youth Public Association", "public_association",
        ("KZ-10",), "rural", ("youth", "rural", "sport"),
        "Молодёжные инициативы в сёлах Абайского района: спортивные секции, волонтёрство, "
        "профориентация.\n\n"
        "Абай ауданы ауылдарындағы жастар бастамалары: спорт үйірмелері, еріктілік, кәсіби бағдар.",
        "Абай облысы, Абай ауданы, Қарауыл ауылы, Құнанбай көшесі, 12", "+7 72252 0 00 08",
        "official.abai@demo.asar.kz", 18,
    ),
    DemoOrg(
        "kamkor", "ngo", "08114000199",
        "«Қамқор» қоғамдық қоры", "Общественный фонд «Камкор»", "Kamkor Public Foundation",
        "public_foundation", ("KZ-35",), "both", ("elderly", "social_protection", "health"),
        "Уход на дому за одинокими пожилыми людьми в Караганде и посёлках области, "
        "горячие обеды, помощь ветеранам.\n\n"
        "Қарағандыдағы және облыс кенттеріндегі жалғыз басты қарттарға үйде күтім.",
        "Қарағанды, Ерубаев көшесі, 41", "+7 7212 00 00 09", "official.culture@demo.asar.kz", 64,
    ),
    DemoOrg(
        "adilet", "ngo", "21054000210",
        "«Әділет» құқықтық көмек орталығы", "Центр правовой помощи «Адилет»",
        "Adilet Legal Aid Centre", "private_institution",
        ("KZ-61",), "rural", ("human_rights", "consumer", "rural"),
        "Бесплатные юридические консультации для жителей сёл Туркестанской области: земля, "
        "пенсии, права потребителей. Ожидает верификации.\n\n"
        "Түркістан облысы ауылдарының тұрғындарына тегін заң кеңестері.",
        "Түркістан облысы, Сайрам ауданы, Ақсу ауылы", "+7 72531 0 00 10", None,
    ),
    # More organizations in other regions: they own most of the catalogue's projects
    # (asar.demo.catalogue) and sponsor them; nobody signs in for them.
    DemoOrg(
        "sana", "ngo", "11034000231",
        "«Сана» білім беру қоры", "Образовательный фонд «Сана»", "Sana Education Foundation", "public_foundation",
        ("KZ-71", "KZ-11", "KZ-59", "KZ-39", "KZ-15", "KZ-55"), "both", ("education", "youth", "rural"),
        "Программы для сельских школ северных и западных областей: книги, кружки, повышение квалификации "
        "учителей.\n\nСолтүстік және батыс облыстардың ауыл мектептеріне арналған бағдарламалар: кітаптар, "
        "үйірмелер, мұғалімдердің біліктілігін арттыру.",
        "Астана, Сарыарқа ауданы, Бейбітшілік көшесі, 14", "+7 7172 00 00 11", "official.culture@demo.asar.kz", 70,
    ),
    DemoOrg(
        "meirim", "ngo", "13054000252",
        "«Мейірім» қайырымдылық қоры", "Благотворительный фонд «Мейирим»", "Meirim Charitable Foundation",
        "public_foundation", ("KZ-23", "KZ-47", "KZ-27", "KZ-15"), "both",
        ("social_protection", "children_family", "elderly"),
        "Помощь многодетным и малообеспеченным семьям, одиноким пожилым людям и бездомным в западных "
        "областях.\n\nБатыс облыстардағы көпбалалы және аз қамтылған отбасыларға, жалғыз басты қарттарға және "
        "баспанасыз адамдарға көмек.",
        "Атырау, Сәтпаев даңғылы, 21", "+7 7122 00 00 12", "official.culture@demo.asar.kz", 48,
    ),
    DemoOrg(
        "tabigat", "ngo", "09124000273",
        "«Табиғат» экологиялық одағы", "Экологический союз «Табигат»", "Tabigat Ecological Union",
        "association_of_legal_entities", ("KZ-63", "KZ-10", "KZ-33", "KZ-19", "KZ-55"), "both",
        ("environment", "tourism", "civil_society"),
        "Уборка рек и озёр, экологические тропы, посадка деревьев и раздельный сбор отходов на востоке и юго-"
        "востоке страны.\n\nЕліміздің шығысы мен оңтүстік-шығысында өзен-көлдерді тазарту, экологиялық соқпақтар, "
        "ағаш отырғызу және қалдықтарды бөлек жинау.",
        "Өскемен, Қазақстан көшесі, 60", "+7 7232 00 00 13", "official.culture@demo.asar.kz", 96,
    ),
    DemoOrg(
        "kenes", "ngo", "16024000294",
        "«Кеңес» құқықтық орталығы", "Правовой центр «Кенес»", "Kenes Legal Centre", "private_institution",
        ("KZ-31", "KZ-43", "KZ-61", "KZ-62", "KZ-79"), "both", ("human_rights", "gender", "consumer"),
        "Бесплатная юридическая помощь женщинам, кандасам и людям, вернувшимся из мест заключения, на юге "
        "страны.\n\nЕліміздің оңтүстігінде әйелдерге, қандастарға және жазасын өтеп шыққан адамдарға тегін заң "
        "көмегі.",
        "Тараз, Төле би көшесі, 35", "+7 7262 00 00 14", "official.culture@demo.asar.kz", 30,
    ),
    DemoOrg(
        "zhiger", "ngo", "19084000315",
        "«Жігер» жастар қозғалысы", "Молодёжное движение «Жигер»", "Zhiger Youth Movement", "public_association",
        ("KZ-43", "KZ-31", "KZ-19", "KZ-33", "KZ-62", "KZ-35"), "both", ("youth", "sport", "civil_society"),
        "Волонтёрские центры, спортивные секции и школы активных граждан для молодёжи городов и сёл.\n\n"
        "Қалалар мен ауылдардың жастарына арналған еріктілер орталықтары, спорт үйірмелері және белсенді "
        "азаматтар мектептері.",
        "Қызылорда, Әйтеке би көшесі, 27", "+7 7242 00 00 15", "official.culture@demo.asar.kz", 20,
    ),
    DemoOrg(
        "shapagat", "ngo", "07064000336",
        "«Шапағат» мүгедектігі бар адамдар қауымдастығы", "Ассоциация людей с инвалидностью «Шапагат»",
        "Shapagat Association of Persons with Disabilities", "association_of_legal_entities",
        ("KZ-71", "KZ-55", "KZ-59", "KZ-11", "KZ-63", "KZ-39"), "both",
        ("disability", "social_enterprise", "health"),
        "Доступная среда, рабочие места и социальные предприятия, где работают люди с инвалидностью.\n\n"
        "Кедергісіз орта, жұмыс орындары және мүгедектігі бар адамдар жұмыс істейтін әлеуметтік кәсіпорындар.",
        "Астана, Байқоңыр ауданы, Жеңіс даңғылы, 5", "+7 7172 00 00 16", "official.culture@demo.asar.kz", 120,
    ),
    DemoOrg(
        "akimat_mangystau", "government", "99014000357",
        "Маңғыстау облысының әкімдігі", "Акимат Мангистауской области", "Akimat of Mangystau Region", "state_body",
        ("KZ-47",), "both", ("social_protection", "housing", "health", "youth"),
        "Местный исполнительный орган Мангистауской области: социальный заказ, жильё и вода для сёл.\n\n"
        "Маңғыстау облысының жергілікті атқарушы органы.",
        "Ақтау, 14-шағын аудан, 1", "+7 7292 00 00 17", "admin", 60,
    ),
    DemoOrg(
        "akimat_north", "government", "99034000378",
        "Солтүстік Қазақстан облысының әкімдігі", "Акимат Северо-Казахстанской области",
        "Akimat of North Kazakhstan Region", "state_body",
        ("KZ-59",), "both", ("social_protection", "rural", "education", "elderly"),
        "Местный исполнительный орган Северо-Казахстанской области: социальный заказ для сёл и малых городов."
        "\n\nСолтүстік Қазақстан облысының жергілікті атқарушы органы.",
        "Петропавл, Конституция көшесі, 58", "+7 7152 00 00 18", "admin", 60,
    ),
    DemoOrg(
        "akimat_kyzylorda", "government", "99054000399",
        "Қызылорда облысының әкімдігі", "Акимат Кызылординской области", "Akimat of Kyzylorda Region", "state_body",
        ("KZ-43",), "both", ("social_protection", "health", "environment", "rural"),
        "Местный исполнительный орган Кызылординской области: Приаралье, питьевая вода, здоровье сельчан.\n\n"
        "Қызылорда облысының жергілікті атқарушы органы.",
        "Қызылорда, Бейбарыс сұлтан көшесі, 1", "+7 7242 00 00 19", "admin", 60,
    ),
    DemoOrg(
        "kaspiy_munai", "business", "04084000410",
        "«Каспий Мұнай Сервис» ЖШС", "ТОО «Каспий Мунай Сервис»", "Caspian Oil Service LLP", "llp",
        ("KZ-23", "KZ-47"), "both", ("environment", "health", "sport", "children_family"),
        "Нефтесервисная компания Атырау и Мангистау. Программа КСО: здоровье, спорт и экология в городах и "
        "посёлках, где живут наши сотрудники.\n\nАтырау мен Маңғыстаудағы мұнай сервисі компаниясы.",
        "Атырау, Азаттық даңғылы, 48", "+7 7122 00 00 20", "official.culture@demo.asar.kz", 84,
    ),
    DemoOrg(
        "astyk_agro", "business", "06114000431",
        "«Астық Агро» АҚ", "АО «Астык Агро»", "Astyk Agro JSC", "jsc",
        ("KZ-39", "KZ-59", "KZ-11"), "rural", ("rural", "education", "elderly"),
        "Агрохолдинг северных областей. Поддерживает сельские школы, амбулатории и пожилых жителей сёл, где "
        "работают наши хозяйства.\n\nСолтүстік облыстардың агрохолдингі: ауыл мектептері мен амбулаторияларына "
        "қолдау.",
        "Қостанай, Әл-Фараби даңғылы, 65", "+7 7142 00 00 21", "official.culture@demo.asar.kz", 36,
    ),
    DemoOrg(
        "sapa_bank", "business", "97024000452",
        "«Сапа Банк» АҚ", "АО «Сапа Банк»", "Sapa Bank JSC", "jsc",
        ("KZ-71", "KZ-75", "KZ-79", "KZ-61", "KZ-31"), "urban", ("consumer", "education", "elderly", "gender"),
        "Банк второго уровня. Программа КСО: финансовая грамотность, защита прав потребителей, поддержка "
        "женского предпринимательства.\n\nЕкінші деңгейлі банк: қаржылық сауаттылық және әйелдер кәсіпкерлігі.",
        "Астана, Қабанбай батыр даңғылы, 11", "+7 7172 00 00 22", "official.culture@demo.asar.kz", 110,
    ),
    DemoOrg(
        "shygys_energo", "business", "02104000473",
        "«Шығыс Энерго» АҚ", "АО «Шыгыс Энерго»", "Shygys Energo JSC", "jsc",
        ("KZ-63", "KZ-10", "KZ-55", "KZ-62"), "both", ("housing", "elderly", "environment", "sport"),
        "Энергокомпания востока страны. Утепляет дома ветеранов, строит спортивные площадки и сажает деревья.\n\n"
        "Шығыс өңірінің энергетикалық компаниясы: ардагерлердің үйлерін жылыту, спорт алаңдары, ағаш отырғызу.",
        "Өскемен, Ушанов көшесі, 64", "+7 7232 00 00 23", "official.culture@demo.asar.kz", 72,
    ),
)

PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("admin@demo.asar.kz", "Асель Нұрланқызы", "ru", "KZ-71",
               N_("Platform administrator: verifies government bodies, reads the audit log and sent mail"),
               admin=True),
    DemoPerson("official.culture@demo.asar.kz", "Ерлан Сейітқали", "kk", "KZ-71",
               N_("Official of the Ministry of Culture and Information (verifies NGOs and companies)"),
               (("ministry", "admin"),)),
    DemoPerson("official.almaty@demo.asar.kz", "Марина Ким", "ru", "KZ-75",
               N_("Official of the Almaty city akimat"), (("akimat_almaty", "admin"),)),
    DemoPerson("official.abai@demo.asar.kz", "Бауыржан Тоқтаров", "kk", "KZ-10",
               N_("Official of the Abai district akimat (a rural district)"), (("akimat_abai_district", "admin"),)),
    DemoPerson("business.admin@demo.asar.kz", "Timur Abenov", "en", "KZ-75",
               N_("Administrator of Dala Technologies LLP (a company in Almaty)"), (("dala_tech", "admin"),)),
    DemoPerson("business.member@demo.asar.kz", "Алия Жұмабаева", "ru", "KZ-75",
               N_("Member of Dala Technologies LLP"), (("dala_tech", "member"),)),
    DemoPerson("saryarka.admin@demo.asar.kz", "Сергей Литвинов", "ru", "KZ-35",
               N_("Administrator of Saryarka Metal JSC (a company in Karaganda)"), (("saryarka_metal", "admin"),)),
    DemoPerson("ngo.zhasyl@demo.asar.kz", "Дина Әбдірахманова", "kk", "KZ-75",
               N_("Administrator of the NGO Zhasyl Almaty (Almaty, environment)"), (("zhasyl_almaty", "admin"),)),
    DemoPerson("ngo.umit@demo.asar.kz", "Гүлнар Бекова", "ru", "KZ-79",
               N_("Administrator of the Umit foundation (Shymkent, children with disabilities)"), (("umit", "admin"),)),
    DemoPerson("ngo.auyl@demo.asar.kz", "Нұрсұлтан Оспанов", "kk", "KZ-10",
               N_("Administrator of the NGO Rural Youth (villages of Abai district)"), (("auyl_zhastary", "admin"),)),
    DemoPerson("ngo.kamkor@demo.asar.kz", "Ольга Пак", "ru", "KZ-35",
               N_("Administrator of the Kamkor foundation (Karaganda, elderly care)"), (("kamkor", "admin"),)),
    DemoPerson("ngo.adilet@demo.asar.kz", "Айбек Сапаров", "kk", "KZ-61",
               N_("Administrator of the Adilet legal aid centre (not verified yet)"), (("adilet", "admin"),)),
    DemoPerson("volunteer@demo.asar.kz", "Мадина Серікова", "kk", "KZ-75",
               N_("Member of Zhasyl Almaty and of Umit (acts for Zhasyl Almaty)"),
               (("zhasyl_almaty", "member"), ("umit", "member"))),
    DemoPerson("member.auyl@demo.asar.kz", "Данияр Қасымов", "kk", "KZ-10",
               N_("Member of the NGO Rural Youth"), (("auyl_zhastary", "member"),)),
    DemoPerson("citizen@demo.asar.kz", "Айгүл Тұрсынова", "kk", "KZ-75", N_("Citizen of Almaty")),
    DemoPerson("citizen.semey@demo.asar.kz", "Pavel Ivanov", "en", "KZ-10", N_("Citizen of Semey (Abai region)")),
)

# (e-mail, who they are) — shown on the sign-in page only in the embedded default.
DEMO_PEOPLE: list[tuple[str, str]] = [(p.email, p.about) for p in PEOPLE]


@dataclass
class Created:
    organizations: int = 0
    people: int = 0
    memberships: int = 0
    keys: dict[str, int] = field(default_factory=dict)


@atomic
async def _load(db: AsyncSession) -> Created:
    created = Created()
    regions = {r.iso_code: r for r in (await db.execute(select(Region))).scalars()}
    areas = {a.code: a for a in (await db.execute(select(Area))).scalars()}
    if len(regions) < 20:
        raise RuntimeError("the regions are missing: run `asar db upgrade` first")
    now = utcnow()

    users: dict[str, User] = {
        u.email: u
        for u in (await db.execute(select(User).where(User.email.in_([p.email for p in PEOPLE])))).scalars()
    }
    password_hash: str | None = None
    created_now: set[str] = set()
    for p in PEOPLE:
        if p.email in users:
            continue
        password_hash = password_hash or hash_password(DEMO_PASSWORD)  # one hash: the password is public
        user = User(email=p.email, name=p.name, language=p.language, password_hash=password_hash,
                    region_id=regions[p.region].id if p.region else None, email_confirmed_at=now,
                    is_admin=p.admin)
        db.add(user)
        users[p.email] = user
        created_now.add(p.email)
        created.people += 1
    await db.flush()
    admin = users[PEOPLE[0].email]

    bins = {o.key: make_bin(o.bin_prefix) for o in ORGANIZATIONS}
    orgs: dict[str, Organization] = {
        o.bin: o for o in (await db.execute(select(Organization).where(Organization.bin.in_(bins.values()))))
        .scalars()
    }
    by_key: dict[str, Organization] = {}
    new_orgs: list[DemoOrg] = []
    for spec in ORGANIZATIONS:
        org = orgs.get(bins[spec.key])
        if org is None:
            founder = next((users[p.email] for p in PEOPLE
                            if p.memberships and p.memberships[0] == (spec.key, "admin")), admin)
            org = Organization(
                sector=spec.sector, name_kk=spec.name_kk, name_ru=spec.name_ru, name_en=spec.name_en,
                bin=bins[spec.key], legal_form=spec.legal_form, settlement=spec.settlement,
                description=spec.description, email=f"{spec.key.replace('_', '-')}@demo.asar.kz",
                phone=spec.phone, address=spec.address, created_by_id=founder.id,
                regions=[regions[c] for c in spec.regions], areas=[areas[c] for c in spec.areas if c in areas],
            )
            db.add(org)
            new_orgs.append(spec)
            created.organizations += 1
        by_key[spec.key] = org
    await db.flush()

    existing = {
        (m.organization_id, m.user_id): m
        for m in (await db.execute(select(Membership).where(Membership.user_id.in_([u.id for u in users.values()]))))
        .scalars()
    }
    added: list[Membership] = []
    for p in PEOPLE:
        user = users[p.email]
        for key, role in p.memberships:
            org = by_key[key]
            if (org.id, user.id) in existing:
                continue
            m = Membership(organization_id=org.id, user_id=user.id, role=role, organization=org)
            db.add(m)
            existing[(org.id, user.id)] = m
            added.append(m)
        if p.memberships and p.email in created_now:
            user.acting_org_id = by_key[p.memberships[0][0]].id
    await db.flush()
    for m in added:
        record(db, Actor(user=admin), "membership.added", "organization", m.organization_id, user_id=m.user_id,
               role=m.role, source="demo")
    created.memberships = len(added)

    # Government bodies first: their officials verify the others.
    for spec in sorted(new_orgs, key=lambda s: s.sector != "government"):
        if spec.verified_by is None:
            continue
        org = by_key[spec.key]
        verifier = admin if spec.verified_by == "admin" else users[spec.verified_by]
        acting = next((m for (oid, uid), m in existing.items() if uid == verifier.id
                       and oid == verifier.acting_org_id), None)
        org.verified_at = utcnow() - timedelta(days=30 * spec.verified_months)
        org.verified_by_id = verifier.id
        record(db, Actor(user=verifier, membership=acting), "organization.verified", "organization", org.id,
               source="demo")
    created.keys = {k: o.id for k, o in by_key.items()}
    return created


async def counts(db: AsyncSession) -> dict[str, int]:
    """How many rows the tables the demo fills hold (the tests compare two runs)."""
    out = {}
    for name, model in (("organizations", Organization), ("people", User), ("memberships", Membership),
                        ("audit entries", AuditEntry), ("regions", Region), ("areas", Area),
                        ("projects", Project), ("pledges", Pledge), ("sponsor profiles", SponsorProfile),
                        ("calls", Call), ("applications", Application)):
        out[name] = (await db.execute(select(func.count()).select_from(model))).scalar_one()
    return out


async def demo_jobs(database: Database, settings: Settings) -> tuple[JobQueue, Any]:
    """The job queue the demo's verbs enqueue into (mail, commitment notices), as `asar serve` has it:
    arq on Redis when configured (the worker delivers), else in-process tasks drained before exit."""
    arq_pool = None
    if settings.redis_url:
        from arq import create_pool
        from arq.connections import RedisSettings

        arq_pool = await create_pool(RedisSettings.from_dsn(settings.redis_url))
    # without Redis each job runs at once, after the verb that queued it commits: on SQLite a job running
    # beside the next verb would wait for its write lock (and make the verb wait), a second or more each
    jobs = JobQueue({"db": database, "settings": settings}, arq_pool, jobs=job_registry().jobs, inline=arq_pool is None)
    database.sessionmaker.kw.setdefault("info", {})["jobs"] = jobs
    return jobs, arq_pool


def _fast_sqlite(database: Database) -> None:
    """SQLite without waiting for the disk at each commit (the demo's hundred commits each took an fsync,
    seconds on a busy machine): if the machine stops mid-demo, the demo is simply run again."""
    if database.engine.dialect.name == "sqlite":
        @event.listens_for(database.engine.sync_engine, "connect")
        def _no_sync(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            cur.close()


async def load_demo(settings: Settings) -> str:
    """Fill settings' database with the demo data (adding only what is missing); a summary line."""
    database = Database.from_url(settings.database_url)
    _fast_sqlite(database)
    jobs, arq_pool = await demo_jobs(database, settings)
    try:
        async with database.sessionmaker() as db:
            created = await _load(db)
            hearings_added = await load_demo_hearings(db)
            projects_added = await load_demo_projects(db, _demo_actor, settings.base_url)
            calls_added = await load_demo_calls(db, _demo_actor, settings.base_url)
            fans = [u for u, in (await db.execute(select(User.id).where(
                User.email.in_([p.email for p in PEOPLE if not p.admin])).order_by(User.id))).all()]
            await jobs.drain()  # the mail the verbs queued goes first: the catalogue then writes alone
            catalogue_added = await load_catalogue(db, created.keys, fans)
            profiles_added = await load_sponsor_profiles(db, created.keys, _demo_actor)
            total = await counts(db)
        await jobs.drain()
    finally:
        if arq_pool is not None:
            await arq_pool.aclose()
        await database.close()
    verified = sum(1 for o in ORGANIZATIONS if o.verified_by)
    return (
        f"Demo data: {len(ORGANIZATIONS)} organizations ({verified} verified), {len(PEOPLE)} people; "
        f"added now: {created.organizations} organizations, {created.people} people, "
        f"{created.memberships} memberships. Database totals: "
        + ", ".join(f"{v} {k}" for k, v in total.items())
        + f". Hearings added now: {hearings_added}. Projects added now: {projects_added + catalogue_added}"
        + f" ({projects_added} through the verbs, {catalogue_added} of the catalogue). Sponsor profiles added now: "
        + f"{profiles_added}. Calls added now: {calls_added}"
        + f".\nSign in as any demo person (e.g. {PEOPLE[0].email}) with the password {DEMO_PASSWORD}."
    )


# ---------------------------------------------------------------- hearings
# One upcoming hearing (scheduled, with an agenda and registrations from each sector) and one closed
# hearing with its minutes: questions answered, a closed poll with votes from each sector, decisions,
# two commitments in different states. Built through the hearings verbs (so events, tallies and the
# minutes are what the live room would have produced), then the closed one is moved into the past.
# Found again by title and organizer, so a second run adds nothing.

UPCOMING_TITLE = "Алматыны көгалдандыру схемасы 2027 / Схема озеленения Алматы на 2027 год"
CLOSED_TITLE = "Қарауыл ауылындағы спорт залы / Спортивный зал в селе Караул"
CLOSED_DOCUMENT_TITLE = "Проект правил пользования спортивным залом села Караул"
CLOSED_DOCUMENT = """ПРОЕКТ
Правила пользования спортивным залом села Караул Абайского района

1. Общие положения
Настоящие правила определяют порядок пользования спортивным залом, построенным за счёт местного бюджета.
2. Зал находится в ведении отдела физической культуры и спорта акимата Абайского района.
3. Режим работы
Зал открыт ежедневно с 8:00 до 22:00. Часы с 15:00 до 18:00 в будние дни отводятся школьникам бесплатно.
4. Платные услуги
1) разовое посещение взрослыми — не более 500 тенге;
2) аренда зала организациями — по тарифам, утверждённым акиматом.
5. Спортивные секции и общественные объединения получают не менее 10 часов в неделю на основании заявки.
6. Предложения и жалобы рассматриваются отделом в течение 15 рабочих дней.
"""


async def _demo_actor(db: AsyncSession, email: str) -> Actor:
    user = (await db.execute(select(User).where(User.email == email))).scalar_one()
    memberships = tuple((await db.execute(select(Membership).where(Membership.user_id == user.id)
                                          .order_by(Membership.id))).scalars())
    acting = next((m for m in memberships if m.organization_id == user.acting_org_id), None)
    return Actor(user=user, membership=acting, memberships=memberships)


async def _demo_hearing_exists(db: AsyncSession, title: str) -> bool:
    from asar.hearings.models import Hearing

    return (await db.execute(select(func.count()).select_from(Hearing).where(Hearing.title == title))).scalar_one() > 0


async def load_demo_hearings(db: AsyncSession) -> int:
    """The two demo hearings (only those missing); how many were added."""
    from datetime import UTC, datetime, time, timedelta

    from asar.hearings import commitments, minutes, polls, room, service
    from asar.hearings.forms import parse_hearing, parse_poll
    from asar.hearings.models import AgendaItem, Hearing

    added = 0
    tomorrow = (utcnow() + timedelta(days=1)).date()
    if not await _demo_hearing_exists(db, UPCOMING_TITLE):
        chair = await _demo_actor(db, "official.almaty@demo.asar.kz")
        start = f"{(tomorrow + timedelta(days=3)).isoformat()}T15:00"
        h = await service.create_hearing(db, chair, parse_hearing({
            "title": UPCOMING_TITLE, "topic": "Ағаштар, саябақтар, суару / Деревья, парки, полив",
            "description": "Алматы қаласының әкімдігі 2027 жылға арналған көгалдандыру схемасын талқылауға шақырады.\n\n"
                           "Акимат города Алматы приглашает обсудить схему озеленения на 2027 год: какие улицы "
                           "и дворы получат деревья, как будет устроен полив, кто будет ухаживать.",
            "starts_at": start, "duration_minutes": 120, "format": "hybrid",
            "venue": "Алматы, Республика алаңы, 4, мәжіліс залы / конференц-зал", "languages": ["kk", "ru"],
            "participation": "all", "moderation_mode": "post", "results_visibility": "live",
            "region_id": (await db.execute(select(Region.id).where(Region.iso_code == "KZ-75"))).scalar_one(),
            "agenda": [{"title": "Ашылу / Открытие", "minutes": 10},
                       {"title": "Схеманы таныстыру / Презентация схемы", "minutes": 30},
                       {"title": "Сұрақтар мен жауаптар / Вопросы и ответы", "minutes": 50},
                       {"title": "Сауалнама және қорытынды / Опрос и итоги", "minutes": 30}],
        }))
        await service.schedule(db, chair, h.id)
        for email in ("official.culture@demo.asar.kz", "business.admin@demo.asar.kz", "business.member@demo.asar.kz",
                      "ngo.zhasyl@demo.asar.kz", "volunteer@demo.asar.kz", "citizen@demo.asar.kz"):
            await service.register(db, await _demo_actor(db, email), h.id)
        added += 1

    if not await _demo_hearing_exists(db, CLOSED_TITLE):
        chair = await _demo_actor(db, "official.abai@demo.asar.kz")
        h = await service.create_hearing(db, chair, parse_hearing({
            "title": CLOSED_TITLE, "topic": "Ауыл спорты / Сельский спорт",
            "description": "Абай ауданының әкімдігі Қарауыл ауылында жаңа спорт залын салу жобасын талқылады.\n\n"
                           "Акимат Абайского района обсудил с жителями, бизнесом и НПО проект нового спортивного "
                           "зала в селе Караул: место, сроки, кто и как будет им пользоваться.",
            "starts_at": f"{tomorrow.isoformat()}T11:00", "duration_minutes": 90, "format": "online",
            "languages": ["kk", "ru"], "participation": "all", "moderation_mode": "post",
            "results_visibility": "live",
            "region_id": (await db.execute(select(Region.id).where(Region.iso_code == "KZ-10"))).scalar_one(),
            "agenda": [{"title": "Жобаны таныстыру / Презентация проекта", "minutes": 20},
                       {"title": "Сұрақтар / Вопросы", "minutes": 40},
                       {"title": "Дауыс беру / Голосование", "minutes": 30}],
            "related_kind": "project", "related_title": "Строительство спортивного зала в селе Караул",
            "document_title": CLOSED_DOCUMENT_TITLE, "document_text": CLOSED_DOCUMENT,
        }))
        await service.schedule(db, chair, h.id)
        people = {e: await _demo_actor(db, e) for e in (
            "official.culture@demo.asar.kz", "business.admin@demo.asar.kz", "saryarka.admin@demo.asar.kz",
            "ngo.auyl@demo.asar.kz", "member.auyl@demo.asar.kz", "ngo.kamkor@demo.asar.kz",
            "citizen.semey@demo.asar.kz", "citizen@demo.asar.kz")}
        await service.register(db, chair, h.id)
        for actor in people.values():
            await service.register(db, actor, h.id)
        await service.open_hearing(db, chair, h.id)
        await room.post_comment(db, people["ngo.auyl@demo.asar.kz"], h.id, "demo-p1",
                                "Ауыл жастары бұл залды көптен күтіп жүр! / Молодёжь села давно ждёт этот зал!")
        await room.post_comment(db, people["ngo.kamkor@demo.asar.kz"], h.id, "demo-p3",
                                "Предлагаем закрепить в пункте 3 бесплатные часы и для пенсионеров, не только "
                                "для школьников.", clause="3")
        await service.advance_agenda(db, chair, h.id)
        q1, _dup = await room.ask_question(db, people["citizen.semey@demo.asar.kz"], h.id, "demo-q1",
                                           "Will the hall be open to adults in the evening?", clause="3")
        q2, _dup = await room.ask_question(db, people["member.auyl@demo.asar.kz"], h.id, "demo-q2",
                                           "Зал қай жерде салынады? / Где именно построят зал?")
        for email in ("citizen@demo.asar.kz", "ngo.auyl@demo.asar.kz", "business.admin@demo.asar.kz"):
            await room.upvote_question(db, people[email], h.id, q2.id)
        await room.upvote_question(db, people["ngo.kamkor@demo.asar.kz"], h.id, q1.id)
        await room.mark_answering(db, chair, h.id, q2.id)
        await room.answer_question(db, chair, h.id, q2.id,
                                   "№2 мектептің жанындағы бос учаскеде. / На свободном участке рядом со школой №2.")
        await room.answer_question(db, chair, h.id, q1.id,
                                   "Yes: from 18:00 to 22:00 on weekdays, free for residents of the district.")
        spam, _dup = await room.post_comment(db, people["saryarka.admin@demo.asar.kz"], h.id, "demo-p2",
                                             "Buy our steel at a discount! Call now.")
        await room.moderate(db, chair, h.id, "post", spam.id, "hide", "Advertising is not allowed in the hearing")
        await service.advance_agenda(db, chair, h.id)
        poll = await polls.create_poll(db, chair, h.id, parse_poll({
            "kind": "single", "question": "Спорт залын №2 мектептің жанында салуды қолдайсыз ба? / "
                                          "Поддерживаете ли вы строительство зала рядом со школой №2?",
            "options": "Иә / Да\nЖоқ / Нет\nТағы талқылау керек / Нужно ещё обсудить"}))
        await polls.open_poll(db, chair, h.id, poll.id)
        poll = await polls.get_poll(db, h.id, poll.id)
        yes, no, more = (o.id for o in poll.options)
        ballots = {"official.culture@demo.asar.kz": yes, "business.admin@demo.asar.kz": yes,
                   "saryarka.admin@demo.asar.kz": more, "ngo.auyl@demo.asar.kz": yes,
                   "member.auyl@demo.asar.kz": yes, "ngo.kamkor@demo.asar.kz": more,
                   "citizen.semey@demo.asar.kz": no, "citizen@demo.asar.kz": yes}
        for email, option in ballots.items():
            await polls.cast_vote(db, people[email], h.id, poll.id, "demo-vote", {"option_id": option})
        await polls.cast_vote(db, chair, h.id, poll.id, "demo-vote", {"option_id": yes})
        await service.close_hearing(db, chair, h.id)
        await minutes.add_decision(db, chair, h.id, "Спорт залы №2 мектептің жанындағы учаскеде салынсын. / "
                                                    "Строить спортивный зал на участке рядом со школой №2.")
        await minutes.add_decision(db, chair, h.id, "Кешкі уақытта зал ересектерге тегін ашық болсын. / "
                                                    "Вечером зал открыт для взрослых бесплатно.")
        akimat = chair.organization
        auyl = people["ngo.auyl@demo.asar.kz"].organization
        assert akimat is not None and auyl is not None
        today = utcnow().date()
        design = await commitments.add_commitment(db, chair, h.id, commitments.CommitmentInput(
            "Жобалау-сметалық құжаттаманы дайындау / Подготовить проектно-сметную документацию",
            akimat.id, today + timedelta(days=60)))
        survey = await commitments.add_commitment(db, chair, h.id, commitments.CommitmentInput(
            "Ауыл жастары арасында секциялар туралы сауалнама жүргізу / "
            "Провести опрос молодёжи сёл о желаемых секциях", auyl.id, today + timedelta(days=14)))
        await minutes.publish_minutes(db, chair, h.id)
        await commitments.change_status(db, chair, h.id, design.id, "in_progress",
                                        "Техникалық тапсырма бекітілді / Техническое задание утверждено")
        auyl_admin = people["ngo.auyl@demo.asar.kz"]
        await commitments.change_status(db, auyl_admin, h.id, survey.id, "in_progress", "Сауалнама басталды")
        await commitments.change_status(db, auyl_admin, h.id, survey.id, "done",
                                        "212 жас қатысты; нәтижелері әкімдікке жіберілді / "
                                        "Ответили 212 человек; итоги переданы в акимат")
        from asar.i18n import TIMEZONE

        async with unit_of_work(db):  # the hearing took place a week ago
            hearing = (await db.execute(select(Hearing).where(Hearing.id == h.id))).scalar_one()
            held = datetime.combine(utcnow().astimezone(TIMEZONE).date() - timedelta(days=7), time(11, 0),
                                    tzinfo=TIMEZONE).astimezone(UTC)
            shift = hearing.starts_at - held
            hearing.starts_at -= shift
            hearing.opened_at = hearing.starts_at
            hearing.closed_at = hearing.starts_at + timedelta(minutes=hearing.duration_minutes)
            for item in (await db.execute(select(AgendaItem).where(AgendaItem.hearing_id == h.id))).scalars():
                item.starts_at -= shift
        added += 1
    return added
