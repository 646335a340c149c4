"""Share the people a class of identical groups received among its open groups.

The program decides how many groups of a class open and who is in the class;
here they become named groups: as even as the parties allow, each group named
after the candidate most of its people were in before, and people alone back
in their previous group where there is room.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from events.grouping.inputs import LARGER, SMALLER, GroupId, PersonId, sort_key
from events.grouping.problem import Party


@dataclass
class Bin:
    """One open group before it is named: its parties, the seats left for people alone,
    and whether its facilitator fills a seat."""

    members: list[PersonId]
    room: int
    facilitated: bool = False
    count: int = 0


@dataclass(frozen=True)
class Filled:
    """A named open group: members, seats the remedy search filled with people not signed up."""

    group: GroupId
    members: tuple[PersonId, ...]
    extra: int = 0
    facilitated: bool = False
    outside_limits: str | None = None


def even_bins(open_count: int, parties: Sequence[Party], lone: int, seats: int) -> list[Bin] | None:
    """``open_count`` groups as even as can be, parties of two or more placed whole
    (largest first, each into the group with most room), ``lone`` seats left for
    people alone; None when the parties do not fit even groups."""
    if open_count == 0:
        return []
    total = sum(party.size for party in parties) + lone + seats
    each, more = divmod(total, open_count)
    # The fuller groups come first; their facilitators fill the seats, which keeps
    # the members themselves as even as the counts.
    bins = [Bin([], each + (i < more) - (i < seats), i < seats, each + (i < more))
            for i in range(open_count)]
    for party in sorted(parties, key=lambda p: (-p.size, sort_key(p.members[0]))):
        roomiest = max(bins, key=lambda b: b.room)
        if roomiest.room < party.size:
            return None
        roomiest.members += party.members
        roomiest.room -= party.size
    return bins


def fill(bins: Sequence[Bin], group_ids: Sequence[GroupId], lone: Sequence[PersonId],
         previous: Mapping[PersonId, GroupId], limits: tuple[int, int]) -> list[Filled]:
    """Name each bin after a candidate group and seat the people alone.

    ``lone`` holds at most the bins' room; any room left over is reported as
    ``extra`` (the remedy search's people not yet signed up).
    """
    names = _names(bins, group_ids, lone, previous)
    seated = [list(b.members) for b in bins]
    room = [b.room for b in bins]
    waiting = []
    for person in lone:
        home = next((n for n, name in enumerate(names) if name == previous.get(person)), None)
        if home is not None and room[home] > 0:
            seated[home].append(person)
            room[home] -= 1
        else:
            waiting.append(person)
    for n in range(len(bins)):
        taken, waiting = waiting[:room[n]], waiting[room[n]:]
        seated[n] += taken
        room[n] -= len(taken)
    low, high = limits
    return [Filled(names[n], tuple(sorted(seated[n], key=sort_key)), room[n], b.facilitated,
                   SMALLER if b.count < low else LARGER if b.count > high else None)
            for n, b in enumerate(bins)]


def _names(bins: Sequence[Bin], group_ids: Sequence[GroupId], lone: Sequence[PersonId],
           previous: Mapping[PersonId, GroupId]) -> list[GroupId]:
    """Give each bin the id of the candidate that keeps the most people where they were."""
    def kept(b: Bin, group: GroupId) -> int:
        return (sum(previous.get(m) == group for m in b.members)
                + min(b.room, sum(previous.get(p) == group for p in lone)))

    scores = sorted((-kept(b, group), n, g) for n, b in enumerate(bins)
                    for g, group in enumerate(group_ids))
    names: dict[int, GroupId] = {}
    for _score, n, g in scores:
        if n not in names and group_ids[g] not in names.values():
            names[n] = group_ids[g]
    return [names[n] for n in range(len(bins))]
