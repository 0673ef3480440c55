"""Sentences for the core's contributions and suggestions, in the reader's language.

The core gives reason codes and the facts behind them (ids, amounts, dates); here they become what
a person reads: "The project works in Turkistan Region, one of the sponsor's regions." The
sentences are neutral (they name "the project" and "the sponsor"), so the sponsor's dashboard and
the NGO's project page show the same words. Names of areas, regions and target groups come from
`Names`, which the caller fills from the reference data.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from asar.i18n import NC_, format_day, format_number, format_tenge
from asar.i18n import gettext as _
from asar.matching.core import Contribution, Suggestion


@dataclass(frozen=True)
class Names:
    """How to name what the core refers to by id or code (in the current language)."""

    area: Callable[[int], str]
    region: Callable[[int], str]
    group: Callable[[str], str]


# With a context: "Budget" or "Region" as a factor of a score may be worded otherwise than as a form field.
def _day(value: Any) -> str:
    """A date of the params (a date, or its ISO text once stored in a notification)."""
    return format_day(date.fromisoformat(value) if isinstance(value, str) else value)


FACTOR_LABELS: dict[str, str] = {
    "area": NC_("matching factor", "Area of activity"),
    "region": NC_("matching factor", "Region"),
    "target_groups": NC_("matching factor", "Target groups"),
    "budget": NC_("matching factor", "Budget"),
    "track_record": NC_("matching factor", "Track record"),
    "rural": NC_("matching factor", "Rural priority"),
    "start": NC_("matching factor", "Time to start"),
}


def factor_label(factor: str) -> str:
    return _(FACTOR_LABELS[factor])


def _area_match(p: Mapping[str, Any], names: Names) -> str:
    area = names.area(int(p["area_id"]))
    weight = int(p["weight"])
    if weight >= 3:
        return _("The project's area of activity, %(area)s, is a main area of the sponsor.", area=area)
    if weight == 2:
        return _("The project's area of activity, %(area)s, is an important area of the sponsor.", area=area)
    return _("The project's area of activity, %(area)s, is of some interest to the sponsor.", area=area)


def _groups_match(p: Mapping[str, Any], names: Names) -> str:
    return _("The project serves people the sponsor supports: %(groups)s.",
             groups=", ".join(names.group(g) for g in p["groups"]))


def _budget_share(p: Mapping[str, Any], names: Names) -> str:
    return _("The sponsor's maximum per project, %(max)s, would cover %(percent)s%% of the remaining gap, "
             "%(gap)s.", max=format_tenge(p["max"]), percent=p["percent"], gap=format_tenge(p["gap"]))


def _track(p: Mapping[str, Any], names: Names) -> str:
    return _("Track record: completed projects: %(completed)s; milestones reported on time: %(on_time)s of "
             "%(due)s; months verified: %(months)s.", completed=p["completed"], on_time=p["on_time"],
             due=p["due"], months=p["months"])


def _track_no_milestones(p: Mapping[str, Any], names: Names) -> str:
    return _("Track record: completed projects: %(completed)s; no milestones were due yet (counts half); "
             "months verified: %(months)s.", completed=p["completed"], months=p["months"])


SENTENCES: dict[str, Callable[[Mapping[str, Any], Names], str]] = {
    "area_match": _area_match,
    "area_none": lambda p, n: _("None of the project's areas of activity is among the sponsor's."),
    "area_open": lambda p, n: _("The sponsor named no areas of activity: every area counts half."),
    "region_match": lambda p, n: _("The project works in %(region)s, one of the sponsor's regions.",
                                   region=n.region(int(p["region_id"]))),
    "region_none": lambda p, n: _("The project works in none of the sponsor's regions."),
    "region_open": lambda p, n: _("The sponsor named no regions: every region counts half."),
    "groups_match": _groups_match,
    "groups_none": lambda p, n: _("The project serves none of the target groups the sponsor supports."),
    "groups_open": lambda p, n: _("The sponsor named no target groups: every project counts half."),
    "budget_whole": lambda p, n: _("The sponsor's budget per project could close the whole remaining gap, "
                                   "%(gap)s.", gap=format_tenge(p["gap"])),
    "budget_small": lambda p, n: _("The remaining gap, %(gap)s, is below the sponsor's minimum per project, "
                                   "%(min)s.", gap=format_tenge(p["gap"]), min=format_tenge(p["min"])),
    "budget_milestone": lambda p, n: _(
        "The remaining gap, %(gap)s, is above the sponsor's maximum per project, %(max)s, but the sponsor "
        "could fund a whole milestone of %(tranche)s.", gap=format_tenge(p["gap"]), max=format_tenge(p["max"]),
        tranche=format_tenge(p["tranche"])),
    "budget_share": _budget_share,
    "track": _track,
    "track_no_milestones": _track_no_milestones,
    "rural_yes": lambda p, n: _("The project works in villages, which the sponsor gives priority to."),
    "rural_partly": lambda p, n: _("The project works in towns and villages; the sponsor gives priority to "
                                   "villages."),
    "rural_no": lambda p, n: _("The project works in towns; the sponsor gives priority to villages."),
    "rural_open": lambda p, n: _("The sponsor gives no priority to rural projects: this counts half."),
    "start_soon": lambda p, n: _("Starts within two months: %(date)s.", date=_day(p["date"])),
    "start_later": lambda p, n: _("Start date: %(date)s; days until the start: %(days)s.",
                                  date=_day(p["date"]), days=p["days"]),
    "start_started": lambda p, n: _("Already started on %(date)s: this counts half.", date=_day(p["date"])),
    "start_unknown": lambda p, n: _("No start date is given: this counts half."),
}


def sentence(c: Contribution, names: Names) -> str:
    """What a person reads for one contribution."""
    return SENTENCES[c.reason](c.params, names)


def points(value: float) -> str:
    """A score or a factor's points as shown: one decimal, in the locale's way."""
    return format_number(round(value, 1))


def suggestion_text(s: Suggestion, names: Names) -> str:
    """What the project's organization reads: the change, and what it would do for the match."""
    gain = points(s.gain)
    if s.code == "add_target_group":
        return _("If the project also serves them, add the target group %(group)s: the average score of its "
                 "likely sponsors would rise by %(gain)s.", group=names.group(str(s.params["group"])), gain=gain)
    if s.code == "add_area":
        return _("If the project also works in it, add the area of activity %(area)s: the average score of its "
                 "likely sponsors would rise by %(gain)s.", area=names.area(int(s.params["area_id"])), gain=gain)
    return _("Split the funding into milestones of at most %(max)s each (milestones: %(count)s): the average "
             "score of its likely sponsors would rise by %(gain)s.",
             max=format_tenge(int(s.params["max"])), count=s.params["count"], gain=gain)
