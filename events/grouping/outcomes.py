"""What the group forming answers: a proposal, or the reasons there is none and what would help."""

from __future__ import annotations

import enum
from collections.abc import Mapping
from dataclasses import dataclass

from events.grouping.inputs import GroupId, PersonId, SlotId, ThreadId, sort_key


@dataclass(frozen=True)
class Satisfaction:
    """How a person's thread wish was met.

    ``rank`` is the place of their group's thread in their list (1 = first
    choice), or None when it was not on it; ``ranked`` is how many threads
    they ranked (0: any thread will do).
    """

    rank: int | None
    ranked: int

    @property
    def got_first_choice(self) -> bool:
        """True when they got the thread they wanted most, or did not mind."""
        return self.ranked == 0 or self.rank == 1


@dataclass(frozen=True)
class FormedGroup:
    """An opened candidate group and who is in it.

    ``facilitator_fills_seat``: its facilitator counts as one of its members.
    ``outside_limits``: "smaller" or "larger" when this is the one group the
    organiser let be one under its minimum or over its maximum.
    """

    id: GroupId
    thread: ThreadId
    slot: SlotId
    members: tuple[PersonId, ...]
    facilitator_fills_seat: bool = False
    outside_limits: str | None = None


@dataclass(frozen=True)
class Proposal:
    """Everyone placed: who goes where, the groups opened and how each wish was met.

    ``ignored_partners`` asked to be with someone who is not being placed;
    ``ignored_locks`` were locked but are not being placed any more. When
    ``proven_best`` is False the solver ran out of time and this is the best
    grouping it found, valid but perhaps not the fairest.
    """

    assignments: Mapping[PersonId, GroupId]
    groups: tuple[FormedGroup, ...]
    satisfaction: Mapping[PersonId, Satisfaction]
    size_exception_reason: str | None = None
    ignored_partners: tuple[PersonId, ...] = ()
    ignored_locks: tuple[PersonId, ...] = ()
    proven_best: bool = True

    def rank_counts(self) -> dict[int | None, int]:
        """How many people got their 1st, 2nd… choice (None: a thread not on their list).

        People who ranked no thread count as first choices.
        """
        counts: dict[int | None, int] = {}
        for wish in self.satisfaction.values():
            rank = 1 if wish.ranked == 0 else wish.rank
            counts[rank] = counts.get(rank, 0) + 1
        return counts


class ObstacleKind(enum.StrEnum):
    NO_USABLE_SLOT = "no_usable_slot"
    TOGETHER_NO_COMMON_SLOT = "together_no_common_slot"
    TOGETHER_TOO_MANY = "together_too_many"
    LOCKED_APART = "locked_apart"
    LOCKED_UNKNOWN_GROUP = "locked_unknown_group"
    LOCKED_UNAVAILABLE = "locked_unavailable"
    LOCKED_OVERFULL = "locked_overfull"
    TOO_FEW_GROUPS = "too_few_groups"
    HEAD_COUNT = "head_count"
    SLOT_SHORTAGE = "slot_shortage"
    NO_FIT = "no_fit"


@dataclass(frozen=True)
class TakeFromWaitlist:
    """Place ``count`` more people from the waitlist (who can make ``slot``, if one is named)."""

    count: int
    slot: SlotId | None = None

    @property
    def message(self) -> str:
        who = "person" if self.count == 1 else "people"
        where = f" who can make {self.slot}" if self.slot is not None else ""
        return f"Take {self.count} more {who}{where} from the waitlist."


@dataclass(frozen=True)
class AllowOneGroupOutsideLimits:
    """Let one group be one under its minimum (``larger`` False) or over its maximum.

    ``size`` is that group's size when every candidate group has the same limits.
    """

    larger: bool
    size: int | None = None

    @property
    def message(self) -> str:
        if self.size is not None:
            return f"Allow one group of {self.size}, with a reason."
        side = "over its maximum" if self.larger else "under its minimum"
        return f"Allow one group to be one {side}, with a reason."


@dataclass(frozen=True)
class LetFacilitatorsFillSeats:
    """Let ``count`` facilitators each count as a member of their own group."""

    count: int

    @property
    def message(self) -> str:
        if self.count == 1:
            return "Let one facilitator fill a seat in their group."
        return f"Let {self.count} facilitators each fill a seat in their own group."


@dataclass(frozen=True)
class AddCandidateGroups:
    """Offer ``count`` more candidate groups (meeting in ``slot``, if one is named)."""

    count: int
    slot: SlotId | None = None

    @property
    def message(self) -> str:
        groups = "group" if self.count == 1 else "groups"
        where = f" meeting in {self.slot}" if self.slot is not None else ""
        return f"Offer {self.count} more {groups}{where}."


Remedy = (TakeFromWaitlist | AllowOneGroupOutsideLimits | LetFacilitatorsFillSeats
          | AddCandidateGroups)


@dataclass(frozen=True)
class Obstacle:
    """One reason no grouping exists, the people, groups and slot concerned, and what would help.

    Each remedy on its own removes this obstacle; ``message`` is a plain
    sentence built from the ids, for pages that have nothing better to say.
    """

    kind: ObstacleKind
    message: str
    people: tuple[PersonId, ...] = ()
    groups: tuple[GroupId, ...] = ()
    slot: SlotId | None = None
    remedies: tuple[Remedy, ...] = ()


@dataclass(frozen=True)
class Infeasible:
    """No grouping satisfies every rule: the obstacles found, each with its remedies."""

    obstacles: tuple[Obstacle, ...]
    ignored_partners: tuple[PersonId, ...] = ()
    ignored_locks: tuple[PersonId, ...] = ()

    @property
    def remedies(self) -> tuple[Remedy, ...]:
        """Every remedy offered, once each, in the order of the obstacles."""
        return tuple(dict.fromkeys(r for o in self.obstacles for r in o.remedies))


@dataclass(frozen=True)
class Move:
    """A person whose group differs between two proposals (None: not placed in that one)."""

    person: PersonId
    from_group: GroupId | None
    to_group: GroupId | None


def compare_proposals(before: Mapping[PersonId, GroupId],
                      after: Mapping[PersonId, GroupId]) -> tuple[Move, ...]:
    """Who moved between two assignments (``Proposal.assignments``), in person order.

    People in only one of them move from or to None.
    """
    people = sorted(before.keys() | after.keys(), key=sort_key)
    return tuple(Move(person, before.get(person), after.get(person)) for person in people
                 if before.get(person) != after.get(person))
