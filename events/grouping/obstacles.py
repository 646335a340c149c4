"""Why a set of sign-ups cannot be grouped, found before any solving, with computed remedies.

First what no arithmetic can mend (nobody can be placed without a slot they
can make, a lock the person cannot attend); then the head counts: everyone
together, and slot by slot the people who can meet only then.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence

from events.grouping.inputs import (
    LARGER,
    SMALLER,
    CandidateGroup,
    GroupId,
    PersonId,
    SlotId,
    sort_key,
)
from events.grouping.outcomes import (
    AddCandidateGroups,
    AllowOneGroupOutsideLimits,
    LetFacilitatorsFillSeats,
    Obstacle,
    ObstacleKind,
    Remedy,
    TakeFromWaitlist,
)
from events.grouping.problem import Party, Problem
from events.grouping.sizes import HeadCounts, SizeLimits, capacity
from events.limits import MAX_GROUP_SIZE


def find_obstacles(problem: Problem) -> list[Obstacle]:
    """The obstacles found; empty when the head counts work out (the solver may still fail).

    Each stage speaks only when the one before found nothing: a slot's head
    count means little while the total cannot be split at all.
    """
    return (_unplaceable(problem) + _contradicting_locks(problem) or _head_count(problem)
            or _slot_shortages(problem))


def _unplaceable(problem: Problem) -> list[Obstacle]:
    if not problem.groups:
        return [Obstacle(ObstacleKind.TOO_FEW_GROUPS, "There are no candidate groups yet.",
                         remedies=(AddCandidateGroups(
                             math.ceil(len(problem.people) / MAX_GROUP_SIZE)),))]
    found = []
    for person in problem.people.values():
        if not person.slots & {group.slot for group in problem.groups.values()}:
            found.append(Obstacle(
                ObstacleKind.NO_USABLE_SLOT,
                f"{person.id} can make none of the slots the groups meet in.",
                people=(person.id,)))
    unusable = {o.people[0] for o in found}
    larger = problem.concessions.sides.count(LARGER)
    for party in problem.parties:
        if party.size == 1 or unusable & set(party.members):
            continue
        names = _names(party.members)
        if not party.slots:
            found.append(Obstacle(
                ObstacleKind.TOGETHER_NO_COMMON_SLOT,
                f"{names} asked to be together but have no slot in common.",
                people=party.members))
            continue
        room = max(g.max_size for g in problem.groups.values() if g.slot in party.slots) + larger
        if party.size > room:
            found.append(Obstacle(
                ObstacleKind.TOGETHER_TOO_MANY,
                f"{names} asked to be together: {party.size} people, more than a group "
                f"holds ({room}).", people=party.members))
    return found


def _contradicting_locks(problem: Problem) -> list[Obstacle]:
    found = []
    locked_members: dict[GroupId, int] = {}
    for party in problem.parties:
        unknown = sorted((g for g in party.locked_into if g not in problem.groups), key=sort_key)
        for group in unknown:
            people = tuple(m for m in party.members if problem.locks.get(m) == group)
            found.append(Obstacle(
                ObstacleKind.LOCKED_UNKNOWN_GROUP,
                f"{_names(people)} {_is(people)} locked into group {group}, which is not among "
                "the candidate groups.", people=people, groups=(group,)))
        if unknown:
            continue
        if len(party.locked_into) > 1:
            groups = tuple(sorted(party.locked_into, key=sort_key))
            found.append(Obstacle(
                ObstacleKind.LOCKED_APART,
                f"{_names(party.members)} asked to be together but are locked into different "
                f"groups ({_names(groups)}).", people=party.members, groups=groups))
            continue
        group = party.lock
        if group is None:
            continue
        slot = problem.slot_of(group)
        absent = tuple(m for m in party.members if slot not in problem.people[m].slots)
        if absent:
            found.append(Obstacle(
                ObstacleKind.LOCKED_UNAVAILABLE,
                f"{_names(absent)} cannot make {slot}, when group {group} meets"
                f"{_lock_note(party)}.", people=absent, groups=(group,), slot=slot))
        locked_members[group] = locked_members.get(group, 0) + party.size
    larger = problem.concessions.sides.count(LARGER)
    for group, count in locked_members.items():
        room = problem.groups[group].max_size + larger
        if count > room:
            people = tuple(p for party in problem.parties if party.lock == group
                           for p in party.members)
            found.append(Obstacle(
                ObstacleKind.LOCKED_OVERFULL,
                f"{count} people are locked into group {group}, which holds at most {room}.",
                people=people, groups=(group,)))
    return found


def _head_count(problem: Problem) -> list[Obstacle]:
    everyone = len(problem.people)
    limits = problem.limits(problem.groups.values())
    check = _Count(problem, limits, everyone, everyone)
    if check.fits():
        return []
    people = "person" if everyone == 1 else "people"
    if check.too_few_groups():
        most = capacity(limits, larger=LARGER in problem.concessions.sides)
        return [Obstacle(ObstacleKind.TOO_FEW_GROUPS,
                         f"{everyone} {people} signed up, but the candidate groups hold at most "
                         f"{most}.", remedies=check.more_groups(None))]
    return [Obstacle(ObstacleKind.HEAD_COUNT,
                     f"{everyone} {people} cannot be split into {_sizes(problem.groups.values())}"
                     f"{_why_not(problem, everyone)}.", remedies=check.remedies(None))]


def _slot_shortages(problem: Problem) -> list[Obstacle]:
    """Slot by slot: the people who can meet only then must fill whole groups then."""
    found = []
    for slot in sorted({g.slot for g in problem.groups.values()}, key=sort_key):
        groups = [g for g in problem.groups.values() if g.slot == slot]
        bound = [p for p in problem.parties if p.slots == {slot} or _locked_at(problem, p, slot)]
        free = [p for p in problem.parties if slot in p.slots and p.lock is None]
        must, can = _count(bound), _count(bound) + _count(p for p in free if p not in bound)
        limits = problem.limits(groups)
        if not must and not any(limit.must_open for limit in limits):
            continue
        check = _Count(problem, limits, must, can)
        if check.fits():
            continue
        people = tuple(m for party in bound for m in party.members)
        if check.too_few_groups():
            found.append(Obstacle(
                ObstacleKind.TOO_FEW_GROUPS,
                f"{must} people can meet only in {slot}, but the groups there hold at most "
                f"{capacity(limits, larger=LARGER in problem.concessions.sides)}.",
                people=people, slot=slot, remedies=check.more_groups(slot)))
            continue
        least = check.least_needed()
        needed = f"the groups there need at least {least}" if least else "no groups there fit"
        found.append(Obstacle(
            ObstacleKind.SLOT_SHORTAGE,
            f"{must} {'person' if must == 1 else 'people'} can meet only in {slot} (no other "
            f"slot, or locked into a group then), and {can} can make it in all: {needed}.",
            people=people, groups=tuple(g.id for g in groups if problem.is_locked(g.id)),
            slot=slot, remedies=check.remedies(slot)))
    return found


class _Count:
    """Whether ``at_least``..``at_most`` people fit ``limits``, and what would make them fit."""

    def __init__(self, problem: Problem, limits: Sequence[SizeLimits], at_least: int,
                 at_most: int) -> None:
        self.problem, self.limits = problem, limits
        self.at_least, self.at_most = at_least, at_most
        self.seats = problem.concessions.facilitator_seats
        self.sides = problem.concessions.sides
        widest = max((limit.max_size + limit.min_size for limit in limits), default=0)
        self.ceiling = at_most + widest + 2
        self.counts = HeadCounts(limits, self.ceiling, seats=self.seats, sides=self.sides)

    def fits(self) -> bool:
        return self._between(self.counts, self.seats, self.sides) is not None

    def too_few_groups(self) -> bool:
        return self.at_least > capacity(self.limits, larger=LARGER in self.sides)

    def least_needed(self) -> int | None:
        return self.counts.least_between(self.at_least, self.ceiling, seats=self.seats,
                                         sides=self.sides)

    def more_groups(self, slot: SlotId | None) -> tuple[Remedy, ...]:
        missing = self.at_least - capacity(self.limits, larger=LARGER in self.sides)
        largest = max((limit.max_size for limit in self.limits), default=0)
        if not largest:
            return ()
        return (AddCandidateGroups(math.ceil(missing / largest), slot),)

    def remedies(self, slot: SlotId | None) -> tuple[Remedy, ...]:
        """Each remedy that on its own makes the count fit, with the least it takes."""
        remedies: list[Remedy] = []
        least = self.least_needed()
        if least is not None:
            remedies.append(TakeFromWaitlist(least - self.at_most, slot))
        # Each facilitator fills a seat in an open group; more seats than groups
        # that could open add nothing.
        fewest_members = max(1, min((limit.min_size for limit in self.limits), default=1) - 2)
        most_seats = min(len(self.limits), self.ceiling // fewest_members + 1)
        every_way = HeadCounts(self.limits, self.ceiling, seats=most_seats,
                               sides=(SMALLER, LARGER))
        for side in (SMALLER, LARGER):
            if side not in self.sides and self._between(every_way, self.seats,
                                                        (*self.sides, side)) is not None:
                remedies.append(AllowOneGroupOutsideLimits(side == LARGER, self._size(side)))
        seats = next((n for n in range(self.seats + 1, most_seats + 1)
                      if self._between(every_way, n, self.sides) is not None), None)
        if seats is not None:
            remedies.append(LetFacilitatorsFillSeats(seats))
        return tuple(remedies)

    def _between(self, counts: HeadCounts, seats: int, sides: tuple[str, ...]) -> int | None:
        return counts.least_between(self.at_least, self.at_most, seats=seats, sides=sides)

    def _size(self, side: str) -> int | None:
        sizes = {limit.max_size + 1 if side == LARGER else limit.min_size - 1
                 for limit in self.limits}
        return sizes.pop() if len(sizes) == 1 else None


def _locked_at(problem: Problem, party: Party, slot: SlotId) -> bool:
    return party.lock is not None and problem.slot_of(party.lock) == slot


def _count(parties: Iterable[Party]) -> int:
    return sum(party.size for party in parties)


def _sizes(groups: Iterable[CandidateGroup]) -> str:
    limits = {(g.min_size, g.max_size) for g in groups}
    if len(limits) == 1:
        low, high = limits.pop()
        return f"groups of {low}-{high}"
    return "the candidate groups' sizes"


def _why_not(problem: Problem, count: int) -> str:
    limits = {(g.min_size, g.max_size) for g in problem.groups.values()}
    allowed = problem.concessions
    if len(limits) != 1 or allowed.facilitator_seats or allowed.size_exception:
        return ""
    low, high = limits.pop()
    fewer = count // high
    if fewer == 0:
        return f": one group needs at least {low}"
    return (f": {_groups(fewer)} hold at most {fewer * high} and {_groups(fewer + 1)} need "
            f"at least {(fewer + 1) * low}")


def _groups(count: int) -> str:
    return "1 group" if count == 1 else f"{count} groups"


def _lock_note(party: Party) -> str:
    if len(party.members) == 1:
        return " (locked into it)"
    return f" (locked into it, or asked to be with someone locked into it: {_names(party.members)})"


def _is(people: Sequence[PersonId]) -> str:
    return "is" if len(people) == 1 else "are"


def _names(ids: Sequence[object]) -> str:
    names = [str(i) for i in ids]
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
