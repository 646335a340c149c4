"""The forming problem in one shape: people merged into parties, everything in id order.

People who asked to be together form a party that is placed as one; a chain
of "with" wishes (Ann with Bob, Bob with Cy) makes one party of three.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import TypeVar

from events.errors import InvalidInput
from events.grouping.inputs import (
    CandidateGroup,
    Concessions,
    GroupId,
    Participant,
    PersonId,
    SlotId,
    ThreadId,
    sort_key,
)
from events.grouping.sizes import HeadCounts, SizeLimits

Item = TypeVar("Item", Participant, CandidateGroup)


@dataclass(frozen=True)
class Party:
    """People placed together (one person alone is a party of one).

    ``slots``: the candidate groups' slots every member can make.
    ``locked_into``: the groups the organiser locked any member into.
    """

    members: tuple[PersonId, ...]
    slots: frozenset[SlotId]
    locked_into: frozenset[GroupId]

    @property
    def size(self) -> int:
        return len(self.members)

    @property
    def lock(self) -> GroupId | None:
        """The one group the party is locked into, if it is locked into exactly one."""
        return next(iter(self.locked_into)) if len(self.locked_into) == 1 else None


@dataclass(frozen=True)
class Problem:
    """Validated input in id order, so that the same input always gives the same answer."""

    people: dict[PersonId, Participant]
    groups: dict[GroupId, CandidateGroup]
    parties: tuple[Party, ...]
    locks: dict[PersonId, GroupId]
    concessions: Concessions
    previous: dict[PersonId, GroupId]
    ignored_partners: tuple[PersonId, ...] = ()
    ignored_locks: tuple[PersonId, ...] = ()

    def cost(self, person: PersonId, thread: ThreadId) -> int:
        """What placing ``person`` in ``thread`` costs: the square of how far down their list it is.

        Squared so that two people on their second choice beat one on their
        first and one on their third. A thread not on the list costs one more
        place than the last; no list costs nothing.
        """
        threads = self.people[person].threads
        place = threads.index(thread) if thread in threads else len(threads)
        return place * place

    def worst_cost(self, person: PersonId) -> int:
        return len(self.people[person].threads) ** 2

    def slot_of(self, group: GroupId) -> SlotId:
        return self.groups[group].slot

    def is_locked(self, group: GroupId) -> bool:
        """Whether anyone is locked into ``group`` (so that it must open)."""
        return any(party.lock == group for party in self.parties)

    def limits(self, groups: Iterable[CandidateGroup]) -> list[SizeLimits]:
        """The size limits of ``groups``, for head-count arithmetic."""
        return [SizeLimits(g.min_size, g.max_size, self.is_locked(g.id)) for g in groups]

    def fewest_concessions(self) -> int:
        """The fewest facilitator seats and groups outside their limits that the head count
        alone needs, within the concessions allowed: a bound the solver cannot see for itself
        (17 people never fit groups of 6-8, whatever the fractions say)."""
        limits = self.limits(self.groups.values())
        everyone, allowed = len(self.people), self.concessions
        seats, sides = allowed.facilitator_seats, allowed.sides
        counts = HeadCounts(limits, everyone, seats=seats, sides=sides)
        for used in range(seats + len(sides[:1]) + 1):
            for outside in (0, 1) if sides else (0,):
                if 0 <= used - outside <= seats and counts.least_between(
                        everyone, everyone, seats=used - outside,
                        sides=sides if outside else ()) is not None:
                    return used
        return 0


def define_problem(participants: Iterable[Participant], candidates: Iterable[CandidateGroup],
                   locks: Mapping[PersonId, GroupId], concessions: Concessions,
                   previous: Mapping[PersonId, GroupId]) -> Problem:
    """Check the input's shape, merge "together" wishes into parties and order everything by id."""
    people = _by_id(participants, "person")
    groups = _by_id(candidates, "group")
    usable_slots = {group.slot for group in groups.values()}
    kept_locks = {person: group for person, group in locks.items() if person in people}
    partners = {person.id: person.together_with for person in people.values()
                if person.together_with is not None and person.together_with != person.id}
    ignored_partners = tuple(person for person, partner in partners.items()
                             if partner not in people)
    parties = []
    for members in _connected(people, {p: q for p, q in partners.items() if q in people}):
        slots = frozenset(usable_slots).intersection(*(people[m].slots for m in members))
        locked_into = frozenset(kept_locks[m] for m in members if m in kept_locks)
        parties.append(Party(members, slots, locked_into))
    return Problem(
        people=people, groups=groups, parties=tuple(parties), locks=kept_locks,
        concessions=concessions,
        previous={p: g for p, g in previous.items() if p in people and g in groups},
        ignored_partners=ignored_partners,
        ignored_locks=tuple(sorted(locks.keys() - people.keys(), key=sort_key)))


def _by_id(items: Iterable[Item], what: str) -> dict[object, Item]:
    listed = sorted(items, key=lambda item: sort_key(item.id))
    by_id = {item.id: item for item in listed}
    if len(by_id) != len(listed):
        raise InvalidInput(f"Each {what} must appear once.")
    return by_id


def _connected(people: Mapping[PersonId, Participant],
               partners: Mapping[PersonId, PersonId]) -> list[tuple[PersonId, ...]]:
    """The groups of people linked by "with" wishes in either direction, each in id order."""
    root = {person: person for person in people}

    def find(person: PersonId) -> PersonId:
        while root[person] != person:
            root[person] = root[root[person]]
            person = root[person]
        return person

    for person, partner in partners.items():
        root[find(person)] = find(partner)
    members: dict[PersonId, list[PersonId]] = {}
    for person in people:  # already in id order
        members.setdefault(find(person), []).append(person)
    return sorted((tuple(group) for group in members.values()), key=lambda m: sort_key(m[0]))
