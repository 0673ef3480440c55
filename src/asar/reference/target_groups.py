"""Target groups of social projects (who a project serves): a fixed reference list with kk/ru/en names.

The list is data (`data/target_groups.csv`), read once at import; rows store the `code`, so a
renamed group keeps its projects and sponsor profiles. Unlike regions and areas it is not a table:
nothing else refers to it by id, and a code checked against this list is all the database needs.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

from asar.i18n import current_language

DATA = Path(__file__).parent / "data" / "target_groups.csv"


@dataclass(frozen=True, slots=True)
class TargetGroupRef:
    code: str
    name_kk: str
    name_ru: str
    name_en: str
    position: int

    @property
    def name(self) -> str:
        return getattr(self, f"name_{current_language()}")  # type: ignore[no-any-return]


def _load() -> tuple[TargetGroupRef, ...]:
    with DATA.open(encoding="utf-8") as fh:
        return tuple(TargetGroupRef(r["code"], r["name_kk"], r["name_ru"], r["name_en"], i)
                     for i, r in enumerate(csv.DictReader(fh)))


TARGET_GROUPS: tuple[TargetGroupRef, ...] = _load()
BY_CODE: dict[str, TargetGroupRef] = {g.code: g for g in TARGET_GROUPS}


def target_group(code: str) -> TargetGroupRef | None:
    return BY_CODE.get(code)
