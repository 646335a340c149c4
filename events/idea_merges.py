"""Merging a duplicate idea into the one it repeats, and undoing that.

The duplicate's votes and offers of help move over, each person counted once:
someone who voted for both keeps the one vote they had on the target, and the
place their second vote took in their budget comes back. The duplicate
becomes read-only, with a link to the target (status ``duplicate``, told to its
people as any status is). Ideas answering a duplicate challenge answer the
target from then on.

A merge keeps a record of everything it moved or absorbed (``MergeMove``), so
undoing it puts each vote, offer and answer back where it was and the counts
of both ideas come back exactly. An absorbed vote is given back to its voter's
budget by the merge; if they have spent that place since, undoing cannot
restore it without overspending, so it says how many it could not restore.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text, delete, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from events import help_offers, ideas, votes
from events.accounts import Account
from events.errors import InvalidInput, NotFound, NotOpen
from events.help_offers import HelpOffer, HelpRole
from events.idea_boards import Idea, IdeaStatus
from events.models import Base, Person, UTCDateTime, _enum, utcnow
from events.votes import Vote

VOTE, HELP, ANSWER = "vote", "help", "answer"


class IdeaMerge(Base):
    """A duplicate merged into its target, and how it stood before."""

    __tablename__ = "idea_merges"

    id: Mapped[int] = mapped_column(primary_key=True)
    duplicate_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    target_id: Mapped[int] = mapped_column(ForeignKey("ideas.id"), index=True)
    previous_status: Mapped[IdeaStatus] = mapped_column(_enum(IdeaStatus, "idea_status"))
    previous_reason: Mapped[str] = mapped_column(Text, default="")
    merged_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    merged_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    undone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    duplicate: Mapped[Idea] = relationship(foreign_keys=[duplicate_id])
    target: Mapped[Idea] = relationship(foreign_keys=[target_id])
    merged_by: Mapped[Account | None] = relationship()


class MergeMove(Base):
    """One vote, offer of help or answering idea that a merge moved, or absorbed."""

    __tablename__ = "idea_merge_moves"

    id: Mapped[int] = mapped_column(primary_key=True)
    merge_id: Mapped[int] = mapped_column(ForeignKey("idea_merges.id"), index=True)
    what: Mapped[str] = mapped_column(String(10))
    # The row moved to the target (a vote, an offer, an idea); None when absorbed.
    row_id: Mapped[int | None] = mapped_column()
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # The person already had one on the target: theirs was dropped, counted once.
    absorbed: Mapped[bool] = mapped_column(default=False)
    # What an absorbed row was, to put it back: when it was made, and the help offered.
    created_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    role: Mapped[str] = mapped_column(String(20), default="")


@dataclass(frozen=True)
class Undone:
    """An undone merge, and how many absorbed votes could not be restored."""

    merge: IdeaMerge
    votes_not_restored: int


def _lock_both(session: Session, first_id: int, second_id: int) -> tuple[Idea, Idea]:
    # Always in id order, so two merges of the same pair cannot deadlock.
    locked = {idea_id: ideas.lock_idea(session, idea_id)
              for idea_id in sorted((first_id, second_id))}
    return locked[first_id], locked[second_id]


def merge(session: Session, duplicate: Idea, target_id: int, by: Account | None = None,
          now: datetime | None = None) -> IdeaMerge:
    """Merge ``duplicate`` into the idea ``target_id`` of the same board and kind."""
    now = now or utcnow()
    if not target_id:
        raise InvalidInput("Choose the idea it repeats.", field="target_id")
    if target_id == duplicate.id:
        raise NotOpen("An idea cannot be merged into itself.")
    target = session.get(Idea, target_id)
    if target is None or target.board_id != duplicate.board_id:
        raise NotFound("There is no such idea on this board.")
    duplicate, target = _lock_both(session, duplicate.id, target.id)
    if duplicate.kind != target.kind:
        raise NotOpen(f"A {duplicate.kind.value} can only be merged into another "
                      f"{duplicate.kind.value}.")
    if not (duplicate.takes_votes and target.takes_votes):
        raise NotOpen("Only ideas that are still open and shown on the board can be merged.")
    record = IdeaMerge(duplicate=duplicate, target=target, previous_status=duplicate.status,
                       previous_reason=duplicate.status_reason, merged_by=by, merged_at=now)
    session.add(record)
    session.flush()
    # Told first, while the duplicate's people are still its own.
    ideas.move_status(session, duplicate, IdeaStatus.duplicate,
                      f"The same as “{target.title}”: its votes now count there.", now)
    duplicate.merged_into_id = target.id
    _move_votes(session, record, duplicate, target)
    _move_help(session, record, duplicate, target)
    answers = list(session.execute(
        select(Idea.id).where(Idea.challenge_id == duplicate.id)).scalars())
    session.add_all(MergeMove(merge_id=record.id, what=ANSWER, row_id=answer_id)
                    for answer_id in answers)
    session.execute(update(Idea).where(Idea.id.in_(answers)).values(challenge_id=target.id)
                    .execution_options(synchronize_session=False))
    session.flush()
    ideas.mark_ready_if_due(session, target, now)
    return record


def _move_votes(session: Session, record: IdeaMerge, duplicate: Idea, target: Idea) -> None:
    on_target = select(Vote.person_id).where(Vote.idea_id == target.id)
    theirs = session.execute(select(Vote).where(Vote.idea_id == duplicate.id)).scalars().all()
    already = set(session.execute(on_target).scalars())
    absorbed = [vote for vote in theirs if vote.person_id in already]
    moved = [vote for vote in theirs if vote.person_id not in already]
    session.add_all(MergeMove(merge_id=record.id, what=VOTE, person_id=vote.person_id,
                              absorbed=True, created_at=vote.created_at) for vote in absorbed)
    session.add_all(MergeMove(merge_id=record.id, what=VOTE, row_id=vote.id,
                              person_id=vote.person_id) for vote in moved)
    if absorbed:
        session.execute(delete(Vote).where(Vote.id.in_([vote.id for vote in absorbed])))
        # Counted once: their second vote's place in the budget comes back.
        votes.give_back(session, duplicate.board_id, duplicate.kind,
                        [vote.person_id for vote in absorbed])
    session.execute(update(Vote).where(Vote.id.in_([vote.id for vote in moved]))
                    .values(idea_id=target.id).execution_options(synchronize_session=False))


def _move_help(session: Session, record: IdeaMerge, duplicate: Idea, target: Idea) -> None:
    offers = session.execute(select(HelpOffer).where(HelpOffer.idea_id == duplicate.id)
                             ).scalars().all()
    already = set(session.execute(select(HelpOffer.person_id)
                                  .where(HelpOffer.idea_id == target.id)).scalars())
    for offer in offers:
        absorbed = offer.person_id in already
        session.add(MergeMove(merge_id=record.id, what=HELP, person_id=offer.person_id,
                              row_id=None if absorbed else offer.id, absorbed=absorbed,
                              created_at=offer.created_at, role=offer.role.value))
        if absorbed:
            session.delete(offer)
        else:
            offer.idea_id = target.id
    session.flush()


def merges_of(session: Session, board_id: int) -> list[IdeaMerge]:
    """The board's merges, newest first."""
    return list(session.execute(
        select(IdeaMerge).join(Idea, Idea.id == IdeaMerge.target_id)
        .where(Idea.board_id == board_id).order_by(IdeaMerge.id.desc())).scalars())


def merge_on_board(session: Session, board_id: int, merge_id: int) -> IdeaMerge:
    """One merge of the board, or ``NotFound``."""
    record = session.get(IdeaMerge, merge_id)
    if record is None or record.target.board_id != board_id:
        raise NotFound("There is no such merge on this board.")
    return record


def undo(session: Session, record: IdeaMerge, now: datetime | None = None) -> Undone:
    """Put the duplicate back as it was, with its votes, offers and answers."""
    now = now or utcnow()
    duplicate, target = _lock_both(session, record.duplicate_id, record.target_id)
    if record.undone_at is not None or duplicate.merged_into_id != target.id:
        raise NotOpen("This merge has already been undone.")
    moves = session.execute(select(MergeMove).where(MergeMove.merge_id == record.id)
                            .order_by(MergeMove.id)).scalars().all()
    back = {what: [move.row_id for move in moves if move.what == what and not move.absorbed]
            for what in (VOTE, HELP, ANSWER)}
    session.execute(update(Vote).where(Vote.id.in_(back[VOTE]), Vote.idea_id == target.id)
                    .values(idea_id=duplicate.id).execution_options(synchronize_session=False))
    session.execute(update(HelpOffer)
                    .where(HelpOffer.id.in_(back[HELP]), HelpOffer.idea_id == target.id)
                    .values(idea_id=duplicate.id).execution_options(synchronize_session=False))
    session.execute(update(Idea).where(Idea.id.in_(back[ANSWER]), Idea.challenge_id == target.id)
                    .values(challenge_id=duplicate.id)
                    .execution_options(synchronize_session=False))
    not_restored = 0
    for move in moves:
        if not move.absorbed or move.person_id is None:
            continue
        if move.what == HELP:
            help_offers.offer(session, duplicate, session.get_one(Person, move.person_id),
                              HelpRole(move.role), move.created_at)
        elif votes.take_again(session, duplicate.board, duplicate.kind, move.person_id):
            session.add(Vote(idea_id=duplicate.id, person_id=move.person_id,
                             created_at=move.created_at or now))
        else:
            not_restored += 1
    duplicate.merged_into_id = None
    ideas.move_status(session, duplicate, record.previous_status, record.previous_reason, now)
    record.undone_at = now
    session.flush()
    return Undone(record, not_restored)
