"""The pure tally: counts by option and sector, voters counted once, scale means."""

from __future__ import annotations

from asar.hearings.tally import OptionRef, share, tally

YES, NO = OptionRef(1, "Yes"), OptionRef(2, "No")


def test_counts_by_option_and_sector() -> None:
    votes = [(10, 1, "government"), (11, 1, "ngo"), (12, 2, "ngo"), (13, 2, "citizen"), (14, 2, "business")]
    result = tally([YES, NO], votes)
    assert result["voters"] == 5
    assert result["voters_by_sector"] == {"government": 1, "business": 1, "ngo": 2, "citizen": 1}
    yes, no = result["options"]
    assert (yes["votes"], no["votes"]) == (2, 3)
    assert yes["by_sector"] == {"government": 1, "business": 0, "ngo": 1, "citizen": 0}
    assert no["by_sector"] == {"government": 0, "business": 1, "ngo": 1, "citizen": 1}
    assert "mean" not in result


def test_nobody_voted() -> None:
    result = tally([YES, NO], [])
    assert result["voters"] == 0
    assert [o["votes"] for o in result["options"]] == [0, 0]
    assert share(0, 0) == 0


def test_multiple_choice_counts_a_person_once_as_voter() -> None:
    a, b, c = OptionRef(1, "A"), OptionRef(2, "B"), OptionRef(3, "C")
    votes = [(1, 1, "ngo"), (1, 2, "ngo"), (1, 3, "ngo"), (2, 2, "business")]
    result = tally([a, b, c], votes)
    assert result["voters"] == 2
    assert result["voters_by_sector"]["ngo"] == 1
    assert [o["votes"] for o in result["options"]] == [1, 2, 1]


def test_duplicates_and_unknown_options_are_ignored() -> None:
    votes = [(1, 1, "ngo"), (1, 1, "ngo"), (2, 99, "ngo"), (3, 2, "martian")]
    result = tally([YES, NO], votes)
    assert result["voters"] == 2
    assert result["options"][0]["votes"] == 1
    assert result["options"][1]["by_sector"]["citizen"] == 1  # an unknown sector counts as citizen


def test_scale_means_overall_and_by_sector() -> None:
    scale = [OptionRef(i, str(i), i) for i in range(1, 6)]
    votes = [(1, 5, "government"), (2, 4, "government"), (3, 1, "citizen"), (4, 2, "citizen"), (5, 3, "ngo")]
    result = tally(scale, votes)
    assert result["mean"] == 3.0
    assert result["mean_by_sector"] == {"government": 4.5, "business": None, "ngo": 3.0, "citizen": 1.5}


def test_sectors_add_up_to_totals() -> None:
    votes = [(u, 1 + u % 2, ("government", "business", "ngo", "citizen")[u % 4]) for u in range(1, 101)]
    result = tally([YES, NO], votes)
    assert sum(result["voters_by_sector"].values()) == result["voters"] == 100
    for option in result["options"]:
        assert sum(option["by_sector"].values()) == option["votes"]


def test_share_rounds_to_whole_percent() -> None:
    assert share(1, 3) == 33
    assert share(2, 3) == 67
