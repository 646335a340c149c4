"""The figures feedback reports are made of, and the small-number rule that guards them.

Every breakdown of answers goes through ``breakdown``: fewer than
``limits.FEWEST_SHOWN`` answers show as a count only (reports: ``events.feedback_reports``).
"""

from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from events import limits
from events.feedback_models import RATING_LABELS, FeedbackAnswers, Outcome

T = TypeVar("T")


@dataclass(frozen=True)
class Shown(Generic[T]):
    """A breakdown as the small-number rule lets it be seen: always how many answers it
    holds, what they say only from ``limits.FEWEST_SHOWN`` up."""

    count: int
    figures: T | None

    @property
    def held_back(self) -> bool:
        return self.figures is None and self.count > 0


def breakdown(count: int, figures: Callable[[], T]) -> Shown[T]:
    """The small-number rule, for every breakdown: the figures of ``count`` answers, or
    only their count when there are fewer than ``limits.FEWEST_SHOWN``."""
    if count < limits.FEWEST_SHOWN:
        return Shown(count, None)
    return Shown(count, figures())


def pooled(units: Iterable[list[T]]) -> tuple[list[T], int]:
    """The answers of every unit the small-number rule shows, and how many were held back."""
    kept: list[T] = []
    held_back = 0
    for unit in units:
        shown = breakdown(len(unit), lambda unit=unit: unit)
        if shown.figures is None:
            held_back += shown.count
        else:
            kept += shown.figures
    return kept, held_back


@dataclass(frozen=True)
class Tally:
    """How many gave each answer, in the order of the scale: (label, count) rows."""

    rows: list[tuple[str, int]]

    @property
    def total(self) -> int:
        return sum(count for _, count in self.rows)

    def share(self, count: int) -> int:
        """A count as a whole percentage of the total."""
        return round(100 * count / self.total) if self.total else 0


def tally(labels: dict[object, str], values: Iterable[object]) -> Tally:
    counts = Counter(values)
    return Tally([(label, counts[key]) for key, label in labels.items()])


@dataclass(frozen=True)
class Ratings:
    """The overall ratings of the evening."""

    tally: Tally
    mean: float

    @property
    def good_share(self) -> int:
        """Percentage who rated it 4 or 5."""
        return self.tally.share(sum(count for _, count in self.tally.rows[3:]))


def ratings(answers: list[FeedbackAnswers]) -> Ratings:
    values = [answer.rating for answer in answers if answer.rating is not None]
    return Ratings(tally(RATING_LABELS, values), round(statistics.fmean(values), 1))


@dataclass(frozen=True)
class Shift:
    """How people placed themselves on one outcome, before the evening and now."""

    median_before: float
    median_now: float
    improved: int
    same: int
    lower: int

    @property
    def total(self) -> int:
        return self.improved + self.same + self.lower

    @property
    def improved_share(self) -> int:
        return round(100 * self.improved / self.total)


@dataclass(frozen=True)
class OutcomeShift:
    """One outcome statement and its shift, under the small-number rule."""

    outcome: Outcome
    series_title: str
    shift: Shown[Shift]


def shift(pairs: list[tuple[int, int]]) -> Shift:
    return Shift(statistics.median(before for before, _ in pairs),
                 statistics.median(now for _, now in pairs),
                 sum(now > before for before, now in pairs),
                 sum(now == before for before, now in pairs),
                 sum(now < before for before, now in pairs))
