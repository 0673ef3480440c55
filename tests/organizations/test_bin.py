"""The BIN/IIN check digit: a pure function, with numbers known to be valid and invalid."""

from __future__ import annotations

import random

import pytest

from asar.i18n import use_language
from asar.organizations.bin import check_bin, check_digit
from asar.organizations.forms import bin_error
from tests.factories import valid_bin

# Published BINs of real organizations (banks, a national company, a ministry's institution).
KNOWN_VALID = ["971240001315", "990140000483", "080540003958", "000740001307", "940740000911"]


@pytest.mark.parametrize("number", KNOWN_VALID)
def test_known_bins_are_valid(number: str) -> None:
    assert check_bin(number) == "ok"


def test_second_pass_weights_are_used_when_the_first_gives_ten() -> None:
    # First pass: 1 * 10 = 10 (mod 11); second pass: 1 * 1 = 1.
    assert check_digit("00000000010") == 1
    assert check_bin("000000000101") == "ok"
    assert check_bin("000000000100") == "bad_check_digit"


def test_no_number_is_valid_when_both_passes_give_ten() -> None:
    assert check_digit("00000000281") is None
    for last in "0123456789":
        assert check_bin("00000000281" + last) == "bad_check_digit"


@pytest.mark.parametrize("number", ["971240001316", "990140000480", "870412300415", "123456789012"])
def test_wrong_check_digit(number: str) -> None:
    assert check_bin(number) == "bad_check_digit"


@pytest.mark.parametrize("value", ["", "97124000131", "9712400013150", "97124000131a", " 971240001315",
                                   "9712 4000 1315", "９７１２４０００１３１５", "٩٧١٢٤٠٠٠١٣١٥", "-97124000131"])
def test_not_twelve_ascii_digits(value: str) -> None:
    assert check_bin(value) == "not_12_digits"


def test_agrees_with_the_factory_and_catches_every_wrong_last_digit() -> None:
    rng = random.Random(2)
    checked = 0
    while checked < 300:
        prefix = "".join(rng.choice("0123456789") for _ in range(11))
        try:
            number = valid_bin(prefix)
        except ValueError:
            assert check_digit(prefix) is None
            continue
        assert check_bin(number) == "ok"
        for last in "0123456789":
            if last != number[-1]:
                assert check_bin(prefix + last) == "bad_check_digit"
        checked += 1


def test_a_wrong_check_digit_is_explained_in_each_language() -> None:
    expected = {
        "en": "This BIN is not valid: its last digit, a check digit, does not match the first 11. A BIN (business identification number) is the organization's 12-digit number, like 971240001315; you find it on its state registration certificate or on egov.kz.",
        "ru": "Этот БИН недействителен: его последняя, контрольная цифра не совпадает с первыми 11. БИН (бизнес-идентификационный номер) — это 12-значный номер организации, например 971240001315; его можно найти в свидетельстве (справке) о государственной регистрации организации или на egov.kz.",
        "kk": "Бұл БСН жарамсыз: оның соңғы, бақылау цифры алғашқы 11 цифрға сәйкес келмейді. БСН (бизнес-сәйкестендіру нөмірі) — ұйымның 12 цифрдан тұратын нөмірі, мысалы, 971240001315. Оны ұйымның мемлекеттік тіркеу туралы куәлігінен немесе egov.kz сайтынан табуға болады.",
    }
    for lang, text in expected.items():
        with use_language(lang):
            assert bin_error("971240001316") == text
            assert bin_error("971240001315") is None


def test_a_short_bin_is_explained_in_each_language() -> None:
    expected = {
        "en": "A BIN (business identification number) has exactly 12 digits, like 971240001315. You find it on the organization's state registration certificate or on egov.kz.",
        "ru": "БИН (бизнес-идентификационный номер) состоит ровно из 12 цифр, например 971240001315. Его можно найти в свидетельстве (справке) о государственной регистрации организации или на egov.kz.",
        "kk": "БСН (бизнес-сәйкестендіру нөмірі) дәл 12 цифрдан тұрады, мысалы, 971240001315. Оны ұйымның мемлекеттік тіркеу туралы куәлігінен немесе egov.kz сайтынан табуға болады.",
    }
    for lang, text in expected.items():
        with use_language(lang):
            assert bin_error("12345") == text
