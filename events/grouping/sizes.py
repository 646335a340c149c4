"""Which head counts a set of groups can hold: 17 people never fit groups of 6-8, 18 do.

A group holds nobody (it stays closed, unless someone is locked into it) or
between its minimum and maximum. A facilitator filling a seat lowers both by
one; the one group let outside its limits may hold one under its minimum or one
over its maximum. The integer program obeys the same arithmetic, so an answer
here is an answer there, as far as head counts go.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from events.grouping.inputs import LARGER, SMALLER


@dataclass(frozen=True)
class SizeLimits:
    """One candidate group's limits, and whether it must open (someone is locked into it)."""

    min_size: int
    max_size: int
    must_open: bool = False


class HeadCounts:
    """The head counts up to ``ceiling`` that ``limits`` can hold, with up to ``seats``
    facilitators filling seats and one group outside its limits on one of ``sides``.

    Each count is a bit of a Python integer, so adding a group shifts and ORs
    a few integers instead of walking every count.
    """

    def __init__(self, limits: Sequence[SizeLimits], ceiling: int, *, seats: int = 0,
                 sides: tuple[str, ...] = ()) -> None:
        self.ceiling = ceiling
        mask = (1 << (ceiling + 1)) - 1
        # (facilitators used, side used or "") -> counts reachable so far.
        states: dict[tuple[int, str], int] = {(0, ""): 1}
        for group in _enough_of_each(limits, ceiling):
            grown: dict[tuple[int, str], int] = {} if group.must_open else dict(states)
            for (used, side), counts in states.items():
                for state, low, high in _ways_to_open(group, used, side, seats, sides):
                    grown[state] = grown.get(state, 0) | _spread(counts, low, high, mask)
            states = grown
        self._states = states

    def least_between(self, low: int, high: int, *, seats: int = 0,
                      sides: Iterable[str] = ()) -> int | None:
        """The smallest head count in ``low``..``high`` the groups hold, using at most ``seats``
        facilitators and the exception only on ``sides``; None if there is none."""
        allowed = {"", *sides}
        counts = 0
        for (used, side), reachable in self._states.items():
            if used <= seats and side in allowed:
                counts |= reachable
        high = min(high, self.ceiling)
        if low > high:
            return None
        window = (counts >> low) & ((1 << (high - low + 1)) - 1)
        return low + (window & -window).bit_length() - 1 if window else None


def capacity(limits: Iterable[SizeLimits], *, larger: bool = False) -> int:
    """The most people the groups hold together."""
    return sum(group.max_size for group in limits) + larger


def _ways_to_open(group: SizeLimits, used: int, side: str, seats: int,
                  sides: tuple[str, ...]) -> list[tuple[tuple[int, str], int, int]]:
    """Each way to open ``group``: the state it leads to and the members it may then hold."""
    low, high = group.min_size, group.max_size
    ways = [((used, side), low, high)]
    if not side:
        if SMALLER in sides:
            ways.append(((used, SMALLER), low - 1, high))
        if LARGER in sides:
            ways.append(((used, LARGER), low, high + 1))
    if used < seats:
        ways += [((used + 1, state_side), way_low - 1, way_high - 1)
                 for (_, state_side), way_low, way_high in list(ways)]
    return ways


def _spread(counts: int, low: int, high: int, mask: int) -> int:
    """Every count in ``counts`` plus any of ``low``..``high`` members (an open group has one)."""
    spread = 0
    for members in range(max(low, 1), high + 1):
        spread |= counts << members
    return spread & mask


def _enough_of_each(limits: Sequence[SizeLimits], ceiling: int) -> list[SizeLimits]:
    """Drop optional groups beyond the number that could ever open below ``ceiling``:
    identical groups are interchangeable, and each open one holds at least one less
    than its minimum less one (with a facilitator and the exception)."""
    kept: list[SizeLimits] = []
    seen: dict[SizeLimits, int] = {}
    for group in limits:
        seen[group] = seen.get(group, 0) + 1
        if group.must_open or seen[group] <= ceiling // max(1, group.min_size - 2) + 1:
            kept.append(group)
    return kept
