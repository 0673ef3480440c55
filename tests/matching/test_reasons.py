"""Every reason the core can give reads as a sentence in kk, ru and en (asar.matching.reasons)."""

from __future__ import annotations

from datetime import date

import pytest

from asar.i18n import use_language
from asar.matching import core, reasons
from asar.matching.core import ProjectFacts, SponsorFacts, Suggestion, TrackRecord

TODAY = date(2026, 12, 7)
NAMES = reasons.Names(area=lambda i: f"<area {i}>", region=lambda i: f"<region {i}>", group=lambda g: f"<{g}>")
M = 1_000_000


def every_reason() -> list[core.Contribution]:
    """Pairs chosen so that each reason code of the core comes up at least once."""
    sponsors = [SponsorFacts(id=1), SponsorFacts(id=2, area_weights={1: 3, 2: 2, 3: 1}, region_ids=frozenset({5}),
                                                 target_groups=frozenset({"children"}), budget_min=M,
                                                 budget_max=4 * M, prefers_rural=True)]
    projects = [ProjectFacts(id=i, organization_id=9, area_ids=(a,), region_ids=(r,), settlement=st,
                             target_groups=g, funding_gap=gap, tranches=tr, starts_on=start,
                             track=TrackRecord(1, due, due, date(2025, 1, 1)))
                for i, (a, r, st, g, gap, tr, start, due) in enumerate([
                    (1, 5, "rural", ("children",), 2 * M, (), TODAY, 2),
                    (2, 6, "both", (), 500_000, (), date(2027, 6, 1), 0),
                    (3, 6, "urban", (), 10 * M, (3 * M,), date(2026, 1, 1), 0),
                    (4, 6, "urban", (), 10 * M, (), None, 0),
                ])]
    return [c for p in projects for s in sponsors for c in core.score(p, s, TODAY).contributions]


def test_every_reason_code_comes_up() -> None:
    assert {c.reason for c in every_reason()} == set(reasons.SENTENCES)


@pytest.mark.parametrize("lang", ["kk", "ru", "en"])
def test_every_reason_and_suggestion_reads_in_each_language(lang: str) -> None:
    with use_language(lang):
        for c in every_reason():
            text = reasons.sentence(c, NAMES)
            assert text and "%(" not in text, (c, text)
            assert reasons.factor_label(c.factor)
        texts = [reasons.suggestion_text(s, NAMES) for s in (
            Suggestion("add_target_group", {"group": "youth"}, 7.5, 2),
            Suggestion("add_area", {"area_id": 4}, 3.0, 1),
            Suggestion("split_milestones", {"max": 5 * M, "count": 2}, 5.0, 2))]
    assert "<youth>" in texts[0] and "<area 4>" in texts[1] and "5" in texts[2]
    if lang == "kk":
        assert "демеуші" in texts[0] and "7,5" in texts[0]
    if lang == "ru":
        assert "спонсор" in texts[0] and "7,5" in texts[0]
