"""The working-day calendar's pure core on real Kazakh dates (asar.workdays.core)."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from asar.workdays.core import KZ_HOLIDAYS, CalendarError, Holiday, Reason, Transfer, WorkingCalendar

# Entered per year, as the admin does: the first day of Kurban Ait (2024: a Sunday; 2025: a Friday).
KURBAN = {2023: date(2023, 6, 28), 2024: date(2024, 6, 16), 2025: date(2025, 6, 6)}
KZ = WorkingCalendar(KZ_HOLIDAYS, KURBAN)

D = date


def off(calendar: WorkingCalendar, *days: date) -> list[bool]:
    return [not calendar.is_working_day(d) for d in days]


def test_republic_day_2025_on_a_saturday_gives_monday_27_october_off() -> None:
    assert D(2025, 10, 25).weekday() == 5
    assert off(KZ, D(2025, 10, 24), D(2025, 10, 25), D(2025, 10, 26), D(2025, 10, 27), D(2025, 10, 28)) == [
        False, True, True, True, False]
    moved = KZ.reason(D(2025, 10, 27))
    assert moved is not None and moved.reason is Reason.moved and moved.moved_from == D(2025, 10, 25)
    assert moved.holiday is not None and moved.holiday.name("en") == "Republic Day"


def test_new_year_2022_on_saturday_and_sunday_moves_two_days_off() -> None:
    assert [D(2022, 1, 1).weekday(), D(2022, 1, 2).weekday()] == [5, 6]
    assert off(KZ, *(D(2022, 1, d) for d in range(1, 8))) == [True, True, True, True, False, False, True]
    assert [(o.day.day, o.reason, o.moved_from) for o in KZ.days_off(2022)[:5]] == [
        (1, Reason.holiday, None), (2, Reason.holiday, None), (3, Reason.moved, D(2022, 1, 1)),
        (4, Reason.moved, D(2022, 1, 2)), (7, Reason.religious, None)]


def test_a_saturday_2_january_2021_moves_to_monday_4_january() -> None:
    assert off(KZ, D(2020, 12, 31), D(2021, 1, 1), D(2021, 1, 4), D(2021, 1, 5)) == [False, True, True, False]


def test_nauryz_over_a_weekend_pushes_the_moved_days_past_the_run() -> None:
    # 2020: 21 March a Saturday, 22 a Sunday, 23 a Monday: the two weekend holidays move to 24 and 25
    assert off(KZ, *(D(2020, 3, d) for d in range(20, 27))) == [False, True, True, True, True, True, False]
    assert {o.day: o.moved_from for o in KZ.days_off(2020) if o.reason is Reason.moved and o.day.month == 3 and o.day.day > 20} == {
        D(2020, 3, 24): D(2020, 3, 21), D(2020, 3, 25): D(2020, 3, 22)}
    # 2021: 21 March a Sunday: 22 and 23 are holidays anyway, the day off moves to Wednesday 24
    assert off(KZ, *(D(2021, 3, d) for d in range(21, 26))) == [True, True, True, True, False]


def test_independence_day_2023_on_a_saturday_and_a_deadline_across_the_year_end() -> None:
    assert D(2023, 12, 16).weekday() == 5
    assert off(KZ, D(2023, 12, 15), D(2023, 12, 18), D(2023, 12, 19)) == [False, True, False]
    # Friday 15 December + 10 working days: 19-22 and 25-29 December, then 1-2 January (holidays)
    # and the 3rd of January 2024
    assert KZ.add_working_days(D(2023, 12, 15), 10) == D(2024, 1, 3)
    assert KZ.count_working_days(D(2023, 12, 15), D(2024, 1, 3)) == 10
    assert KZ.add_working_days(D(2024, 1, 3), -10) == D(2023, 12, 15)


def test_7_january_on_a_sunday_does_not_move() -> None:
    assert D(2024, 1, 7).weekday() == 6
    assert off(KZ, D(2024, 1, 5), D(2024, 1, 7), D(2024, 1, 8)) == [False, True, False]
    assert KZ.reason(D(2024, 1, 7)).reason is Reason.religious  # type: ignore[union-attr]


def test_kurban_ait_as_entered_and_never_moved() -> None:
    assert off(KZ, D(2025, 6, 6), D(2025, 6, 9)) == [True, False]  # a Friday
    assert off(KZ, D(2024, 6, 16), D(2024, 6, 17)) == [True, False]  # a Sunday: Monday is worked
    assert KZ.reason(D(2025, 6, 6)).holiday.name("kk") == "Құрбан айт"  # type: ignore[union-attr]
    assert KZ.has_kurban_ait(2025) and not KZ.has_kurban_ait(2026)
    with pytest.raises(CalendarError):
        WorkingCalendar(KZ_HOLIDAYS, {2026: D(2025, 6, 6)})


def test_a_government_transfer_swaps_a_saturday_and_a_working_day() -> None:
    # Government decree for 2018: the day off of Saturday 3 March moved to Friday 9 March, and that
    # of Saturday 29 December to Monday 31 December
    decree = "Постановление Правительства РК (2018), primeminister.kz/en/news/15835"
    transfers = (Transfer(D(2018, 3, 3), D(2018, 3, 9), decree), Transfer(D(2018, 12, 29), D(2018, 12, 31), decree))
    assert off(KZ, D(2018, 3, 3), D(2018, 3, 9), D(2018, 12, 29), D(2018, 12, 31)) == [True, False, True, False]
    kz = WorkingCalendar(KZ_HOLIDAYS, KURBAN, transfers)
    assert kz.problems() == []
    assert off(kz, D(2018, 3, 3), D(2018, 3, 8), D(2018, 3, 9), D(2018, 12, 29), D(2018, 12, 31)) == [
        False, True, True, False, True]
    assert [(o.day, o.reason) for o in kz.working_weekend_days(2018)] == [
        (D(2018, 3, 3), Reason.working_weekend), (D(2018, 12, 29), Reason.working_weekend)]
    assert kz.reason(D(2018, 3, 9)).transfer.source == decree  # type: ignore[union-attr]
    # a Friday 2 March: the 3rd working day after is Tuesday 6 March without the decree, Monday 5 with it
    assert KZ.add_working_days(D(2018, 3, 2), 2) == D(2018, 3, 6)
    assert kz.add_working_days(D(2018, 3, 2), 2) == D(2018, 3, 5)


def test_transfers_the_law_contradicts_are_named() -> None:
    cases = {
        Transfer(D(2026, 3, 7), D(2026, 3, 9)): "to",  # Monday 9 March 2026: 8 March's moved day
        Transfer(D(2026, 3, 14), D(2026, 3, 8)): "to",  # onto a holiday
        Transfer(D(2026, 3, 11), D(2026, 3, 13)): "from",  # a Wednesday is not a day off
        Transfer(D(2026, 3, 21), D(2026, 3, 20)): "from",  # a holiday on a Saturday, not a plain day off
        Transfer(D(2026, 4, 4), D(2026, 4, 4)): "same",
    }
    for transfer, why in cases.items():
        assert WorkingCalendar(KZ_HOLIDAYS, {}, (transfer,)).problems() == [(transfer, why)], transfer
    twice = (Transfer(D(2026, 4, 4), D(2026, 4, 3)), Transfer(D(2026, 4, 11), D(2026, 4, 3)))
    assert WorkingCalendar(KZ_HOLIDAYS, {}, twice).problems() == [(twice[1], "taken")]


def test_holidays_in_force_for_some_years_only() -> None:
    independence_17 = Holiday(12, 17, "Тәуелсіздік күні", "День Независимости", "Independence Day", last_year=2021)
    kz = WorkingCalendar((*KZ_HOLIDAYS, independence_17), {})
    # 2011: 16 December a Friday, 17 a Saturday: Monday 19 off (4 days, 16-19)
    assert off(kz, D(2011, 12, 16), D(2011, 12, 19), D(2011, 12, 20)) == [True, True, False]
    assert off(kz, D(2022, 12, 19)) == [False]


def test_days_off_of_2026_with_their_reasons() -> None:
    days = {o.day: o for o in KZ.days_off(2026)}
    assert days[D(2026, 3, 9)].reason is Reason.moved  # 8 March 2026 is a Sunday
    assert days[D(2026, 10, 26)].moved_from == D(2026, 10, 25)  # Republic Day on a Sunday
    assert days[D(2026, 12, 16)].reason is Reason.holiday  # a Wednesday
    assert all(o.is_off for o in days.values())
    assert KZ.working_days_in(2026) == 365 - 104 - sum(1 for d in days if d.weekday() < 5)


def test_an_absurd_step_count_is_refused() -> None:
    with pytest.raises(CalendarError):
        KZ.add_working_days(D(2026, 1, 1), 10**6)


days = st.dates(min_value=D(2015, 1, 1), max_value=D(2035, 12, 31))


@settings(max_examples=150, deadline=None)
@given(start=days, n=st.integers(min_value=-400, max_value=400))
def test_adding_n_working_days_then_counting_back_gives_n(start: date, n: int) -> None:
    end = KZ.add_working_days(start, n)
    assert KZ.count_working_days(start, end) == n
    if n:
        assert KZ.is_working_day(end)
        assert (end > start) == (n > 0)


@settings(max_examples=100, deadline=None)
@given(a=days, span1=st.integers(0, 300), span2=st.integers(0, 300))
def test_counts_add_up_and_match_a_day_by_day_walk(a: date, span1: int, span2: int) -> None:
    b, c = a + timedelta(days=span1), a + timedelta(days=span1 + span2)
    assert KZ.count_working_days(a, c) == KZ.count_working_days(a, b) + KZ.count_working_days(b, c)
    walk = sum(KZ.is_working_day(a + timedelta(days=i)) for i in range(1, span1 + 1))
    assert KZ.count_working_days(a, b) == walk
