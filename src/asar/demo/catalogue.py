"""The demo's catalogue of projects, planned as plain data (no I/O): each hand-written seed
(asar.demo.seeds) placed in several towns, districts and villages (asar.demo.places) that fit it,
owned by a demo organization that works there, in a lifecycle state, with its funding stack,
milestones and sponsors' pledges. asar.demo.projects writes the plan to the database.

Deterministic: which projects there are, their owners, titles, statuses and budgets do not depend
on the day (a second run on another day finds them again); their dates are relative to the day the
demo runs, so it never looks stale. Every title is unique: a seed goes to a place at most once, and
the place is in the title.

Money adds up by construction: own contribution + state funding + sponsorship goal = budget; the
milestones' tranches add up to the budget; a funded, in-progress or completed project's accepted
pledges add up to its goal exactly; a published one's stay below it, and its open offers within
what is left; each pledge's tranches add up to the pledge.
"""

from __future__ import annotations

import itertools
import random
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta

from asar.demo.places import PLACES, Place
from asar.demo.seeds import CANCEL_REASONS, SEEDS, Seed

KIND_OF_SECTOR = {"ngo": "ngo_initiative", "government": "social_order", "business": "csr_programme"}
PLACES_PER_SEED = 8
# How many of the catalogue's projects are in each status (weights).
STATUS_WEIGHTS = {"draft": 7, "published": 50, "funded": 12, "in_progress": 15, "completed": 11, "cancelled": 5}
# Who may run the projects nowhere else: a national body when no organization of the sector works there.
NATIONAL = {"government": "ministry"}
STEP = 10_000  # amounts are whole tens of thousands of tenge


@dataclass(frozen=True)
class Org:
    """What the plan needs to know of a demo organization."""

    key: str
    sector: str
    regions: tuple[str, ...]
    areas: tuple[str, ...]
    verified: bool


@dataclass
class PlannedPledge:
    sponsor: str  # organization key
    amount: int
    state: str  # offered, accepted, declined, withdrawn, expired, completed
    tranches: list[tuple[int, int, bool]] = field(default_factory=list)  # (milestone index, amount, disbursed)
    reason: str = ""  # why it was declined


@dataclass
class PlannedMilestone:
    title: str
    deliverable: str
    due_on: date
    amount: int
    reported_on: date | None = None


@dataclass
class PlannedProject:
    seed: str
    owner: str  # organization key
    kind: str
    status: str
    social_enterprise: bool
    title_kk: str
    title_ru: str
    summary_kk: str
    summary_ru: str
    description: str
    areas: tuple[str, ...]
    region: str
    settlement: str
    target_groups: tuple[str, ...]
    beneficiaries: int
    starts_on: date
    ends_on: date
    own_contribution: int
    state_funding: int
    sponsorship_goal: int
    milestones: list[PlannedMilestone]
    published_at: datetime | None = None
    funded_at: datetime | None = None
    started_at: datetime | None = None
    completed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str = ""
    pledges: list[PlannedPledge] = field(default_factory=list)

    @property
    def budget(self) -> int:
        return self.own_contribution + self.state_funding + self.sponsorship_goal

    @property
    def committed(self) -> int:
        return sum(p.amount for p in self.pledges if p.state in ("accepted", "completed"))

    def submission(self, area_ids: dict[str, int], region_ids: dict[str, int]) -> dict[str, object]:
        """The project as its form would send it (asar.projects.forms.parse_project checks it)."""
        return {
            "kind": self.kind, "social_enterprise": self.social_enterprise, "title_kk": self.title_kk,
            "title_ru": self.title_ru, "title_en": "", "summary_kk": self.summary_kk, "summary_ru": self.summary_ru,
            "description": self.description, "areas": [area_ids[a] for a in self.areas],
            "regions": [{"region_id": region_ids[self.region], "settlement": self.settlement}],
            "target_groups": list(self.target_groups), "beneficiaries": self.beneficiaries,
            "starts_on": self.starts_on.isoformat(), "ends_on": self.ends_on.isoformat(), "budget": self.budget,
            "own_contribution": self.own_contribution, "state_funding": self.state_funding,
            "sponsorship_goal": self.sponsorship_goal,
            "milestones": [{"title": m.title, "deliverable": m.deliverable, "due_on": m.due_on.isoformat(),
                            "amount": m.amount} for m in self.milestones],
        }


def _round(amount: float) -> int:
    return max(STEP, int(amount) // STEP * STEP)


def _fits(seed: Seed, place: Place) -> bool:
    if seed.where == "rural":
        return place.settlement in ("rural", "both")
    if seed.where == "urban":
        return place.settlement == "urban"
    return True


def _owner(seed: Seed, place: Place, orgs: list[Org], rng: random.Random) -> Org:
    """An organization that works in the place, of the sector such projects usually come from."""
    order = list(seed.sectors)
    first = rng.choices(order, weights=[6, 3, 2][:len(order)])[0]
    order.remove(first)
    by_key = {o.key: o for o in orgs}
    for sector in [first, *order]:
        here = [o for o in orgs if o.sector == sector and o.verified and place.iso in o.regions]
        if here:
            # a local organization is likelier to run it than one spread over many regions
            weights = [(1 + 2 * len(set(o.areas) & set(seed.areas))) * 6 / len(o.regions) for o in here]
            return rng.choices(here, weights=weights)[0]
    for sector in [first, *order]:
        if sector in NATIONAL and NATIONAL[sector] in by_key:
            return by_key[NATIONAL[sector]]
    raise LookupError(f"no demo organization runs {seed.key} in {place.iso}")


def _fill(text: str, place: Place, n: int, k: int) -> str:
    return text.format(in_ru=place.in_ru, of_ru=place.of_ru, in_kk=place.in_kk, attr_kk=place.attr_kk,
                       n=f"{n:,}".replace(",", " "), k=k)


def _at(day: date) -> datetime:
    return datetime.combine(day, time(5, 0), tzinfo=UTC)  # 10:00 in Almaty


def _split(total: int, parts: int, rng: random.Random) -> list[int]:
    """total in `parts` amounts of whole STEPs (fewer when total is small), adding up to total."""
    parts = max(1, min(parts, total // STEP))
    cuts = sorted(rng.sample(range(1, total // STEP), parts - 1)) if parts > 1 else []
    points = [0, *(c * STEP for c in cuts), total]
    return [b - a for a, b in itertools.pairwise(points)]


def _tranches(amount: int, milestones: list[PlannedMilestone]) -> list[tuple[int, int]]:
    """The pledge spread over the milestones in proportion to their tranches (adding up to it)."""
    budget = sum(m.amount for m in milestones)
    out, given = [], 0
    for i, m in enumerate(milestones):
        share = amount - given if i == len(milestones) - 1 else amount * m.amount // budget
        if share > 0:
            out.append((i, share))
            given += share
    return out


def _sponsors(project: PlannedProject, businesses: list[Org], rng: random.Random, n: int) -> list[str]:
    """n different businesses (not the owner), those working in the region and area first."""
    pool = [b for b in businesses if b.key != project.owner]
    weights = [1 + 3 * (project.region in b.regions) + 2 * len(set(b.areas) & set(project.areas)) for b in pool]
    chosen: list[str] = []
    while len(chosen) < min(n, len(pool)):
        pick = rng.choices(pool, weights=weights)[0].key
        if pick not in chosen:
            chosen.append(pick)
    return chosen


DECLINE_REASONS = (
    "Условия по отчётности нам не подходят / Есеп беру талаптары бізге сай келмейді",
    "Этот этап уже покрыт государственным финансированием / Бұл кезең мемлекеттік қаржымен жабылған",
    "Просим разделить сумму по этапам / Соманы кезеңдерге бөлуді сұраймыз",
)


def _funding(project: PlannedProject, businesses: list[Org], today: date, rng: random.Random) -> None:
    """The project's pledges, in the states its status allows, their totals consistent with it."""
    goal, status = project.sponsorship_goal, project.status
    if status == "draft":
        return
    if status in ("funded", "in_progress", "completed"):
        amounts = _split(goal, rng.choice((1, 1, 2, 2, 3)), rng)
        for sponsor, amount in zip(_sponsors(project, businesses, rng, len(amounts)), amounts, strict=False):
            pledge = PlannedPledge(sponsor, amount, "accepted")
            for index, share in _tranches(amount, project.milestones):
                paid = status == "completed" or (status == "in_progress"
                                                 and project.milestones[index].reported_on is not None)
                pledge.tranches.append((index, share, paid))
            if all(paid for _i, _a, paid in pledge.tranches):
                pledge.state = "completed"
            project.pledges.append(pledge)
    elif status == "published":
        luck = rng.random()
        committed = 0 if luck < 0.35 else _round(goal * (rng.uniform(0.2, 0.9) if luck < 0.85
                                                          else rng.uniform(0.9, 0.99)))
        committed = min(committed, goal - STEP) if goal > STEP else 0
        if committed > 0:
            amounts = _split(committed, rng.choice((1, 2)), rng)
            for sponsor, amount in zip(_sponsors(project, businesses, rng, len(amounts)), amounts, strict=False):
                project.pledges.append(PlannedPledge(sponsor, amount, "accepted",
                                                     [(i, a, False) for i, a in _tranches(amount, project.milestones)]))
        left = goal - committed
        if left >= STEP and rng.random() < 0.35:
            amount = min(left, _round(left * rng.uniform(0.1, 0.6)))
            sponsor = _sponsors(project, businesses, rng, 1)[0]
            project.pledges.append(PlannedPledge(sponsor, amount, "offered",
                                                 [(i, a, False) for i, a in _tranches(amount, project.milestones)]))
    for state, chance in (("declined", 0.15), ("withdrawn", 0.1), ("expired", 0.05)):
        if rng.random() < (chance if status != "cancelled" else 0.5):
            amount = _round(goal * rng.uniform(0.1, 0.5))
            sponsor = _sponsors(project, businesses, rng, 1)[0]
            reason = rng.choice(DECLINE_REASONS) if state == "declined" else ""
            project.pledges.append(PlannedPledge(sponsor, amount, state,
                                                 [(i, a, False) for i, a in _tranches(amount, project.milestones)],
                                                 reason))


def _dates(project: PlannedProject, months: int, today: date, now: datetime, rng: random.Random) -> None:
    span = 30 * months
    status = project.status
    if status == "draft":
        start = today + timedelta(days=rng.randrange(30, 200))
    elif status == "published":
        start = today + timedelta(days=rng.randrange(-30, 220))
    elif status == "funded":
        start = today + timedelta(days=rng.randrange(-15, 90))
    elif status == "in_progress":
        start = today - timedelta(days=rng.randrange(30, span - 20))
    elif status == "completed":
        start = today - timedelta(days=rng.randrange(15, 400) + span)
    else:
        start = today + timedelta(days=rng.randrange(-60, 120))
    project.starts_on, project.ends_on = start, start + timedelta(days=span)
    if status == "draft":
        return
    if status == "published":
        project.published_at = now - timedelta(days=rng.randrange(0, 120), minutes=rng.randrange(0, 600))
    else:
        project.published_at = min(_at(start - timedelta(days=rng.randrange(30, 120))), now - timedelta(days=3))
    if status in ("funded", "in_progress", "completed"):
        until = min(_at(start), now - timedelta(days=1))
        project.funded_at = project.published_at + (until - project.published_at) / 2
    if status in ("in_progress", "completed"):
        project.started_at = max(_at(start), project.funded_at + timedelta(hours=1))
    if status == "completed":
        project.completed_at = min(_at(project.ends_on + timedelta(days=rng.randrange(1, 10))), now)
    if status == "cancelled":
        project.cancelled_at = project.published_at + (now - project.published_at) / 2
        project.cancel_reason = rng.choice(CANCEL_REASONS)


def _milestones(seed: Seed, project: PlannedProject, today: date, rng: random.Random) -> list[PlannedMilestone]:
    budget, count = project.budget, len(seed.milestones)
    span = (project.ends_on - project.starts_on).days
    out, given = [], 0
    for n, (title, deliverable, share) in enumerate(seed.milestones, start=1):
        amount = budget - given if n == count else budget * share // 100
        given += amount
        due = project.starts_on + timedelta(days=span * n // count)
        reported = None
        if project.status == "completed" or (project.status == "in_progress" and due < today):
            late = rng.random() < 0.2
            reported = due + timedelta(days=rng.randrange(3, 20)) if late else due - timedelta(days=rng.randrange(0, 6))
            reported = min(reported, today)
        out.append(PlannedMilestone(title, deliverable, due, amount, reported))
    return out


def _stack(kind: str, budget: int, rng: random.Random) -> tuple[int, int]:
    """(own contribution, state funding) of the budget; the sponsorship goal is the rest."""
    if kind == "ngo_initiative":
        own = _round(budget * rng.uniform(0.05, 0.15))
        state = _round(budget * rng.uniform(0.2, 0.4)) if rng.random() < 0.3 else 0
    elif kind == "social_order":
        own, state = 0, _round(budget * rng.uniform(0.5, 0.8))
    else:
        own, state = _round(budget * rng.uniform(0.4, 0.7)), 0
    return own, state


def plan(orgs: list[Org], today: date, now: datetime | None = None) -> list[PlannedProject]:
    """The catalogue: len(SEEDS) x PLACES_PER_SEED projects (see the module's docstring)."""
    now = now or _at(today)
    businesses = [o for o in orgs if o.sector == "business" and o.verified]
    unverified_ngos = [o for o in orgs if o.sector == "ngo" and not o.verified]
    out: list[PlannedProject] = []
    for seed in SEEDS:
        places = [p for p in PLACES if _fits(seed, p)]
        for place in random.Random(seed.key).sample(places, min(PLACES_PER_SEED, len(places))):
            # one generator per project, drawn from in the same order whatever the day: a project keeps
            # its owner, title and status on the day after (what a second run finds again)
            rng = random.Random(f"{seed.key}:{place.in_ru}")
            owner = _owner(seed, place, orgs, rng)
            status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
            # the NGO still waiting for verification has drafts only, where it works
            waiting = [o for o in unverified_ngos if place.iso in o.regions and owner.sector == "ngo"]
            if waiting and set(seed.areas) & set(waiting[0].areas):
                owner, status = waiting[0], "draft"
            n = rng.randrange(seed.people[0] // 10, seed.people[1] // 10 + 1) * 10
            k = rng.randrange(5, 21)
            kind = KIND_OF_SECTOR[owner.sector]
            budget = rng.randrange(seed.budget[0] * 20, seed.budget[1] * 20 + 1) * 50_000
            own, state = _stack(kind, budget, rng)
            people = f"{n:,}".replace(",", " ")
            description = (f"{_fill(seed.about_kk, place, n, k)}\n\n{_fill(seed.about_ru, place, n, k)}\n\n"
                           f"**Қамту / Охват:** {people} адам / человек.")
            project = PlannedProject(
                seed=seed.key, owner=owner.key, kind=kind, status=status, social_enterprise=seed.social_enterprise,
                title_kk=_fill(seed.title_kk, place, n, k), title_ru=_fill(seed.title_ru, place, n, k),
                summary_kk=_fill(seed.summary_kk, place, n, k), summary_ru=_fill(seed.summary_ru, place, n, k),
                description=description, areas=seed.areas, region=place.iso, settlement=place.settlement,
                target_groups=seed.groups, beneficiaries=n, starts_on=today, ends_on=today,
                own_contribution=own, state_funding=state, sponsorship_goal=budget - own - state, milestones=[])
            project.title_kk = project.title_kk[0].upper() + project.title_kk[1:]
            _dates(project, rng.choice((6, 9, 12, 12, 18)), today, now, rng)
            project.milestones = _milestones(seed, project, today, rng)
            _funding(project, businesses, today, rng)
            out.append(project)
    return out
