"""The pledge's rules as plain functions of plain data (no I/O): its states and who moves it between
them, what an amount may be, how much of a project's goal is still open, and the tranche schedule.

States: `offered` → `accepted` | `declined` | `withdrawn` | `expired`; an accepted pledge's tranches are
disbursed one by one and the pledge is `completed` when the last one is. The project's side accepts
or declines; the sponsor withdraws an offer (not an accepted pledge: the project counts on it) and
records each tranche it paid. An offer the project leaves unanswered lapses (`expired`) when its
`expires_at` passes (a number of days after it was made, `ASAR_PLEDGE_OFFER_DAYS`): nobody may
accept it from then on, and the scheduled job (asar.pledges.jobs) frees what it held.

Money: an open offer holds its amount against the project's goal until it is answered, so offers
can never promise more than the goal and accepting one never overshoots it. The project's
`committed` column is what was accepted (accepted and completed pledges), the truth the project
page and the home page's totals read; `reserved` is what open offers hold.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from asar.i18n import gettext as _

OFFERED, ACCEPTED, DECLINED, WITHDRAWN, COMPLETED = "offered", "accepted", "declined", "withdrawn", "completed"
EXPIRED = "expired"
STATES = (OFFERED, ACCEPTED, DECLINED, WITHDRAWN, EXPIRED, COMPLETED)
ACTIONS = ("accept", "decline", "withdraw", "expire", "complete")
TRANSITIONS: dict[tuple[str, str], str] = {
    (OFFERED, "accept"): ACCEPTED,
    (OFFERED, "decline"): DECLINED,
    (OFFERED, "withdraw"): WITHDRAWN,
    (OFFERED, "expire"): EXPIRED,
    (ACCEPTED, "complete"): COMPLETED,
}
# who takes each action: the project's organization or the sponsor's ("system": the last tranche)
SIDE = {"accept": "project", "decline": "project", "withdraw": "sponsor", "expire": "system", "complete": "system",
        "disburse": "sponsor"}
HOLDS = frozenset({OFFERED})  # states whose amount is held against the goal, not yet committed
COMMITS = frozenset({ACCEPTED, COMPLETED})  # states whose amount is in the project's committed total
# The largest amount anyone may type: a trillion tenge (the republican budget is ~25 trillion;
# no social project comes near). Past it an amount is refused as absurd, before any other check.
MAX_AMOUNT = 1_000_000_000_000


class InvalidTransition(ValueError):
    def __init__(self, state: str, action: str) -> None:
        super().__init__(f"{action} is not possible from {state}")
        self.state = state
        self.action = action


def next_state(state: str, action: str) -> str:
    """The state `action` leads to from `state`; InvalidTransition when it is not possible."""
    try:
        return TRANSITIONS[(state, action)]
    except KeyError:
        raise InvalidTransition(state, action) from None


def can(state: str, action: str) -> bool:
    return (state, action) in TRANSITIONS


def transition_message(state: str, action: str) -> str:
    """Why the action cannot be taken now, for the person who tried."""
    if state == ACCEPTED:
        return _("This pledge has been accepted already.")
    if state == DECLINED:
        return _("This pledge was declined.")
    if state == WITHDRAWN:
        return _("This pledge was withdrawn.")
    if state == COMPLETED:
        return _("This pledge is completed.")
    if state == EXPIRED:
        return _("This offer lapsed: the project did not answer it in time.")
    return _("This pledge is still waiting for the project's answer.")


def lapsed(state: str, expires_at: datetime | None, now: datetime) -> bool:
    """Whether an offer is past its time: nobody may accept it any more (the job marks it `expired`)."""
    return state == OFFERED and expires_at is not None and now >= expires_at


def expires_at(made: datetime, days: int) -> datetime:
    """When an offer made at `made` lapses, unanswered."""
    return made + timedelta(days=days)


# ---------------------------------------------------------------- amounts
_SEPARATORS = re.compile(r"[\s\u00a0\u202f'’]")  # "1 000 000", "1 000 000" (NBSP), "1'000'000"


def parse_amount(raw: object) -> tuple[int | None, str | None]:
    """(amount, None) or (None, a translated message): whole tenge from a form field or a JSON value.

    Refused: nothing, not a number, a fraction (12.5, "12,50"), zero or less, over MAX_AMOUNT."""
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, _("Enter the amount in tenge.")
    if isinstance(raw, bool):
        return None, _("Enter the amount as a whole number of tenge.")
    if isinstance(raw, float):
        if not math.isfinite(raw):
            return None, _("Enter the amount as a whole number of tenge.")
        if not raw.is_integer():
            return None, _("The amount must be whole tenge, without tiyn.")
        raw = int(raw)
    if isinstance(raw, str):
        text = _SEPARATORS.sub("", raw.strip())
        if text.endswith(("₸", "тг")):
            text = text.rstrip("₸тг").strip()
        sign = -1 if text[:1] in "-−" else 1
        body = text[1:] if text[:1] in "+-−" else text
        if re.fullmatch(r"\d+[.,]\d*", body):
            whole, _sep, fraction = re.split(r"([.,])", body, maxsplit=1)
            if fraction.strip("0"):
                return None, _("The amount must be whole tenge, without tiyn.")
            body = whole
        if not (body.isascii() and body.isdigit()):
            return None, _("Enter the amount as a whole number of tenge.")
        if len(body) > 30:
            return None, _("This amount is too large.")
        raw = sign * int(body)
    if not isinstance(raw, int):
        return None, _("Enter the amount as a whole number of tenge.")
    if raw <= 0:
        return None, _("The amount must be at least 1 tenge.")
    if raw > MAX_AMOUNT:
        return None, _("This amount is too large.")
    return raw, None


@dataclass(frozen=True)
class Funding:
    """A project's money as the pledge rules see it."""

    goal: int  # the sponsorship goal
    committed: int  # accepted pledges
    reserved: int  # open offers
    allow_overfunding: bool = False

    @property
    def open(self) -> int:
        """What a new offer may still promise (never below zero)."""
        return max(self.goal - self.committed - self.reserved, 0)


def amount_problem(amount: int, funding: Funding) -> str | None:
    """Why this offer does not fit the project's open gap now (translated), or None when it fits."""
    if funding.allow_overfunding:
        return None
    if funding.open <= 0:
        return _("This project needs no more pledges: its sponsorship goal is covered.")
    if amount > funding.open:
        from asar.i18n import format_tenge

        return _("The amount is more than the project still needs (%(open)s).", open=format_tenge(funding.open))
    return None


# ---------------------------------------------------------------- the tranche schedule
@dataclass(frozen=True)
class Stage:
    """A milestone of the project, as the schedule needs it."""

    id: int
    position: int


def plan_tranches(amount: int, stages: Sequence[Stage], requested: dict[int, int]) -> tuple[
        list[tuple[int, int]], str | None]:
    """The tranches [(milestone id, amount)] in the milestones' order, or a translated problem.

    `requested` maps milestone ids to amounts (zeros dropped). None requested: one tranche of the
    whole amount at the first milestone. Otherwise the amounts must be whole, positive, name the
    project's milestones and add up to the pledge."""
    order = {s.id: s.position for s in stages}
    if not stages:
        return [], _("The project has no milestones to tie tranches to.")
    wanted = {m: a for m, a in requested.items() if a != 0}
    if not wanted:
        first = min(stages, key=lambda s: s.position)
        return [(first.id, amount)], None
    if any(m not in order for m in wanted):
        return [], _("A tranche names a milestone of another project.")
    if any(a < 0 for a in wanted.values()):
        return [], _("A tranche cannot be negative.")
    if sum(wanted.values()) != amount:
        from asar.i18n import format_tenge

        return [], _("The tranches add up to %(sum)s, not to the pledged %(amount)s.",
                     sum=format_tenge(sum(wanted.values())), amount=format_tenge(amount))
    return sorted(wanted.items(), key=lambda item: order[item[0]]), None
