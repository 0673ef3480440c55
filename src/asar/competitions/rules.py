"""The numbers of the competition rules, in one place, with the defaults of Kazakhstan's public rules.

Every number a call is checked against lives in `CompetitionRules`; `DEFAULT_RULES` holds the
defaults (issue 10, "Facts to build on"). Verbs take `rules=` so a deployment or a test can use
others; nothing else in the package writes a number of the rules inline.

Grant size classes (state grants) are measured in MCI, the monthly calculation index of the year
(`asar.reference` keeps it by year, `mci_for_year(db, year)`); a state social-order project has a
duration range and no MCI range; a business grant programme has no class.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from fractions import Fraction


@dataclass(frozen=True)
class SizeClass:
    """A class of grant: the lot's duration in months and its budget in MCI (None: no bound)."""

    code: str
    min_months: int
    max_months: int
    min_mci: int | None = None
    max_mci: int | None = None

    @property
    def in_mci(self) -> bool:
        """Whether the class bounds the budget in MCI (a state grant's classes do)."""
        return self.min_mci is not None or self.max_mci is not None

    def tenge_bounds(self, mci: int) -> tuple[int | None, int | None]:
        """The class's budget bounds in tenge at an MCI value (None: no bound on that side)."""
        return (self.min_mci * mci if self.min_mci is not None else None,
                self.max_mci * mci if self.max_mci is not None else None)

    def fits_budget(self, amount: int, mci: int) -> bool:
        """Whether an amount in tenge lies in the class at an MCI value (bounds included)."""
        low, high = self.tenge_bounds(mci)
        return (low is None or amount >= low) and (high is None or amount <= high)


def _classes() -> dict[str, SizeClass]:
    return {
        "short": SizeClass("short", 3, 12, 500, 3_000),
        "medium": SizeClass("medium", 12, 24, 3_000, 10_000),
        "long": SizeClass("long", 24, 36, 10_000, None),
        "social_order": SizeClass("social_order", 12, 36),
    }


@dataclass(frozen=True)
class CompetitionRules:
    size_classes: dict[str, SizeClass] = field(default_factory=_classes)
    # Which classes a lot of each kind of call may have ("" = no class: a business's grant programme).
    classes_of_kind: dict[str, tuple[str, ...]] = field(default_factory=lambda: {
        "state_grant": ("short", "medium", "long"),
        "state_social_order": ("social_order",),
        "grant_programme": ("",),
    })
    intake_min_days: int = 20          # the application window, in calendar days
    intake_max_days: int = 30
    commission_max: int = 15           # members; the size must be odd
    appeal_days_default: int = 5       # working days
    appeal_days_max: int = 30
    amendment_extension_days: int = 5  # working days added to the closing time by an amendment that
    #                                    affects applicants
    compliance_days: int = 10         # working days after intake closes (the compliance check)
    scoring_days: int = 15            # working days after the compliance check (scoring)
    appeal_answer_days: int = 5       # working days after an appeal is filed (the issuer's answer)
    decision_days: int = 10           # working days after scoring closes (the commission's decision; ASAR's
    #                                   default: the public rules say only "then the commission meets")
    # Reminders (asar.competitions.reminders): when each goes out.
    closing_reminder_days: int = 3    # calendar days before intake closes (applicants with drafts, followers)
    due_reminder_working_days: int = 2  # working days left before the compliance and scoring deadlines
    appeal_reminder_working_days: int = 1  # working days left before the appeal window closes
    max_lots: int = 50
    max_criteria: int = 20
    max_documents: int = 30
    max_points: int = 100              # a criterion's maximum points
    weights_total: int = 100           # the criteria's weights (percent) add up to this
    # The commission decides with this share of its members present (rounded up); a member recused
    # from an application counts neither way for it (asar.competitions.decision.core).
    quorum: Fraction = Fraction(2, 3)


DEFAULT_RULES = CompetitionRules()
