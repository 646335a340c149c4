"""Forming the groups: a proposal from the confirmed sign-ups, moved and locked by hand,
formed again with the locks kept, and published only when the organiser says so.

The rules themselves (sizes, slots, wishes, locks) are ``events.grouping``'s,
solved in a child process (``solving``). Until publishing, the proposal is
only draft rows (``DraftPlacement``): nobody is told anything.

People, groups, slots and threads go to the solver under readable ids (a
person's name and e-mail, a group's name, a slot's label), so that its
explanations can be shown to the organiser as they are.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from events import limits
from events.discussions.models import (
    BookDiscussion,
    DiscussionGroup,
    DraftPlacement,
    GroupStatus,
    SignUp,
)
from events.discussions.solving import form_in_child
from events.errors import InvalidInput, NotOpen
from events.grouping import (
    LARGER,
    SMALLER,
    CandidateGroup,
    Concessions,
    Infeasible,
    Participant,
    Proposal,
    SizeException,
)
from events.models import Registration, utcnow

Solve = Callable[..., Any]
SIDES = {"": (), SMALLER: (SMALLER,), LARGER: (LARGER,), "either": (SMALLER, LARGER)}


def confirmed_sign_ups(session: Session, discussion: BookDiscussion) -> list[SignUp]:
    """The sign-ups holding a seat at the kick-off: the people to place, in sign-up order."""
    return list(session.execute(
        select(SignUp).join(Registration, SignUp.registration_id == Registration.id)
        .where(SignUp.discussion_id == discussion.id, Registration.holds_seat)
        .order_by(SignUp.id)).scalars())


def candidate_groups(session: Session, discussion: BookDiscussion) -> list[DiscussionGroup]:
    """The groups offered to the forming (before publishing), in the order they were added."""
    return list(session.execute(
        select(DiscussionGroup).where(DiscussionGroup.discussion_id == discussion.id,
                                      DiscussionGroup.status == GroupStatus.candidate)
        .order_by(DiscussionGroup.id)).scalars())


def drafts_of(session: Session, discussion: BookDiscussion) -> dict[int, DraftPlacement]:
    """The draft placements by sign-up id."""
    return {draft.sign_up_id: draft for draft in session.execute(
        select(DraftPlacement).where(DraftPlacement.discussion_id == discussion.id)).scalars()}


@dataclass(frozen=True)
class ConcessionsPlan:
    """What the organiser allows when the head count does not split: facilitators filling
    seats, and one group one under its minimum or over its maximum (with a reason)."""

    facilitator_seats: int = 0
    size_exception_reason: str = ""
    size_exception_sides: str = ""

    def concessions(self) -> Concessions:
        """The grouping's ``Concessions``, or a refusal naming the field at fault."""
        if self.facilitator_seats not in range(limits.DISCUSSION_THREADS.high
                                               * limits.DISCUSSION_SLOTS.high * 10):
            raise InvalidInput("Enter how many facilitators may fill a seat, 0 or more.",
                               field="facilitator_seats")
        sides = SIDES.get(self.size_exception_sides)
        if sides is None:
            raise InvalidInput("Choose smaller, larger or either.", field="size_exception_sides")
        exception = None
        if sides:
            exception = SizeException(self.size_exception_reason.strip(),
                                      smaller=SMALLER in sides, larger=LARGER in sides)
        return Concessions(self.facilitator_seats, exception)

    @classmethod
    def of(cls, discussion: BookDiscussion) -> ConcessionsPlan:
        return cls(discussion.facilitator_seats, discussion.size_exception_reason,
                   discussion.size_exception_sides)


class _Names:
    """Readable, unique ids for the solver, and the way back to rows."""

    def __init__(self, sign_ups: list[SignUp], groups: list[DiscussionGroup],
                 discussion: BookDiscussion) -> None:
        self.person = {s.id: f"{s.person.name} ({s.person.email})" for s in sign_ups}
        self.sign_up = {label: sign_up_id for sign_up_id, label in self.person.items()}
        self.group = {g.id: g.name for g in groups}
        self.group_id = {name: group_id for group_id, name in self.group.items()}
        self.slot = {slot.id: slot.label for slot in discussion.slots}
        self.thread = {thread.id: thread.name for thread in discussion.threads}

    def participants(self, sign_ups: list[SignUp]) -> list[Participant]:
        by_email = {s.person.email: self.person[s.id] for s in sign_ups}
        return [Participant(self.person[s.id],
                            frozenset(self.slot[i] for i in s.slot_ids if i in self.slot),
                            tuple(self.thread[i] for i in s.thread_ids if i in self.thread),
                            by_email.get(s.with_email) if s.with_email else None)
                for s in sign_ups]

    def candidates(self, groups: list[DiscussionGroup]) -> list[CandidateGroup]:
        return [CandidateGroup(g.name, self.thread[g.thread_id], self.slot[g.slot_id],
                               g.min_size, g.max_size) for g in groups]

    def placements(self, drafts: Mapping[int, DraftPlacement], *,
                   locked_only: bool) -> dict[str, str]:
        return {self.person[d.sign_up_id]: self.group[d.group_id] for d in drafts.values()
                if d.group_id in self.group and d.sign_up_id in self.person
                and (d.locked or not locked_only)}


@dataclass(frozen=True)
class Formed:
    """A forming run's outcome: the proposal now in the drafts, or why there is none."""

    proposal: Proposal | None = None
    infeasible: Infeasible | None = None
    # Sign-up ids whose group differs from the run before.
    moved: tuple[int, ...] = field(default=())


def form(session: Session, discussion: BookDiscussion, plan: ConcessionsPlan,
         now: datetime | None = None, solve: Solve = form_in_child) -> Formed:
    """Form the groups again from the confirmed sign-ups, keeping everyone locked where they
    are and, as far as the rules allow, everyone else where the last run put them.

    A proposal replaces the drafts; an infeasible head count changes nothing and
    comes back with its obstacles and remedies.
    """
    if discussion.groups_published:
        raise NotOpen("The groups are published; move people one at a time instead.")
    concessions = plan.concessions()
    sign_ups = confirmed_sign_ups(session, discussion)
    groups = candidate_groups(session, discussion)
    names = _Names(sign_ups, groups, discussion)
    drafts = drafts_of(session, discussion)
    outcome = solve(names.participants(sign_ups), names.candidates(groups),
                    names.placements(drafts, locked_only=True), concessions=concessions,
                    previous=names.placements(drafts, locked_only=False))
    if isinstance(outcome, Infeasible):
        return Formed(infeasible=outcome)
    discussion.facilitator_seats = plan.facilitator_seats
    discussion.size_exception_reason = plan.size_exception_reason.strip()
    discussion.size_exception_sides = plan.size_exception_sides
    discussion.last_formed_at = now or utcnow()
    placed = {names.sign_up[person]: names.group_id[group]
              for person, group in outcome.assignments.items()}
    moved = []
    for sign_up in sign_ups:
        draft = drafts.pop(sign_up.id, None)
        if draft is None:
            draft = DraftPlacement(discussion_id=discussion.id, sign_up_id=sign_up.id)
            session.add(draft)
        draft.previous_group_id = draft.group_id
        draft.group_id = placed[sign_up.id]
        if draft.moved:
            moved.append(sign_up.id)
    # Whoever is no longer confirmed (cancelled at the kick-off) leaves the draft.
    if drafts:
        session.execute(delete(DraftPlacement).where(
            DraftPlacement.id.in_([draft.id for draft in drafts.values()])))
    session.flush()
    return Formed(proposal=outcome, moved=tuple(moved))


def adjust(session: Session, discussion: BookDiscussion,
           wanted: Mapping[int, tuple[int | None, bool]]) -> int:
    """The organiser's hand on the draft: ``{sign_up_id: (group_id, locked)}``.

    Moving someone to another group locks them there. Nothing is checked
    against the rules here: forming again or publishing does that. Returns
    how many placements changed.
    """
    if discussion.groups_published:
        raise NotOpen("The groups are published; move people one at a time instead.")
    groups = {group.id for group in candidate_groups(session, discussion)}
    drafts = drafts_of(session, discussion)
    changed = 0
    for sign_up_id, (group_id, locked) in wanted.items():
        draft = drafts.get(sign_up_id)
        if draft is None:
            raise InvalidInput("Form the groups first; then move people between them.")
        if group_id is not None and group_id not in groups:
            raise InvalidInput("Choose one of the groups offered.", field="group")
        moved = group_id != draft.group_id
        if moved:
            draft.previous_group_id, draft.group_id = draft.group_id, group_id
        locked = (locked or moved) and group_id is not None
        changed += moved or locked != draft.locked
        draft.locked = locked
    session.flush()
    return changed


Checked = tuple[dict[int, DiscussionGroup], Infeasible | None]


def check_draft(session: Session, discussion: BookDiscussion,
                solve: Solve = form_in_child) -> Checked:
    """The draft as it stands, checked against every rule: everyone confirmed placed, in a
    slot they can make, with whoever they asked to be with, every group within its sizes.

    Returns the placement by sign-up id, and the obstacles if the draft breaks a rule.
    """
    sign_ups = confirmed_sign_ups(session, discussion)
    groups = candidate_groups(session, discussion)
    names = _Names(sign_ups, groups, discussion)
    drafts = drafts_of(session, discussion)
    missing = [s for s in sign_ups if drafts.get(s.id) is None or drafts[s.id].group_id is None]
    if missing:
        who = "person is" if len(missing) == 1 else "people are"
        raise NotOpen(f"{len(missing)} confirmed {who} not in a group yet: form the groups "
                      "again before publishing.")
    # Everyone locked where the draft has them: the solver then only checks the rules.
    fixed = names.placements(drafts, locked_only=False)
    outcome = solve(names.participants(sign_ups), names.candidates(groups), fixed,
                    concessions=ConcessionsPlan.of(discussion).concessions())
    by_id = {group.id: group for group in groups}
    placement = {s.id: by_id[drafts[s.id].group_id] for s in sign_ups}  # type: ignore[index]
    return placement, outcome if isinstance(outcome, Infeasible) else None
