"""Kazakhstan's working days: a pure calendar (no I/O), built from reference data.

The rules, as the law states them (the data they apply to are rows the admin keeps,
`asar.workdays.models`; this module hard-codes none of the dates):

- Public holidays are days off: the national and state holidays of the Law of the Republic of
  Kazakhstan "On holidays in the Republic of Kazakhstan" (No. 267 of 13 December 2001), article 5. Today: 1-2 January, 8 March, 21-23 March, 1 May, 7 May, 9 May, 6 July, 30 August,
  25 October, 16 December (`Holiday`, with the years it applies to).
- When a holiday falls on a day off (Saturday or Sunday in the five-day week), the day off moves to
  the next working day after the holiday (same law, article 5). Two holidays on one weekend move two days (1-2 January 2022, Saturday and
  Sunday: 3 and 4 January off); a run of holidays pushes the moved days past its end (21-23 March
  2020, Saturday to Monday: 24 and 25 March off).
- Religious days off never move: 7 January (Orthodox Christmas) and the first day of Kurban Ait,
  whose date follows the Muslim calendar and is entered per year (the Labour Code of the Republic
  of Kazakhstan, No. 414-V of 23 November 2015, article 84, paragraph 5; the
  Ministry of Labour: Kurban Ait "is not included in the list of state and national holidays",
  so a Kurban Ait on a Sunday gives no Monday off). `Holiday(moves=False)` and `kurban_ait`.
- The Government may move days off to other working days "to use working time rationally during
  holidays" (Labour Code, article 85, paragraph 3), by a decree each year: a day off (usually a
  Saturday) becomes a working day and a working day becomes a day off (`Transfer`, with its source).
  Transfers apply after the moves above.

A working day is a weekday (Monday-Friday) that none of the above makes a day off, or a weekend day
a transfer made a working day. `add_working_days(start, n)` is the n-th working day after `start`
(a deadline of "n working days from start"; for n < 0, the n-th working day before it), and
`count_working_days(start, end)` counts the working days after `start` up to and including `end`,
so that `count_working_days(s, add_working_days(s, n)) == n`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from enum import StrEnum

WEEKEND = frozenset({5, 6})  # Saturday, Sunday (date.weekday())
ONE_DAY = timedelta(days=1)
# How far add_working_days may walk: some 40 years of working days, far beyond any deadline; a
# larger n is a mistake upstream, not a date.
MAX_STEPS = 10_000


class Reason(StrEnum):
    """Why a date is a day off (or, for `working_weekend`, why a weekend day is a working day)."""

    holiday = "holiday"  # a public holiday
    religious = "religious"  # 7 January, the first day of Kurban Ait: never moved
    moved = "moved"  # the day off of a holiday that fell on a weekend
    transfer = "transfer"  # a working day made a day off by a transfer
    working_weekend = "working_weekend"  # a weekend day made a working day by a transfer


@dataclass(frozen=True, slots=True)
class Holiday:
    """A holiday on a fixed day of the year, in force from first_year to last_year (None: open)."""

    month: int
    day: int
    name_kk: str
    name_ru: str
    name_en: str
    moves: bool = True  # False: a religious day off that is never moved (7 January)
    first_year: int | None = None
    last_year: int | None = None

    def in_year(self, year: int) -> date | None:
        """Its date in year, or None when it is not in force that year (or 29 February in a
        common year)."""
        if (self.first_year is not None and year < self.first_year) or (
                self.last_year is not None and year > self.last_year):
            return None
        try:
            return date(year, self.month, self.day)
        except ValueError:
            return None

    def name(self, lang: str) -> str:
        return getattr(self, f"name_{lang}", self.name_en) or self.name_en  # type: ignore[no-any-return]


@dataclass(frozen=True, slots=True)
class Transfer:
    """The Government moved a day off: `from_day` (a day off) is worked, `to_day` is a day off."""

    from_day: date
    to_day: date
    source: str = ""  # the decree, e.g. "Постановление Правительства РК от ... № ..."


KURBAN_AIT = Holiday(0, 0, "Құрбан айт", "Курбан айт", "Kurban Ait", moves=False)


@dataclass(frozen=True, slots=True)
class DayOff:
    """One special day: a day off with its reason, or a weekend day that is worked (working_weekend).
    `holiday` names the holiday (for holiday, religious and moved), `moved_from` the holiday's
    date (moved), `transfer` the decree (transfer, working_weekend)."""

    day: date
    reason: Reason
    holiday: Holiday | None = None
    moved_from: date | None = None
    transfer: Transfer | None = None

    @property
    def is_off(self) -> bool:
        return self.reason is not Reason.working_weekend


class CalendarError(ValueError):
    """Data that cannot make a calendar (a transfer onto a day already off, ...)."""


@dataclass
class WorkingCalendar:
    """Kazakhstan's working days from its reference data. Immutable in what it answers; each
    year's special days are worked out once, on first use."""

    holidays: tuple[Holiday, ...] = ()
    kurban_ait: Mapping[int, date] = field(default_factory=dict)
    transfers: tuple[Transfer, ...] = ()
    weekend: frozenset[int] = WEEKEND
    _statutory: dict[int, dict[date, DayOff]] = field(init=False, default_factory=dict, repr=False)
    _years: dict[int, dict[date, DayOff]] = field(init=False, default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self.holidays = tuple(self.holidays)
        self.transfers = tuple(self.transfers)
        self.kurban_ait = dict(self.kurban_ait)
        for year, day in self.kurban_ait.items():
            if day.year != year:
                raise CalendarError(f"Kurban Ait of {year} given as {day}")

    # ------------------------------------------------------------ the statutory calendar
    def _fixed(self, year: int) -> dict[date, DayOff]:
        """Holidays and religious days of one year, on their own dates."""
        out: dict[date, DayOff] = {}
        for holiday in self.holidays:
            day = holiday.in_year(year)
            if day is None:
                continue
            reason = Reason.holiday if holiday.moves else Reason.religious
            # a holiday that moves wins over a religious day on the same date (it still moves)
            if day not in out or reason is Reason.holiday:
                out[day] = DayOff(day, reason, holiday)
        kurban = self.kurban_ait.get(year)
        if kurban is not None and kurban not in out:
            out[kurban] = DayOff(kurban, Reason.religious, KURBAN_AIT)
        return out

    def _statutory_year(self, year: int) -> dict[date, DayOff]:
        """The days off the law gives for year's holidays (their moved days may reach the next
        year), before transfers."""
        cached = self._statutory.get(year)
        if cached is not None:
            return cached
        fixed = self._fixed(year)
        out = dict(fixed)
        nxt: dict[date, DayOff] | None = None
        for day, off in sorted(fixed.items()):
            if off.reason is not Reason.holiday or day.weekday() not in self.weekend:
                continue
            target = day + ONE_DAY
            while True:
                if target.year != year and nxt is None:
                    nxt = self._fixed(target.year)
                taken = out.get(target) or (nxt.get(target) if nxt is not None else None)
                if target.weekday() not in self.weekend and taken is None:
                    break
                target += ONE_DAY
            out[target] = DayOff(target, Reason.moved, off.holiday, moved_from=day)
        self._statutory[year] = out
        return out

    def _statutory_off(self, day: date) -> DayOff | None:
        """Why day is off by law (before transfers): a holiday, religious or moved day off."""
        found = self._statutory_year(day.year).get(day)
        if found is None and day.month == 1:
            previous = self._statutory_year(day.year - 1).get(day)  # moved across the year end
            if previous is not None:
                found = previous
        return found

    def problems(self) -> list[tuple[Transfer, str]]:
        """Transfers the law's calendar contradicts, with why: "same" (a day onto itself), "taken"
        (a day in two transfers), "from" (not a plain weekend day off), "to" (already a day off).
        The admin pages refuse a change that would add one (asar.workdays.service)."""
        found: list[tuple[Transfer, str]] = []
        seen: set[date] = set()
        for t in self.transfers:
            if t.from_day == t.to_day:
                found.append((t, "same"))
            elif t.from_day in seen or t.to_day in seen:
                found.append((t, "taken"))
            elif t.from_day.weekday() not in self.weekend or self._statutory_off(t.from_day) is not None:
                found.append((t, "from"))
            elif t.to_day.weekday() in self.weekend or self._statutory_off(t.to_day) is not None:
                found.append((t, "to"))
            seen.update((t.from_day, t.to_day))
        return found

    # ------------------------------------------------------------ a year's special days
    def _year(self, year: int) -> dict[date, DayOff]:
        cached = self._years.get(year)
        if cached is not None:
            return cached
        out = {d: off for d, off in self._statutory_year(year).items() if d.year == year}
        for d, off in self._statutory_year(year - 1).items():
            if d.year == year:
                out.setdefault(d, off)
        for t in self.transfers:
            if t.from_day.year == year:
                out[t.from_day] = DayOff(t.from_day, Reason.working_weekend, transfer=t)
            if t.to_day.year == year:
                out[t.to_day] = DayOff(t.to_day, Reason.transfer, transfer=t)
        self._years[year] = out
        return out

    def special_days(self, year: int) -> list[DayOff]:
        """Every day of year that is not an ordinary weekday or weekend day, by date: holidays,
        religious days, moved days off, transferred days off and the weekend days worked instead."""
        return [self._year(year)[d] for d in sorted(self._year(year))]

    def days_off(self, year: int) -> list[DayOff]:
        """The days off of year besides ordinary weekends, each with its reason, by date (a holiday
        on a Saturday is listed as the holiday; its moved day off follows as `moved`)."""
        return [off for off in self.special_days(year) if off.is_off]

    def working_weekend_days(self, year: int) -> list[DayOff]:
        """Weekend days of year that a transfer made working days."""
        return [off for off in self.special_days(year) if not off.is_off]

    def reason(self, day: date) -> DayOff | None:
        """Why day is special (None: an ordinary weekday or weekend day)."""
        return self._year(day.year).get(day)

    # ------------------------------------------------------------ questions about days
    def is_working_day(self, day: date) -> bool:
        special = self._year(day.year).get(day)
        if special is not None:
            return not special.is_off
        return day.weekday() not in self.weekend

    def add_working_days(self, start: date, n: int) -> date:
        """The n-th working day after start (before it, for n < 0); start itself for n == 0."""
        if abs(n) > MAX_STEPS:
            raise CalendarError(f"{n} working days is beyond any deadline")
        step = ONE_DAY if n >= 0 else -ONE_DAY
        day, left = start, abs(n)
        while left:
            day += step
            if self.is_working_day(day):
                left -= 1
        return day

    def count_working_days(self, start: date, end: date) -> int:
        """Working days after start up to and including end; when end is before start, minus the
        working days from end up to (not including) start. So counting from start to
        add_working_days(start, n) gives n, either way."""
        if end < start:
            return -self.count_working_days(end - ONE_DAY, start - ONE_DAY)
        if (end - start).days > MAX_STEPS * 2:
            raise CalendarError(f"{start}..{end} is too long a span")
        count, day = 0, start
        while day < end:
            day += ONE_DAY
            if self.is_working_day(day):
                count += 1
        return count

    def next_working_day(self, day: date) -> date:
        """day itself when it is a working day, else the first working day after it."""
        while not self.is_working_day(day):
            day += ONE_DAY
        return day

    def working_days_in(self, year: int) -> int:
        """How many working days year has."""
        return self.count_working_days(date(year - 1, 12, 31), date(year, 12, 31))

    def has_kurban_ait(self, year: int) -> bool:
        """Whether the first day of Kurban Ait of year has been entered."""
        return year in self.kurban_ait


def build_calendar(holidays: Iterable[Holiday], kurban_ait: Mapping[int, date],
                   transfers: Iterable[Transfer]) -> WorkingCalendar:
    """A calendar from plain data (the loader in asar.workdays.service passes the table rows)."""
    return WorkingCalendar(tuple(holidays), dict(kurban_ait), tuple(transfers))


# The holidays in force today (Law "On holidays in the Republic of Kazakhstan", article 5), the
# seed of the reference table and the default of tests; the table, not this list, is what ASAR uses.
KZ_HOLIDAYS: tuple[Holiday, ...] = (
    Holiday(1, 1, "Жаңа жыл", "Новый год", "New Year"),
    Holiday(1, 2, "Жаңа жыл", "Новый год", "New Year"),
    Holiday(1, 7, "Православиелік Рождество", "Православное Рождество", "Orthodox Christmas", moves=False),
    Holiday(3, 8, "Халықаралық әйелдер күні", "Международный женский день", "International Women's Day"),
    Holiday(3, 21, "Наурыз мейрамы", "Наурыз мейрамы", "Nauryz"),
    Holiday(3, 22, "Наурыз мейрамы", "Наурыз мейрамы", "Nauryz"),
    Holiday(3, 23, "Наурыз мейрамы", "Наурыз мейрамы", "Nauryz"),
    Holiday(5, 1, "Қазақстан халқының бірлігі мерекесі", "Праздник единства народа Казахстана",
            "Day of Unity of the People of Kazakhstan"),
    Holiday(5, 7, "Отан қорғаушы күні", "День защитника Отечества", "Defender of the Fatherland Day"),
    Holiday(5, 9, "Жеңіс күні", "День Победы", "Victory Day"),
    Holiday(7, 6, "Астана күні", "День Столицы", "Capital Day"),
    Holiday(8, 30, "Қазақстан Республикасының Конституциясы күні", "День Конституции Республики Казахстан",
            "Constitution Day"),
    Holiday(10, 25, "Республика күні", "День Республики", "Republic Day"),
    Holiday(12, 16, "Тәуелсіздік күні", "День Независимости", "Independence Day"),
)
