"""What the organiser gives the group forming: people to place, candidate groups, concessions.

Ids are the caller's own (database ids, or any values of one type that sort:
ints, strings, tuples of them). Slots and threads are ids too; readable ones
(such as ``"Tue 19:30"``) make the explanations read well.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable
from dataclasses import dataclass, field

from events.errors import InvalidInput
from events.limits import MAX_GROUP_SIZE, MIN_GROUP_SIZE

# The two ways a group may be outside its limits.
SMALLER = "smaller"
LARGER = "larger"

PersonId = Hashable
GroupId = Hashable
SlotId = Hashable
ThreadId = Hashable


def sort_key(value: object) -> tuple[str, object]:
    """A total order on the caller's ids, so that the input's order never changes the answer."""
    return (type(value).__name__, value)


@dataclass(frozen=True)
class Participant:
    """A confirmed sign-up to place in a group.

    ``threads`` are in order of preference; empty means any thread will do.
    ``together_with`` names a person they asked to be with: the wish counts for
    both of them, and it is ignored when that person is not being placed.
    """

    id: PersonId
    slots: frozenset[SlotId]
    threads: tuple[ThreadId, ...] = ()
    together_with: PersonId | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "slots", frozenset(self.slots))
        # A thread ranked twice keeps its better rank.
        object.__setattr__(self, "threads", tuple(dict.fromkeys(self.threads)))


@dataclass(frozen=True)
class CandidateGroup:
    """A group that may be opened: one thread, met in one slot, within its size limits."""

    id: GroupId
    thread: ThreadId
    slot: SlotId
    min_size: int = MIN_GROUP_SIZE
    max_size: int = MAX_GROUP_SIZE

    def __post_init__(self) -> None:
        if not 1 <= self.min_size <= self.max_size:
            raise InvalidInput(f"Group {self.id}: the smallest size must be at least 1 and no "
                               f"more than the largest ({self.min_size}-{self.max_size}).",
                               field="min_size")


@dataclass(frozen=True)
class SizeException:
    """The organiser's consent for one group to be one under its minimum or one over its maximum.

    The reason is kept with the proposal so that whoever publishes it knows why.
    """

    reason: str
    smaller: bool = True
    larger: bool = True

    def __post_init__(self) -> None:
        if not self.reason.strip():
            raise InvalidInput("Say why one group may be outside the usual sizes.",
                               field="reason")
        if not (self.smaller or self.larger):
            raise InvalidInput("Allow a smaller or a larger group, or both.", field="reason")


@dataclass(frozen=True)
class Concessions:
    """The concessions the organiser allows when sizes do not work out otherwise.

    ``facilitator_seats``: how many groups may count their facilitator as one
    of their members. ``size_exception``: one group may be one person outside
    its limits. The solver uses as few of them as it can.
    """

    facilitator_seats: int = 0
    size_exception: SizeException | None = field(default=None)

    @property
    def sides(self) -> tuple[str, ...]:
        """The ways one group may be outside its limits: SMALLER, LARGER, both or neither."""
        exception = self.size_exception
        if exception is None:
            return ()
        return tuple(side for side, allowed in ((SMALLER, exception.smaller),
                                                (LARGER, exception.larger)) if allowed)

    def __post_init__(self) -> None:
        if self.facilitator_seats < 0:
            raise InvalidInput("The number of facilitators filling seats cannot be negative.",
                               field="facilitator_seats")


def candidate_groups(threads: Iterable[ThreadId], slots: Iterable[SlotId],
                     participants: Iterable[Participant], *, min_size: int = MIN_GROUP_SIZE,
                     max_size: int = MAX_GROUP_SIZE) -> list[CandidateGroup]:
    """Enough candidate groups for every thread at every slot, with ids ``(thread, slot, n)``.

    Each thread gets, at each slot, as many groups as the people who can make
    that slot would fill at the largest size: no grouping ever needs more of
    one thread at one slot (if ``n`` people split into groups at all, they
    split into the fewest groups that hold them).
    """
    people = list(participants)
    groups = []
    for slot in slots:
        available = sum(slot in person.slots for person in people)
        for thread in threads:
            groups += [CandidateGroup((thread, slot, n), thread, slot, min_size, max_size)
                       for n in range(1, math.ceil(available / max_size) + 1)]
    return groups
