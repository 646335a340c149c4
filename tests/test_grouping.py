"""Forming book-discussion groups: sizes, slots, wishes and locks kept, or the reasons why not.

Pure domain tests: no database, no app; the solver (CBC, shipped inside
PuLP) runs for real.
"""

from __future__ import annotations

import random
import subprocess
import sys
from collections.abc import Mapping, Sequence

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from events.errors import InvalidInput
from events.grouping import (
    AddCandidateGroups,
    AllowOneGroupOutsideLimits,
    CandidateGroup,
    Concessions,
    Infeasible,
    LetFacilitatorsFillSeats,
    Move,
    ObstacleKind,
    Participant,
    Proposal,
    SizeException,
    TakeFromWaitlist,
    candidate_groups,
    compare_proposals,
    form_groups,
)
from events.grouping.sizes import HeadCounts, SizeLimits
from tests.conftest import ROOT

THREADS = ("leadership", "the library as a place", "service", "change", "reading", "craft")
SLOTS = ("Mon 19:30", "Tue 19:30", "Wed 19:30")
MON, TUE, WED = SLOTS


def splits_into_six_to_eight(count: int) -> bool:
    return any(6 * groups <= count <= 8 * groups for groups in range(1, count + 1))


def crowd(count: int, seed: int, *, first: int = 0) -> list[Participant]:
    """``count`` people who can all make Monday, some also other days, with random
    thread wishes (some none), one in ten asking to be with the person before them."""
    rng = random.Random(seed)
    people = []
    for n in range(first, first + count):
        slots = {MON} | {slot for slot in SLOTS[1:] if rng.random() < 0.5}
        threads = tuple(rng.sample(THREADS, rng.choice((0, 1, 3, 6))))
        partner = n - 1 if n % 10 == 1 and n > first else None
        people.append(Participant(n, frozenset(slots), threads, partner))
    return people


def newcomers(count: int, first: int, slots: Sequence[str] = SLOTS) -> list[Participant]:
    return [Participant(n, frozenset(slots)) for n in range(first, first + count)]


def assert_valid(result: Proposal | Infeasible, people: Sequence[Participant],
                 candidates: Sequence[CandidateGroup], locks: Mapping[int, object] | None = None,
                 concessions: Concessions | None = None) -> Proposal:
    """Everyone placed once, every group within its limits, every rule kept."""
    assert isinstance(result, Proposal), result
    concessions = concessions or Concessions()
    by_id = {c.id: c for c in candidates}
    assert set(result.assignments) == {p.id for p in people}
    assert sorted(m for g in result.groups for m in g.members) == sorted(result.assignments)
    outside = 0
    for group in result.groups:
        limits = by_id[group.id]
        assert (group.thread, group.slot) == (limits.thread, limits.slot)
        assert all(result.assignments[m] == group.id for m in group.members)
        count = len(group.members) + group.facilitator_fills_seat
        if group.outside_limits == "smaller":
            assert count == limits.min_size - 1
        elif group.outside_limits == "larger":
            assert count == limits.max_size + 1
        else:
            assert limits.min_size <= count <= limits.max_size
        outside += group.outside_limits is not None
    assert outside <= (1 if concessions.size_exception else 0)
    assert sum(g.facilitator_fills_seat for g in result.groups) <= concessions.facilitator_seats
    ids = {p.id for p in people}
    for person in people:
        group = by_id[result.assignments[person.id]]
        assert group.slot in person.slots, (person, group)
        if person.together_with in ids:
            assert result.assignments[person.together_with] == result.assignments[person.id]
        wish = result.satisfaction[person.id]
        expected = person.threads.index(group.thread) + 1 if group.thread in person.threads \
            else None
        assert (wish.rank, wish.ranked) == (expected, len(person.threads))
    for person, group in (locks or {}).items():
        assert result.assignments[person] == group
    return result


def apply(remedy: object, people: list[Participant],
          concessions: Concessions) -> tuple[list[Participant], Concessions]:
    """The sign-ups and concessions after the organiser follows ``remedy``."""
    match remedy:
        case TakeFromWaitlist(count=count, slot=where):
            available = SLOTS if where is None else (where,)
            return people + newcomers(count, 10_000, available), concessions
        case AllowOneGroupOutsideLimits(larger=larger):
            exception = SizeException("The group asked to stay together", smaller=not larger,
                                      larger=larger)
            return people, Concessions(concessions.facilitator_seats, exception)
        case LetFacilitatorsFillSeats(count=count):
            return people, Concessions(count, concessions.size_exception)
    raise AssertionError(f"unexpected remedy {remedy}")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(count=st.integers(1, 200), seed=st.integers(0, 2**16))
@example(count=200, seed=0)
def test_every_head_count_is_grouped_within_limits_or_explained_with_remedies_that_work(
        count: int, seed: int) -> None:
    people = crowd(count, seed)
    candidates = candidate_groups(THREADS, SLOTS, people)
    result = form_groups(people, candidates)
    if splits_into_six_to_eight(count):
        assert_valid(result, people, candidates)
        return
    assert isinstance(result, Infeasible)
    assert [o.kind for o in result.obstacles] == [ObstacleKind.HEAD_COUNT]
    assert f"{count} {'person' if count == 1 else 'people'} cannot be split into groups of 6-8" \
        in result.obstacles[0].message
    needed = min(n for n in range(count, count + 9) if splits_into_six_to_eight(n)) - count
    assert TakeFromWaitlist(needed) in result.remedies
    for remedy in result.remedies:
        remedied, concessions = apply(remedy, people, Concessions())
        candidates = candidate_groups(THREADS, SLOTS, remedied)
        assert_valid(form_groups(remedied, candidates, concessions=concessions), remedied,
                     candidates, concessions=concessions)


# Every count from 1 to 40 explicitly, as hypothesis examples of the property above.
for _count in range(1, 41):
    test_every_head_count_is_grouped_within_limits_or_explained_with_remedies_that_work = (
        example(count=_count, seed=_count)(
            test_every_head_count_is_grouped_within_limits_or_explained_with_remedies_that_work))


def test_every_count_from_6_to_200_is_grouped_within_limits_or_reported_as_impossible(
) -> None:
    # The property above draws its counts; this walks every one once, with the
    # wishes out of the way, so no count between 6 and 200 is left to chance.
    impossible = []
    for count in range(6, 201):
        people = newcomers(count, 0, (MON,))
        candidates = candidate_groups(THREADS[:1], (MON,), people)
        result = form_groups(people, candidates)
        if isinstance(result, Infeasible):
            assert [o.kind for o in result.obstacles] == [ObstacleKind.HEAD_COUNT]
            impossible.append(count)
            continue
        assert_valid(result, people, candidates)
    assert impossible == [9, 10, 11, 17]


def test_the_counts_groups_of_six_to_eight_cannot_hold_are_exactly_1_to_5_9_to_11_and_17() -> None:
    counts = HeadCounts([SizeLimits(6, 8)] * 60, 400)
    assert [n for n in range(1, 401) if counts.least_between(n, n) is None] == [
        1, 2, 3, 4, 5, 9, 10, 11, 17]


@settings(max_examples=30, deadline=None)
@given(st.data())
def test_nobody_is_placed_in_a_slot_they_cannot_make_and_no_input_crashes(
        data: st.DataObject) -> None:
    count = data.draw(st.integers(0, 40), label="count")
    ids = list(range(count))
    people = [Participant(
        n, data.draw(st.frozensets(st.sampled_from(SLOTS), max_size=3)),
        tuple(data.draw(st.lists(st.sampled_from(THREADS[:3]), max_size=3, unique=True))),
        data.draw(st.one_of(st.none(), st.sampled_from([*ids, "nobody"]))))
        for n in ids]
    candidates = candidate_groups(THREADS[:3], SLOTS, people)
    locks = {n: data.draw(st.sampled_from(candidates)).id
             for n in data.draw(st.lists(st.sampled_from(ids), max_size=3, unique=True))
             } if ids and candidates else {}
    result = form_groups(people, candidates, locks)
    if isinstance(result, Proposal):
        assert_valid(result, people, candidates, locks)
    else:
        assert result.obstacles
        assert all(o.message for o in result.obstacles)


def test_everyone_gets_their_first_choice_when_the_numbers_allow() -> None:
    people = [Participant(n, frozenset({MON, TUE}), (THREADS[n % 3], THREADS[(n + 1) % 3]))
              for n in range(21)]
    candidates = candidate_groups(THREADS[:3], (MON, TUE), people)
    proposal = assert_valid(form_groups(people, candidates), people, candidates)
    assert proposal.rank_counts() == {1: 21}
    assert sorted(len(g.members) for g in proposal.groups) == [7, 7, 7]


def test_nobody_is_sacrificed_to_give_others_their_first_choice() -> None:
    # One seat per thread. Four first choices would leave Cy with a thread she did not
    # list; the fairer grouping gives three people their second choice instead.
    people = [Participant("Ann", frozenset({MON}), ("E", "D")),
              Participant("Bob", frozenset({MON}), ("A", "E", "D", "B", "C")),
              Participant("Cy", frozenset({MON}), ("C", "B")),
              Participant("Di", frozenset({MON}), ("B", "C", "D")),
              Participant("Ed", frozenset({MON}), ("C", "A", "B"))]
    candidates = [CandidateGroup(thread, thread, MON, 1, 1) for thread in "ABCDE"]
    proposal = assert_valid(form_groups(people, candidates), people, candidates)
    assert proposal.assignments == {"Ann": "D", "Bob": "E", "Cy": "C", "Di": "B", "Ed": "A"}
    assert proposal.rank_counts() == {1: 2, 2: 3}


def test_a_thread_too_few_want_stays_closed_and_its_people_get_their_next_choice() -> None:
    keen = [Participant(n, frozenset({MON}), ("leadership", "craft")) for n in range(13)]
    few = [Participant(n, frozenset({MON}), ("craft", "leadership")) for n in range(13, 16)]
    candidates = candidate_groups(("leadership", "craft"), (MON,), keen + few)
    proposal = assert_valid(form_groups(keen + few, candidates), keen + few, candidates)
    assert {g.thread for g in proposal.groups} == {"leadership"}
    assert proposal.rank_counts() == {1: 13, 2: 3}


def test_groups_are_as_few_and_as_even_as_the_wishes_allow() -> None:
    people = [Participant(n, frozenset(SLOTS)) for n in range(30)]
    candidates = candidate_groups(THREADS, SLOTS, people)
    proposal = assert_valid(form_groups(people, candidates), people, candidates)
    assert sorted(len(g.members) for g in proposal.groups) == [7, 7, 8, 8]


def test_a_locked_person_stays_where_locked_even_against_their_wishes() -> None:
    people = [Participant(n, frozenset({MON, TUE}), ("leadership",)) for n in range(14)]
    candidates = candidate_groups(("leadership", "craft"), (MON, TUE), people)
    craft_tuesday = ("craft", TUE, 1)
    locks = dict.fromkeys(range(6), craft_tuesday)
    proposal = assert_valid(form_groups(people, candidates, locks), people, candidates, locks)
    assert all(proposal.satisfaction[n].rank is None for n in range(6))
    assert proposal.rank_counts() == {None: 6, 1: 8}


def test_rerunning_with_new_locks_keeps_them_moves_nobody_else_and_lists_the_move() -> None:
    people = [p for p in crowd(48, seed=7) if p.together_with is None]
    candidates = candidate_groups(THREADS, SLOTS, people)
    first = assert_valid(form_groups(people, candidates), people, candidates)
    sizes = {g.id: len(g.members) for g in first.groups}
    # The organiser locks two people where they are and moves a third by hand, from a
    # group that can spare one to a group with room for one.
    def rooms(person: Participant) -> list[object]:
        return [g.id for g in first.groups if g.slot in person.slots and sizes[g.id] < 8
                and g.id != first.assignments[person.id]]

    mover = next(p for p in people[2:] if sizes[first.assignments[p.id]] > 6 and rooms(p))
    to = rooms(mover)[0]
    locks = {people[0].id: first.assignments[people[0].id],
             people[1].id: first.assignments[people[1].id], mover.id: to}
    again = assert_valid(form_groups(people, candidates, locks, previous=first.assignments),
                         people, candidates, locks)
    assert compare_proposals(first.assignments, again.assignments) == (
        Move(mover.id, first.assignments[mover.id], to),)


def test_rerunning_the_same_input_moves_nobody() -> None:
    people = crowd(60, seed=3)
    candidates = candidate_groups(THREADS, SLOTS, people)
    first = form_groups(people, candidates)
    assert isinstance(first, Proposal)
    again = form_groups(people, candidates, previous=first.assignments)
    assert isinstance(again, Proposal)
    assert compare_proposals(first.assignments, again.assignments) == ()


def test_the_same_input_in_any_order_gives_the_same_proposal() -> None:
    people = crowd(70, seed=11)
    candidates = candidate_groups(THREADS, SLOTS, people)
    first = form_groups(people, candidates)
    shuffled_people, shuffled_groups = people[:], candidates[:]
    random.Random(1).shuffle(shuffled_people)
    random.Random(2).shuffle(shuffled_groups)
    assert form_groups(shuffled_people, shuffled_groups) == first


def test_people_who_asked_to_be_together_are_placed_together_even_in_a_chain() -> None:
    people = [Participant(n, frozenset(SLOTS), (THREADS[n % 3],)) for n in range(24)]
    people[1] = Participant(1, frozenset(SLOTS), (THREADS[2],), together_with=0)
    people[2] = Participant(2, frozenset({TUE, WED}), (THREADS[1],), together_with=1)
    people[5] = Participant(5, frozenset(SLOTS), (), together_with="someone who left")
    candidates = candidate_groups(THREADS[:3], SLOTS, people)
    proposal = assert_valid(form_groups(people, candidates), people, candidates)
    assert proposal.assignments[0] == proposal.assignments[1] == proposal.assignments[2]
    assert proposal.assignments[0][1] in (TUE, WED)  # the slot all three can make
    assert proposal.ignored_partners == (5,)


def test_concessions_are_used_only_when_the_head_count_needs_it() -> None:
    people = [Participant(n, frozenset({MON})) for n in range(18)]
    candidates = candidate_groups(THREADS[:1], (MON,), people)
    generous = Concessions(facilitator_seats=3,
                           size_exception=SizeException("A long-standing pair"))
    proposal = assert_valid(form_groups(people, candidates, concessions=generous), people,
                            candidates, concessions=generous)
    assert not any(g.facilitator_fills_seat or g.outside_limits for g in proposal.groups)
    assert proposal.size_exception_reason is None

    seventeen = people[:17]
    larger = Concessions(size_exception=SizeException("They asked to stay together", smaller=False))
    proposal = assert_valid(form_groups(seventeen, candidates, concessions=larger), seventeen,
                            candidates, concessions=larger)
    assert sorted(len(g.members) for g in proposal.groups) == [8, 9]
    assert proposal.size_exception_reason == "They asked to stay together"


def test_a_pair_with_no_common_slot_is_explained() -> None:
    people = newcomers(12, 0, (MON, TUE))
    people[0] = Participant(0, frozenset({MON}), together_with=1)
    people[1] = Participant(1, frozenset({TUE}))
    result = form_groups(people, candidate_groups(THREADS[:1], (MON, TUE), people))
    assert isinstance(result, Infeasible)
    [obstacle] = result.obstacles
    assert obstacle.kind is ObstacleKind.TOGETHER_NO_COMMON_SLOT
    assert obstacle.people == (0, 1)
    assert obstacle.message == "0 and 1 asked to be together but have no slot in common."


def test_locks_that_contradict_slots_sizes_or_wishes_are_explained() -> None:
    people = newcomers(20, 0, (MON, TUE))
    people[0] = Participant(0, frozenset({MON}))
    people[1] = Participant(1, frozenset({MON, TUE}), together_with=2)
    candidates = candidate_groups(("craft",), (MON, TUE), people)
    tuesday, monday = ("craft", TUE, 1), ("craft", MON, 1)
    locks = {0: tuesday, 1: monday, 2: tuesday, 3: ("gone", MON, 9),
             **dict.fromkeys(range(4, 13), monday)}
    result = form_groups(people, candidates, locks)
    assert isinstance(result, Infeasible)
    kinds = {o.kind: o for o in result.obstacles}
    assert set(kinds) == {ObstacleKind.LOCKED_UNAVAILABLE, ObstacleKind.LOCKED_APART,
                          ObstacleKind.LOCKED_UNKNOWN_GROUP, ObstacleKind.LOCKED_OVERFULL}
    assert kinds[ObstacleKind.LOCKED_UNAVAILABLE].people == (0,)
    assert kinds[ObstacleKind.LOCKED_APART].people == (1, 2)
    assert kinds[ObstacleKind.LOCKED_UNKNOWN_GROUP].groups == (("gone", MON, 9),)
    assert kinds[ObstacleKind.LOCKED_OVERFULL].message == (
        "9 people are locked into group ('craft', 'Mon 19:30', 1), which holds at most 8.")


def test_no_candidate_groups_at_all_is_explained() -> None:
    result = form_groups(newcomers(20, 0), [])
    assert isinstance(result, Infeasible)
    [obstacle] = result.obstacles
    assert obstacle.kind is ObstacleKind.TOO_FEW_GROUPS
    assert obstacle.remedies == (AddCandidateGroups(3),)


def test_someone_who_can_make_no_slot_is_explained() -> None:
    people = [*newcomers(12, 0, (MON,)), Participant(12, frozenset({"Sat 10:00"}))]
    result = form_groups(people, candidate_groups(THREADS[:1], (MON,), people))
    assert isinstance(result, Infeasible)
    assert [(o.kind, o.people) for o in result.obstacles] == [
        (ObstacleKind.NO_USABLE_SLOT, (12,))]


def test_too_few_people_for_a_slot_is_explained_and_the_remedies_work() -> None:
    people = newcomers(20, 0, (MON,)) + newcomers(4, 20, (TUE,))
    candidates = candidate_groups(THREADS[:2], (MON, TUE), people)
    result = form_groups(people, candidates)
    assert isinstance(result, Infeasible)
    [obstacle] = result.obstacles
    assert obstacle.kind is ObstacleKind.SLOT_SHORTAGE
    assert obstacle.slot == TUE
    assert obstacle.people == (20, 21, 22, 23)
    assert obstacle.remedies == (TakeFromWaitlist(2, TUE),)
    remedied, _ = apply(obstacle.remedies[0], people, Concessions())
    candidates = candidate_groups(THREADS[:2], (MON, TUE), remedied)
    assert_valid(form_groups(remedied, candidates), remedied, candidates)


def test_parties_that_cannot_pack_are_found_by_the_solver_with_a_remedy_that_works() -> None:
    # Groups of exactly seven cannot be made of couples: the head counts fit, the wishes not.
    people = [Participant(n, frozenset({MON}), together_with=n - 1 if n % 2 else None)
              for n in range(14)]
    candidates = [CandidateGroup(n, "craft", MON, 7, 7) for n in range(3)]
    result = form_groups(people, candidates)
    assert isinstance(result, Infeasible)
    [obstacle] = result.obstacles
    assert obstacle.kind is ObstacleKind.NO_FIT
    assert obstacle.remedies == (TakeFromWaitlist(7, MON),)
    remedied = people + newcomers(7, 100, (MON,))
    assert_valid(form_groups(remedied, candidates), remedied, candidates)


def test_input_of_the_wrong_shape_is_refused_with_a_reason() -> None:
    with pytest.raises(InvalidInput, match="Each person must appear once"):
        form_groups([Participant(1, frozenset({MON}))] * 2, [])
    with pytest.raises(InvalidInput, match="Say why"):
        SizeException("  ")
    with pytest.raises(InvalidInput, match="smallest size"):
        CandidateGroup(1, "craft", MON, 9, 8)


def test_importing_the_grouping_loads_no_solver() -> None:
    # Web workers import the domain; only forming groups may load PuLP.
    code = "import sys, events.grouping; print('pulp' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True,
                            text=True, check=True)
    assert result.stdout.strip() == "False"
