"""Votes on a board: one per person per idea, within a budget per board, withdrawable.

Both rules are the database's to keep, as seats are:

- one vote per person per idea is the unique (idea, person) pair; a repeat
  inserts nothing (``ON CONFLICT DO NOTHING``), however many arrive at once;
- a person's budget is a counter row per (board, person, stage) that only
  moves through a guarded ``UPDATE … SET active_votes = active_votes + 1
  WHERE active_votes < budget``, so concurrent votes cannot overspend it.

The budget counts *active* votes: a withdrawn vote is gone, and the votes of
an idea that is done or declined are returned (``return_votes``): they still
count for the idea, not against their voters. Challenges and ideas are voted
on in different stages, each with the board's budget (as Decidim gives each
step of a process its own vote limit). Whom a person voted for is never shown
to anyone else: pages get counts, and a person's own votes only for themselves.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from sqlalchemy import CheckConstraint, ForeignKey, UniqueConstraint, delete, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column
from sqlalchemy.sql.elements import ColumnElement

from events.errors import NotOpen
from events.idea_boards import Idea, IdeaBoard, IdeaKind
from events.models import Base, Person, UTCDateTime, _enum, utcnow
from events.people import add_once


class Vote(Base):
    """One person's vote for one idea."""

    __tablename__ = "votes"
    __table_args__ = (UniqueConstraint("idea_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    idea_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Set when the idea was done or declined: the vote still counts for the
    # idea, no longer against the voter's budget.
    returned_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class VoteBudget(Base):
    """How many active votes a person holds in one stage of a board: a guarded counter."""

    __tablename__ = "vote_budgets"
    __table_args__ = (UniqueConstraint("board_id", "person_id", "kind"),
                      CheckConstraint("active_votes >= 0", name="active_votes_not_negative"))

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("idea_boards.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    # The kind of item these votes are for: each stage has its own budget.
    kind: Mapped[IdeaKind] = mapped_column(_enum(IdeaKind, "idea_kind"))
    active_votes: Mapped[int] = mapped_column(default=0)


def count_of(idea_id: Any) -> ColumnElement[int]:
    """The number of votes for the idea whose id is ``idea_id`` (a column), in SQL."""
    return (select(func.count(Vote.id)).where(Vote.idea_id == idea_id)
            .correlate_except(Vote).scalar_subquery())


def count_for(session: Session, idea_id: int) -> int:
    """The number of votes for one idea."""
    return session.execute(select(count_of(idea_id))).scalar_one()


def _budget_row(board_id: int, person_id: int, kind: IdeaKind) -> tuple[Any, ...]:
    return (VoteBudget.board_id == board_id, VoteBudget.person_id == person_id,
            VoteBudget.kind == kind)


def cast(session: Session, idea: Idea, person: Person, now: datetime | None = None) -> bool:
    """Record the person's vote for ``idea`` within their budget; False if they had voted.

    Refuses (``NotOpen``) when the budget is spent; the caller rolls back, so
    nothing of the vote stays.
    """
    if not add_once(session, Vote, idea_id=idea.id, person_id=person.id,
                    created_at=now or utcnow()):
        return False
    add_once(session, VoteBudget, board_id=idea.board_id, person_id=person.id, kind=idea.kind,
             active_votes=0)
    budget = idea.board.vote_budget
    spent = session.execute(
        update(VoteBudget).where(*_budget_row(idea.board_id, person.id, idea.kind),
                                 VoteBudget.active_votes < budget)
        .values(active_votes=VoteBudget.active_votes + 1)
        .execution_options(synchronize_session=False))
    if not spent.rowcount:
        raise NotOpen(f"You have used all {budget} of your votes for {idea.kind.value}s on "
                      "this board. Withdraw one of them to vote for this.")
    return True


def withdraw(session: Session, idea: Idea, person: Person) -> bool:
    """Take the person's vote back and free its place in their budget; False if none."""
    removed = session.execute(delete(Vote).where(
        Vote.idea_id == idea.id, Vote.person_id == person.id, Vote.returned_at.is_(None)))
    if not removed.rowcount:
        return False
    give_back(session, idea.board_id, idea.kind, [person.id])
    return True


def give_back(session: Session, board_id: int, kind: IdeaKind, person_ids: Iterable[int] | Any,
              ) -> None:
    """Free one vote's place in the budget of each of ``person_ids`` (a list or a SELECT)."""
    session.execute(
        update(VoteBudget).where(VoteBudget.board_id == board_id, VoteBudget.kind == kind,
                                 VoteBudget.person_id.in_(person_ids),
                                 VoteBudget.active_votes > 0)
        .values(active_votes=VoteBudget.active_votes - 1)
        .execution_options(synchronize_session=False))


def take_again(session: Session, board: IdeaBoard, kind: IdeaKind, person_id: int) -> bool:
    """Take one place in the person's budget again if it has one free (undoing a merge)."""
    add_once(session, VoteBudget, board_id=board.id, person_id=person_id, kind=kind,
             active_votes=0)
    return bool(session.execute(
        update(VoteBudget).where(*_budget_row(board.id, person_id, kind),
                                 VoteBudget.active_votes < board.vote_budget)
        .values(active_votes=VoteBudget.active_votes + 1)
        .execution_options(synchronize_session=False)).rowcount)


def return_votes(session: Session, idea: Idea, now: datetime) -> None:
    """The idea is done or declined: its active votes go back to their voters' budgets
    (and keep counting for the idea)."""
    active = select(Vote.person_id).where(Vote.idea_id == idea.id, Vote.returned_at.is_(None))
    give_back(session, idea.board_id, idea.kind, active)
    session.execute(update(Vote).where(Vote.idea_id == idea.id, Vote.returned_at.is_(None))
                    .values(returned_at=now).execution_options(synchronize_session=False))


def budget_left(session: Session, board: IdeaBoard, person: Person) -> dict[IdeaKind, int]:
    """How many more votes the person may give, per kind of item on the board."""
    spent = {kind: count for kind, count in session.execute(
        select(VoteBudget.kind, VoteBudget.active_votes)
        .where(VoteBudget.board_id == board.id, VoteBudget.person_id == person.id))}
    return {kind: max(board.vote_budget - spent.get(kind, 0), 0) for kind in board.kinds()}


def own_votes(session: Session, board: IdeaBoard, person: Person) -> dict[int, bool]:
    """The ideas of ``board`` the person voted for, each with whether the vote is active.

    For the person's own eyes only.
    """
    return {idea_id: active for idea_id, active in session.execute(
        select(Vote.idea_id, Vote.returned_at.is_(None)).join(Idea, Idea.id == Vote.idea_id)
        .where(Idea.board_id == board.id, Vote.person_id == person.id))}
