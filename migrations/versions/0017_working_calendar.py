"""working calendar: holidays, Kurban Ait per year, transfers of days off; the MCI by year

Revision ID: 0017
Revises: 0016

The seeds are values whose source is noted with each row; the platform admin corrects and extends
them (/admin/calendar). Holidays: the Law "On holidays in the Republic of Kazakhstan" (No. 267 of
13 December 2001), article 5, as in force today; 7 January and Kurban Ait: the Labour Code
(No. 414-V of 23 November 2015), article 84. The MCI: each year's law on the republican budget.
"""

import sqlalchemy as sa
from alembic import op

import asar.db

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

HOLIDAY_LAW = "Закон РК «О праздниках в Республике Казахстан» от 13.12.2001 № 267, статья 5"
LABOUR_CODE = "Трудовой кодекс РК от 23.11.2015 № 414-V, статья 84"
HOLIDAYS = [
    (1, 1, "Жаңа жыл", "Новый год", "New Year", True, HOLIDAY_LAW),
    (1, 2, "Жаңа жыл", "Новый год", "New Year", True, HOLIDAY_LAW),
    (1, 7, "Православиелік Рождество", "Православное Рождество", "Orthodox Christmas", False, LABOUR_CODE),
    (3, 8, "Халықаралық әйелдер күні", "Международный женский день", "International Women's Day", True,
     HOLIDAY_LAW),
    (3, 21, "Наурыз мейрамы", "Наурыз мейрамы", "Nauryz", True, HOLIDAY_LAW),
    (3, 22, "Наурыз мейрамы", "Наурыз мейрамы", "Nauryz", True, HOLIDAY_LAW),
    (3, 23, "Наурыз мейрамы", "Наурыз мейрамы", "Nauryz", True, HOLIDAY_LAW),
    (5, 1, "Қазақстан халқының бірлігі мерекесі", "Праздник единства народа Казахстана",
     "Day of Unity of the People of Kazakhstan", True, HOLIDAY_LAW),
    (5, 7, "Отан қорғаушы күні", "День защитника Отечества", "Defender of the Fatherland Day", True, HOLIDAY_LAW),
    (5, 9, "Жеңіс күні", "День Победы", "Victory Day", True, HOLIDAY_LAW),
    (7, 6, "Астана күні", "День Столицы", "Capital Day", True, HOLIDAY_LAW),
    (8, 30, "Қазақстан Республикасының Конституциясы күні", "День Конституции Республики Казахстан",
     "Constitution Day", True, HOLIDAY_LAW),
    (10, 25, "Республика күні", "День Республики", "Republic Day", True, HOLIDAY_LAW),
    (12, 16, "Тәуелсіздік күні", "День Независимости", "Independence Day", True, HOLIDAY_LAW),
]
KURBAN_AIT = [
    (2023, "2023-06-28", "Духовное управление мусульман Казахстана (ДУМК); Трудовой кодекс РК, статья 84"),
    (2024, "2024-06-16", "Духовное управление мусульман Казахстана (ДУМК); Трудовой кодекс РК, статья 84"),
    (2025, "2025-06-06", "Духовное управление мусульман Казахстана (ДУМК); Трудовой кодекс РК, статья 84"),
]
MCI = [
    (2023, 3450, "Закон РК «О республиканском бюджете на 2023–2025 годы»"),
    (2024, 3692, "Закон РК «О республиканском бюджете на 2024–2026 годы»"),
    (2025, 3932, "Закон РК «О республиканском бюджете на 2025–2027 годы»"),
    (2026, 4325, "Закон РК «О республиканском бюджете на 2026–2028 годы» (подписан 8 декабря 2025 года)"),
]

USER_ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    holidays = op.create_table('calendar_holidays',
    sa.Column('month', sa.Integer(), nullable=False),
    sa.Column('day', sa.Integer(), nullable=False),
    sa.Column('name_kk', sa.String(length=150), nullable=False),
    sa.Column('name_ru', sa.String(length=150), nullable=False),
    sa.Column('name_en', sa.String(length=150), nullable=False),
    sa.Column('moves', sa.Boolean(), nullable=False),
    sa.Column('first_year', sa.Integer(), nullable=True),
    sa.Column('last_year', sa.Integer(), nullable=True),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.CheckConstraint('day BETWEEN 1 AND 31', name=op.f('ck_calendar_holidays_day_valid')),
    sa.CheckConstraint('month BETWEEN 1 AND 12', name=op.f('ck_calendar_holidays_month_valid')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_holidays'))
    )
    kurban = op.create_table('calendar_kurban_ait',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', USER_ID, nullable=True),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_calendar_kurban_ait_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_calendar_kurban_ait')),
    sa.UniqueConstraint('day', name=op.f('uq_calendar_kurban_ait_day'))
    )
    op.create_table('calendar_transfers',
    sa.Column('from_day', sa.Date(), nullable=False),
    sa.Column('to_day', sa.Date(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('created_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', USER_ID, nullable=True),
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_calendar_transfers_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_calendar_transfers')),
    sa.UniqueConstraint('from_day', name=op.f('uq_calendar_transfers_from_day')),
    sa.UniqueConstraint('to_day', name=op.f('uq_calendar_transfers_to_day'))
    )
    mci = op.create_table('mci_rates',
    sa.Column('year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('amount', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('updated_at', asar.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', USER_ID, nullable=True),
    sa.CheckConstraint('amount > 0', name=op.f('ck_mci_rates_amount_positive')),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_mci_rates_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('year', name=op.f('pk_mci_rates'))
    )
    from datetime import UTC, date, datetime
    now = datetime.now(UTC)
    op.bulk_insert(holidays, [
        {"month": m, "day": d, "name_kk": kk, "name_ru": ru, "name_en": en, "moves": moves, "first_year": None,
         "last_year": None, "source": source} for m, d, kk, ru, en, moves, source in HOLIDAYS])
    op.bulk_insert(kurban, [{"year": y, "day": date.fromisoformat(d), "source": s, "updated_at": now}
                            for y, d, s in KURBAN_AIT])
    op.bulk_insert(mci, [{"year": y, "amount": a, "source": s, "updated_at": now} for y, a, s in MCI])


def downgrade() -> None:
    op.drop_table('mci_rates')
    op.drop_table('calendar_transfers')
    op.drop_table('calendar_kurban_ait')
    op.drop_table('calendar_holidays')
