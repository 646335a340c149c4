"""The integer program that places everyone, solved by CBC (shipped inside PuLP).

CBC runs as a child process, so the calling web worker holds only PuLP's
model (a few MB at 200 people); PuLP itself is imported inside the call,
never when the domain is imported.

The model, after "together" wishes are merged into parties (``problem.py``):

- Candidate groups that cannot be told apart (same thread, slot and limits,
  nobody locked in) form a class, and the program chooses how many groups of
  each class open (an integer) and which class each party joins. With the
  parties fixed, placing people is a transportation problem, so the only hard
  choices are the group counts: 200 people solve in a fraction of a second,
  where one yes/no per candidate group (450 of them) left CBC searching
  symmetric copies for minutes.
- A class of ``k`` open groups holds between ``k`` times the minimum and ``k``
  times the maximum (counting facilitators who fill seats, and one group
  outside its limits when the organiser allows it). People alone can always
  be shared out evenly; parties of two or more may not pack (three couples in
  groups of exactly 7), so ``split.py`` checks, and a class whose parties do
  not pack is solved again group by group ("expanded") until all pack.
- Aims in turn, each solved to optimality and then held while the next is
  solved: the fewest concessions (facilitator seats, the group outside its
  limits); the least preference cost; the fewest groups, then the fewest people
  moved from the previous proposal; with each class's group count then fixed,
  class sizes nearest the middle of the limits. Within a class, ``split.py``
  shares people out evenly.
"""

from __future__ import annotations

import enum
import itertools
import time
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from events.grouping.inputs import LARGER, SMALLER, CandidateGroup, GroupId, sort_key
from events.grouping.problem import Party, Problem
from events.grouping.split import Bin, Filled, even_bins, fill


class Least(enum.Enum):
    """What a remedy search minimises instead of forming the best proposal."""

    PEOPLE = "people"
    FACILITATOR_SEATS = "facilitator_seats"
    SMALLER = SMALLER
    LARGER = LARGER


@dataclass(frozen=True)
class Placement:
    """The open groups, in id order, with their members and the concessions used."""

    groups: tuple[Filled, ...]
    proven_best: bool

    @property
    def extra_people(self) -> dict[GroupId, int]:
        """Seats the remedy search filled with people not yet signed up, per group."""
        return {g.group: g.extra for g in self.groups if g.extra}


@dataclass(frozen=True)
class Unsolved:
    """No placement: ``proven`` when the solver showed none exists, not just ran out of time."""

    proven: bool


def place(problem: Problem, time_limit: float) -> Placement | Unsolved:
    """The best placement under the problem's rules and concessions (see the module's docstring)."""
    def in_turn(program: _Program, deadline: float) -> bool | Unsolved:
        proven: bool | None = None  # None until a first answer
        for objective in program.objectives():
            if not _has_variables(objective):
                continue  # nothing to choose (no concessions allowed, or nobody minds the thread)
            kept = program.values()
            solved = program.solve(objective, deadline)
            if isinstance(solved, Unsolved):
                if proven is None:
                    return solved
                program.restore(kept)  # out of time: the previous answer stands
                return False
            proven = solved and proven is not False
            program.hold(objective)
        return proven is not False

    return _until_packed(problem, time_limit, in_turn, seats=problem.concessions.facilitator_seats,
                         sides=problem.concessions.sides, extra_people=False)


def place_with_least(problem: Problem, least: Least, time_limit: float) -> Placement | Unsolved:
    """A placement that uses as little as it can of ``least`` (more people, facilitator seats or
    one group outside its limits), everything else as the problem allows."""
    sides = problem.concessions.sides
    if least in (Least.SMALLER, Least.LARGER) and least.value not in sides:
        sides = (*sides, least.value)
    seats = len(problem.groups) if least is Least.FACILITATOR_SEATS \
        else problem.concessions.facilitator_seats
    return _until_packed(
        problem, time_limit,
        lambda program, deadline: program.solve(program.least_objective(least), deadline),
        seats=seats, sides=sides, extra_people=least is Least.PEOPLE)


def _until_packed(problem: Problem, time_limit: float,
                  solve: Callable[[_Program, float], bool | Unsolved], *, seats: int,
                  sides: tuple[str, ...], extra_people: bool) -> Placement | Unsolved:
    """Solve, and solve again with the classes whose parties did not pack expanded."""
    deadline = time.monotonic() + time_limit
    expanded: frozenset[int] = frozenset()
    while True:
        program = _Program(problem, seats=seats, sides=sides, extra_people=extra_people,
                           expanded=expanded)
        solved = solve(program, deadline)
        if isinstance(solved, Unsolved):
            return solved
        placed = program.placement(solved)
        if isinstance(placed, Placement):
            return placed
        expanded |= placed


@dataclass(frozen=True)
class _Class:
    """Candidate groups that cannot be told apart, or one group with people locked into it."""

    groups: tuple[CandidateGroup, ...]
    locked: tuple[Party, ...] = ()

    @property
    def first(self) -> CandidateGroup:
        return self.groups[0]


class _Program:
    """The PuLP model of one problem: its variables, constraints and objectives."""

    def __init__(self, problem: Problem, *, seats: int, sides: tuple[str, ...],
                 extra_people: bool, expanded: frozenset[int]) -> None:
        import pulp  # here, not at the top: web workers that never form groups never load it

        self.pulp, self.problem = pulp, problem
        self.seats, self.sides, self.expanded = seats, sides, expanded
        self.classes = _classes(problem)
        self.parties = [party for party in problem.parties if party.lock is None]
        self.by_party: dict[int, list[Any]] = {}
        self.by_class: dict[int, list[tuple[int, Any]]] = {}
        self.model = pulp.LpProblem("groups", pulp.LpMinimize)
        self.copies: dict[int, tuple[list[Any], dict[tuple[int, int], Any], list[Any],
                                     list[Any]]] = {}
        self._class_variables(extra_people)
        self._class_constraints()
        for c in sorted(expanded):
            self._expand(c)

    def _class_variables(self, extra_people: bool) -> None:
        var, classes = self.model.add_variable, self.classes
        self.opened = [var(f"opened_{c}", int(bool(k.locked)), len(k.groups), cat="Integer")
                       for c, k in enumerate(classes)]
        larger = LARGER in self.sides
        self.joins = {(n, c): var(f"joins_{n}_{c}", cat="Binary")
                      for n, party in enumerate(self.parties) for c, k in enumerate(classes)
                      if k.first.slot in party.slots
                      and party.size <= k.first.max_size + larger}
        for (n, c), joins in self.joins.items():
            self.by_party.setdefault(n, []).append(joins)
            self.by_class.setdefault(c, []).append((n, joins))
        self.seated = [var(f"seated_{c}", 0, len(k.groups), cat="Integer")
                       for c, k in enumerate(classes)] if self.seats else []
        self.smaller = [var(f"smaller_{c}", cat="Binary") for c in range(len(classes))] \
            if SMALLER in self.sides else []
        self.larger = [var(f"larger_{c}", cat="Binary") for c in range(len(classes))] \
            if larger else []
        self.extra = [var(f"extra_{c}", 0, None, cat="Integer")
                      for c in range(len(classes))] if extra_people else []

    def _class_constraints(self) -> None:
        lp_sum, model = self.pulp.lpSum, self.model
        for n in range(len(self.parties)):
            model += lp_sum(self.by_party.get(n, [])) == 1
        for c, k in enumerate(self.classes):
            members = self._members(c)
            count = members + _at(self.seated, c)
            model += count >= k.first.min_size * self.opened[c] - _at(self.smaller, c)
            model += count <= k.first.max_size * self.opened[c] + _at(self.larger, c)
            model += members >= self.opened[c]
            if self.seated:
                model += self.seated[c] <= self.opened[c]
            if self.smaller or self.larger:
                model += _at(self.smaller, c) + _at(self.larger, c) <= self.opened[c]
        if self.seated:
            model += lp_sum(self.seated) <= self.seats
        if self.smaller or self.larger:
            model += lp_sum(self.smaller) + lp_sum(self.larger) <= 1
        # How many groups the head count allows at all, as an integer of its own: with
        # 18 people in groups of 6-8 exactly three, which the relaxation would not see.
        everyone = len(self.problem.people)
        larger, smaller = LARGER in self.sides, SMALLER in self.sides
        fewest = -(-(everyone - larger) // max((k.first.max_size for k in self.classes),
                                               default=1))
        most = None if self.extra else (everyone + smaller + self.seats) // min(
            (k.first.min_size for k in self.classes), default=1)
        groups = self.model.add_variable("groups", fewest, most, cat="Integer")
        model += groups == lp_sum(self.opened)
        # Redundant for whole numbers, but without it the relaxation opens a quarter of a
        # group for two people and promises everyone their first choice (the strong
        # form of facility location: nobody joins a class with no group open).
        for (_, c), joins in self.joins.items():
            model += joins <= self.opened[c]

    def _members(self, c: int) -> Any:
        return (sum(party.size for party in self.classes[c].locked) + _at(self.extra, c)
                + self.pulp.lpSum(self.parties[n].size * v for n, v in self.by_class.get(c, [])))

    def _expand(self, c: int) -> None:
        """Model class ``c`` group by group, so that its parties provably pack."""
        var, lp_sum, model = self.model.add_variable, self.pulp.lpSum, self.model
        k, copies = self.classes[c], range(len(self.classes[c].groups))
        low, high = k.first.min_size, k.first.max_size
        joining = [n for n, _ in self.by_class.get(c, []) if self.parties[n].size > 1]
        is_open = [var(f"open_{c}_{j}", cat="Binary") for j in copies]
        party_in = {(n, j): var(f"in_{c}_{n}_{j}", cat="Binary") for n in joining for j in copies}
        lone = [var(f"lone_{c}_{j}", 0, high + 1, cat="Integer") for j in copies]
        flags = {name: [var(f"{name}_{c}_{j}", cat="Binary") for j in copies] if whole else []
                 for name, whole in (("seat", self.seated), ("smaller", self.smaller),
                                     ("larger", self.larger))}
        self.copies[c] = (is_open, party_in, lone, flags["seat"])
        model += lp_sum(is_open) == self.opened[c]
        for n in joining:
            model += lp_sum(party_in[n, j] for j in copies) == self.joins[n, c]
        singles = lp_sum(v for n, v in self.by_class.get(c, []) if self.parties[n].size == 1)
        model += lp_sum(lone) == singles + _at(self.extra, c)
        for name, whole in (("seat", self.seated), ("smaller", self.smaller),
                            ("larger", self.larger)):
            if whole:
                model += lp_sum(flags[name]) == whole[c]
        for j in copies:
            members = lone[j] + lp_sum(self.parties[n].size * party_in[n, j] for n in joining)
            count = members + _at(flags["seat"], j)
            model += count >= low * is_open[j] - _at(flags["smaller"], j)
            model += count <= high * is_open[j] + _at(flags["larger"], j)
            model += members >= is_open[j]
            for name in ("seat", "smaller", "larger"):
                if flags[name]:
                    model += flags[name][j] <= is_open[j]
        for before, after in itertools.pairwise(copies):
            model += is_open[before] >= is_open[after]

    def objectives(self) -> Iterator[Any]:
        """The aims in turn, each held at its best while the next is solved."""
        lp_sum = self.pulp.lpSum
        concessions = lp_sum(self.seated) + lp_sum(self.smaller) + lp_sum(self.larger)
        if _has_variables(concessions):
            self.model += concessions >= self.problem.fewest_concessions()
        yield concessions
        yield self._preference_cost()
        yield self._groups_and_moves()
        # With each class's number of groups settled, evening out sizes across classes
        # is a transportation problem; left free, it made CBC search for minutes.
        for opened in self.opened:
            self.model += opened == _whole(opened)
        yield self._off_middle()

    def _preference_cost(self) -> Any:
        cost, classes = self.problem.cost, self.classes
        return self.pulp.lpSum(sum(cost(m, classes[c].first.thread)
                                   for m in self.parties[n].members) * v
                               for (n, c), v in self.joins.items())

    def _groups_and_moves(self) -> Any:
        """The fewest groups, then the fewest people away from their previous group's class."""
        class_of = {g.id: c for c, k in enumerate(self.classes) for g in k.groups}
        stays, movers = [], 0
        for n, party in enumerate(self.parties):
            for member in party.members:
                group = self.problem.previous.get(member)
                if group is not None:
                    movers += 1
                    stays.append(self.joins.get((n, class_of[group]), 0))
        return (movers + 1) * self.pulp.lpSum(self.opened) + movers - self.pulp.lpSum(stays)

    def _off_middle(self) -> Any:
        """How far class sizes are from the middle of the limits: twice the distance of each
        class's head count from the middle size times its groups (within a class,
        ``split.py`` shares people out evenly)."""
        distances = []
        for c, k in enumerate(self.classes):
            twice = 2 * (self._members(c) + _at(self.seated, c)) \
                - (k.first.min_size + k.first.max_size) * self.opened[c]
            distance = self.model.add_variable(f"off_middle_{c}", 0)
            self.model += distance >= twice
            self.model += distance >= -twice
            distances.append(distance)
        return self.pulp.lpSum(distances)

    def least_objective(self, least: Least) -> Any:
        return self.pulp.lpSum({Least.PEOPLE: self.extra, Least.FACILITATOR_SEATS: self.seated,
                                Least.SMALLER: self.smaller, Least.LARGER: self.larger}[least])

    def hold(self, objective: Any) -> None:
        """Keep ``objective`` at the value just found (integer weights: rounding is exact)."""
        self.model += objective <= round(self.pulp.value(self.model.objective) or 0)

    def solve(self, objective: Any, deadline: float) -> bool | Unsolved:
        """Solve for ``objective``: True if proven optimal, False if only the best found in time."""
        pulp = self.pulp
        self.model.setObjective(objective)
        with warnings.catch_warnings():
            # PuLP 3 warns that 4.0 will stop shipping CBC; pyproject.toml keeps PuLP below 4.
            warnings.simplefilter("ignore", DeprecationWarning)
            # One thread: CBC is then deterministic, and the machine has other work to do.
            solver = pulp.PULP_CBC_CMD(msg=False, threads=1,
                                       timeLimit=max(1.0, deadline - time.monotonic()))
        self.model.solve(solver)
        if self.model.sol_status == pulp.LpSolutionOptimal:
            return True
        if self.model.sol_status == pulp.LpSolutionIntegerFeasible:
            return False
        # Only the model's status tells "infeasible" from "no answer in time": PuLP maps
        # both to the same solution status.
        return Unsolved(proven=self.model.status == pulp.LpStatusInfeasible)

    def values(self) -> dict[str, float | None]:
        return {v.name: v.varValue for v in self.model.variables()}

    def restore(self, values: dict[str, float | None]) -> None:
        for v in self.model.variables():
            v.varValue = values[v.name]

    def placement(self, proven_best: bool) -> Placement | frozenset[int]:
        """The groups as solved, or the classes whose parties did not pack."""
        filled: list[Filled] = []
        unpacked = set()
        for c, k in enumerate(self.classes):
            joined = [n for n, v in self.by_class.get(c, []) if _on(v)]
            lone = [self.parties[n].members[0] for n in joined if self.parties[n].size == 1]
            together = [n for n in joined if self.parties[n].size > 1]
            bins = self._copies(c, together) if c in self.expanded else even_bins(
                _whole(self.opened[c]), [*k.locked, *(self.parties[n] for n in together)],
                len(lone) + _whole(_at(self.extra, c)), _whole(_at(self.seated, c)))
            if bins is None:
                unpacked.add(c)
                continue
            filled += fill(bins, [g.id for g in k.groups], lone, self.problem.previous,
                           (k.first.min_size, k.first.max_size))
        if unpacked:
            return frozenset(unpacked)
        return Placement(tuple(sorted(filled, key=lambda g: sort_key(g.group))), proven_best)

    def _copies(self, c: int, together: list[int]) -> list[Bin]:
        """The expanded class's open groups as solved, parties ``together`` where placed."""
        is_open, party_in, lone, seats = self.copies[c]
        bins = []
        for j, opened in enumerate(is_open):
            if not _on(opened):
                continue
            members = [m for n in together if _on(party_in[n, j])
                       for m in self.parties[n].members]
            seat = bool(seats) and _on(seats[j])
            bins.append(Bin(members, _whole(lone[j]), seat,
                            len(members) + _whole(lone[j]) + seat))
        return bins


def _classes(problem: Problem) -> list[_Class]:
    locked: dict[GroupId, list[Party]] = {}
    for party in problem.parties:
        if party.lock is not None:
            locked.setdefault(party.lock, []).append(party)
    alike: dict[object, list[CandidateGroup]] = {}
    for group in problem.groups.values():
        key = ("locked", group.id) if group.id in locked else (
            group.thread, group.slot, group.min_size, group.max_size)
        alike.setdefault(key, []).append(group)
    return [_Class(tuple(groups), tuple(locked.get(groups[0].id, ())))
            for groups in alike.values()]


def _has_variables(expression: Any) -> bool:
    return any(getattr(expression, "values", dict)())


def _at(variables: list[Any], i: int) -> Any:
    return variables[i] if variables else 0


def _whole(variable: Any) -> int:
    return round(variable.varValue or 0) if hasattr(variable, "varValue") else int(variable)


def _on(variable: Any) -> bool:
    return _whole(variable) == 1
