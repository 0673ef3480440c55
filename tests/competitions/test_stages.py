"""The application's stages (issue 10 item 7): the pure rules (asar.competitions.applications.stages),
the form's and the API's parsing, and the scaling of stage amounts to an award below the request."""

from __future__ import annotations

import pytest

from asar.competitions.applications.forms import form_to_data, parse_application
from asar.competitions.applications.stages import Stage, check_stages, planned_stages, scaled
from asar.errors import Invalid
from asar.i18n import use_language


def codes(stages: list[Stage], requested: int = 9_000_000, months: int = 6) -> list[tuple[str, str]]:
    return [(p.field, p.code) for p in check_stages(stages, requested, months)]


def test_stages_within_the_lot_that_add_up_are_accepted() -> None:
    ok = [Stage("Старт", "20 наставников", 2, 4_000_000), Stage("Итог", "200 подростков", 6, 5_000_000)]
    assert codes(ok) == []
    assert codes([]) == []  # no stages: one stage at the end is implied


def test_each_broken_stage_rule_is_named() -> None:
    assert codes([Stage("Старт", "", 7, 9_000_000)]) == [("stage_1", "month")]  # past the lot's 6 months
    assert codes([Stage("Старт", "", 0, 9_000_000)]) == [("stage_1", "month")]
    assert codes([Stage("", "", 1, 9_000_000)]) == [("stage_1", "title")]
    assert codes([Stage("A", "", 1, 4_000_000), Stage("B", "", 2, 4_000_000)]) == [("stages", "sum")]
    assert codes([Stage("A", "", 3, 4_000_000), Stage("B", "", 2, 5_000_000)]) == [("stages", "order")]
    assert codes([Stage("A", "", 1, 0), Stage("B", "", 2, 9_000_000)]) == [("stage_1", "amount")]


@pytest.mark.parametrize(("lang", "message"), [
    ("en", ("The stages add up to 8,000,000 ₸, but the budget requests 9,000,000 ₸: the amounts must add up to "
           "the total requested.")),
    ("ru", ("Сумма этапов — 8 000 000 ₸, а бюджет запрашивает 9 000 000 ₸: суммы этапов должны складываться в "
           "запрашиваемую сумму.")),
    ("kk", ("Кезеңдердің жиыны: 8 000 000 ₸, ал бюджетте сұралғаны: 9 000 000 ₸. Кезеңдердің сомалары сұралған "
           "жалпы сомаға тең болуы керек.")),
])
def test_the_sum_message_is_translated(lang: str, message: str) -> None:
    with use_language(lang):
        (problem,) = check_stages([Stage("A", "", 1, 8_000_000)], 9_000_000, 6)
    assert problem.message.replace("\u00a0", " ").replace("\u202f", " ") == message


def test_the_form_and_the_api_give_the_same_stages() -> None:
    form = {"stage_title_0": "Старт", "stage_deliverable_0": "20 наставников", "stage_month_0": "2",
            "stage_amount_0": "4 000 000", "stage_title_1": "", "stage_month_1": "", "stage_amount_1": "",
            "stage_title_2": "Итог", "stage_month_2": "6", "stage_amount_2": "5000000"}
    parsed = parse_application(form_to_data(form))
    assert parsed.stages == [
        {"title": "Старт", "deliverable": "20 наставников", "month": 2, "amount": 4_000_000},
        {"title": "Итог", "deliverable": "", "month": 6, "amount": 5_000_000}]
    api = parse_application({"stages": [{"title": "Старт", "deliverable": "20 наставников", "month": 2,
                                         "amount": 4_000_000}, {"title": "Итог", "month": 6, "amount": 5_000_000}]})
    assert api.stages == parsed.stages


def test_bad_stage_input_is_refused_with_a_translated_message() -> None:
    with use_language("ru"), pytest.raises(Invalid) as refused:
        parse_application({"stages": [{"title": "Старт", "month": "шесть", "amount": 1}]})
    assert refused.value.errors == {"stage_1": "Этап 1: месяц — целое число от 1 до 120."}
    with use_language("kk"), pytest.raises(Invalid) as refused:
        parse_application({"stages": [{"title": "Старт", "month": 1, "amount": -5}]})
    assert refused.value.errors["stage_1"].startswith("Кезең № 1: сома бүтін теңгемен")
    with pytest.raises(Invalid) as refused:
        parse_application({"stages": [{"title": "x", "month": 1, "amount": 1}] * 13})
    assert set(refused.value.errors) == {"stages"}


def test_no_stages_is_one_stage_at_the_end_and_amounts_scale_to_the_award() -> None:
    assert planned_stages([], 9_000_000, 6, "Итог") == [Stage("Итог", "", 6, 9_000_000)]
    assert scaled([4_000_000, 5_000_000], 9_000_000) == [4_000_000, 5_000_000]
    assert scaled([4_000_000, 5_000_000], 4_500_000) == [2_000_000, 2_500_000]
    assert scaled([1, 1, 1], 2) == [1, 1, 0]
    parts = scaled([3_333_333, 3_333_333, 3_333_334], 7_000_001)
    assert sum(parts) == 7_000_001 and max(parts) - min(parts) <= 1
