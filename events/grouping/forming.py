"""Form discussion groups from sign-ups: a proposal, or why there is none and what would help."""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from events.grouping.inputs import (
    LARGER,
    CandidateGroup,
    Concessions,
    GroupId,
    Participant,
    PersonId,
)
from events.grouping.obstacles import find_obstacles
from events.grouping.outcomes import (
    AllowOneGroupOutsideLimits,
    FormedGroup,
    Infeasible,
    LetFacilitatorsFillSeats,
    Obstacle,
    ObstacleKind,
    Proposal,
    Remedy,
    Satisfaction,
    TakeFromWaitlist,
)
from events.grouping.problem import Problem, define_problem
from events.grouping.program import Least, Placement, Unsolved, place, place_with_least

# 200 sign-ups over 6 threads x 3 slots form in under a second on a small
# machine (python -m bench.grouping); the limit guards a request against a
# pathological input. Past it the best grouping found so far is returned.
TIME_LIMIT_SECONDS = 20.0


def form_groups(participants: Iterable[Participant], candidates: Iterable[CandidateGroup],
                locks: Mapping[PersonId, GroupId] | None = None, *,
                concessions: Concessions | None = None,
                previous: Mapping[PersonId, GroupId] | None = None,
                time_limit: float = TIME_LIMIT_SECONDS) -> Proposal | Infeasible:
    """Place every participant in one candidate group, or explain why no grouping exists.

    Hard rules: every group opened holds between its minimum and maximum (with
    the ``concessions`` the organiser allows), everyone is in a group meeting
    in a slot they can make, people who asked to be together are together, and
    locked people stay in the group they are locked into. Within those rules it
    uses as few concessions as it can, honours thread preferences as fairly as
    it can, then opens the fewest groups, then keeps people where ``previous``
    (an earlier proposal's assignments) had them, then evens out sizes. The
    same input gives the same answer, whatever its order.

    Raises ``InvalidInput`` for input of the wrong shape (an id given twice);
    everything the organiser can fix comes back as an ``Infeasible`` instead.
    """
    problem = define_problem(participants, candidates, locks or {}, concessions or Concessions(),
                             previous or {})
    if not problem.people:
        return Proposal({}, (), {}, ignored_locks=problem.ignored_locks)
    obstacles = find_obstacles(problem)
    if not obstacles:
        placed = place(problem, time_limit)
        if isinstance(placed, Placement):
            return _proposal(problem, placed)
        obstacles = [_no_fit(problem, placed, time_limit)]
    return Infeasible(tuple(obstacles), problem.ignored_partners, problem.ignored_locks)


def _proposal(problem: Problem, placement: Placement) -> Proposal:
    assignments = {person: filled.group for filled in placement.groups
                   for person in filled.members}
    groups = tuple(
        FormedGroup(filled.group, problem.groups[filled.group].thread,
                    problem.groups[filled.group].slot, filled.members,
                    facilitator_fills_seat=filled.facilitated,
                    outside_limits=filled.outside_limits)
        for filled in placement.groups)
    satisfaction = {}
    for person in problem.people.values():
        thread = problem.groups[assignments[person.id]].thread
        rank = person.threads.index(thread) + 1 if thread in person.threads else None
        satisfaction[person.id] = Satisfaction(rank, len(person.threads))
    exception = problem.concessions.size_exception
    outside = any(group.outside_limits for group in groups)
    return Proposal(
        assignments={person: assignments[person] for person in problem.people},
        groups=groups, satisfaction=satisfaction,
        size_exception_reason=exception.reason if exception and outside else None,
        ignored_partners=problem.ignored_partners, ignored_locks=problem.ignored_locks,
        proven_best=placement.proven_best)


def _no_fit(problem: Problem, unsolved: Unsolved, time_limit: float) -> Obstacle:
    """The head counts work out, yet slots, locks and together-wishes leave no grouping."""
    if not unsolved.proven:
        return Obstacle(ObstacleKind.NO_FIT,
                        f"No grouping was found within {time_limit:g} seconds; try again with "
                        "fewer candidate groups or fewer locks.")
    return Obstacle(ObstacleKind.NO_FIT,
                    "No grouping fits every group size, available slot, lock and "
                    "together-wish at once.",
                    remedies=_searched_remedies(problem, time_limit / 4))


def _searched_remedies(problem: Problem, time_limit: float) -> tuple[Remedy, ...]:
    """Each remedy the solver finds enough on its own, with the least it needs."""
    remedies: list[Remedy] = []
    more = place_with_least(problem, Least.PEOPLE, time_limit)
    if isinstance(more, Placement) and more.extra_people:
        slots = {problem.groups[group].slot for group in more.extra_people}
        remedies.append(TakeFromWaitlist(sum(more.extra_people.values()),
                                         slots.pop() if len(slots) == 1 else None))
    for least in (Least.SMALLER, Least.LARGER):
        if least.value in problem.concessions.sides:
            continue
        outside = place_with_least(problem, least, time_limit)
        if isinstance(outside, Placement):
            size = next((len(g.members) + g.facilitated for g in outside.groups
                         if g.outside_limits), None)
            if size is not None:
                remedies.append(AllowOneGroupOutsideLimits(least.value == LARGER, size))
    seated = place_with_least(problem, Least.FACILITATOR_SEATS, time_limit)
    if isinstance(seated, Placement) and any(g.facilitated for g in seated.groups):
        remedies.append(LetFacilitatorsFillSeats(sum(g.facilitated for g in seated.groups)))
    return tuple(remedies)



