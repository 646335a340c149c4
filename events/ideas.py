"""Ideas on a board: proposing them, their status, hiding them, and finding similar ones.

An idea (a challenge, an idea for one, or a topic) moves between statuses
through ``move_status`` only. ``MOVES`` lists every allowed move and what
follows it: whether a public reason is required, whether the votes go back to
their voters' budgets (done, declined), and whether the people who proposed,
voted for or offered help on it are told (``idea_news``, once per status).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from difflib import SequenceMatcher
from typing import TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import help_offers, idea_news, limits, locking, votes
from events.errors import InvalidInput, NotFound, NotOpen
from events.idea_boards import ACTIVE, Idea, IdeaBoard, IdeaKind, IdeaStatus
from events.idea_comments import IdeaComment
from events.models import Person, utcnow
from events.people import clean_line, clean_text


@dataclass(frozen=True)
class StatusMove:
    """What moving an idea between two statuses needs and does."""

    # A reason everyone can read must be given.
    reason_required: bool = False
    # Its votes no longer count against their voters' budgets.
    returns_votes: bool = False
    # The people who proposed, voted for or offered help on it are told (once).
    tells: bool = True
    # Organisers may choose it in the status form (a duplicate comes from a merge).
    by_organiser: bool = True


def _moves() -> dict[tuple[IdeaStatus, IdeaStatus], StatusMove]:
    moves = {}
    for before in ACTIVE:
        for after in ACTIVE:
            if after != before:
                moves[before, after] = StatusMove()
        moves[before, IdeaStatus.done] = StatusMove(returns_votes=True)
        moves[before, IdeaStatus.declined] = StatusMove(reason_required=True,
                                                        returns_votes=True)
        # A merge moves the votes over first (``idea_merges``), then marks it.
        moves[before, IdeaStatus.duplicate] = StatusMove(reason_required=True,
                                                         by_organiser=False)
        # Undoing a merge puts it back as it was, quietly.
        moves[IdeaStatus.duplicate, before] = StatusMove(tells=False, by_organiser=False)
    return moves


MOVES = _moves()
# What organisers may hide from the board, each with a reason shown in its place.
Hidden = TypeVar("Hidden", Idea, IdeaComment)


def lock_idea(session: Session, idea_id: int) -> Idea:
    """Lock the idea's row for the rest of the transaction and return it fresh.

    Votes, offers of help, status changes and merges of one idea are served one
    after the other, so its counts and its "ready" mark cannot disagree.
    """
    idea = locking.lock_row(session, Idea, idea_id, {Idea.id: Idea.id})
    if idea is None:
        raise NotFound("There is no such idea on this board.")
    return idea


def idea_on_board(session: Session, board: IdeaBoard, idea_id: int) -> Idea:
    """The idea with this id on ``board``, or ``NotFound``."""
    idea = session.get(Idea, idea_id)
    if idea is None or idea.board_id != board.id:
        raise NotFound("There is no such idea on this board.")
    return idea


def move_status(session: Session, idea: Idea, to: IdeaStatus, reason: object = "",
                now: datetime | None = None) -> Idea:
    """Move ``idea`` to status ``to`` with a public ``reason``, and do what follows
    (``MOVES``): votes back to their budgets, the people concerned told once.

    The only code that assigns an idea's status. The caller holds the idea's
    lock (``lock_idea``).
    """
    now = now or utcnow()
    rule = MOVES.get((idea.status, to))
    if rule is None:
        raise NotOpen(f"An idea that is {idea.status.label.lower()} cannot become "
                      f"{to.label.lower()}.")
    text = clean_text(reason, "reason", "reason", limits.IDEA_REASON_MAX)
    if rule.reason_required and not text:
        raise InvalidInput("Say why, in words everyone on the board will read.", field="reason")
    if rule.returns_votes:
        votes.return_votes(session, idea, now)
    idea.status, idea.status_reason, idea.status_changed_at = to, text, now
    session.flush()
    if rule.tells:
        idea_news.tell(session, idea, about=to.value, now=now)
    return idea


def set_status(session: Session, idea: Idea, to: object, reason: object = "",
               now: datetime | None = None) -> Idea:
    """An organiser sets the idea's status (any move ``MOVES`` offers them)."""
    try:
        status = IdeaStatus(to)
    except ValueError:
        raise InvalidInput("Choose a status.", field="status") from None
    idea = lock_idea(session, idea.id)
    rule = MOVES.get((idea.status, status))
    if rule is not None and not rule.by_organiser:
        raise NotOpen("To mark an idea a duplicate, merge it into the idea it repeats.")
    return move_status(session, idea, status, reason, now)


def organiser_moves(idea: Idea) -> list[IdeaStatus]:
    """The statuses an organiser may choose for the idea now."""
    return [after for (before, after), rule in MOVES.items()
            if before == idea.status and rule.by_organiser]


def mark_ready_if_due(session: Session, idea: Idea, now: datetime) -> None:
    """An idea or topic with enough votes and a helper is marked ready.

    The caller holds the idea's lock, so two last votes cannot both mark it.
    """
    if idea.kind == IdeaKind.challenge or idea.status not in (IdeaStatus.open,
                                                              IdeaStatus.under_review):
        return
    count = votes.count_for(session, idea.id)
    if count >= idea.board.ready_votes and help_offers.count_for(session, idea.id) > 0:
        move_status(session, idea, IdeaStatus.ready,
                    f"It has {count} votes and someone to help run it.", now)


def finalist_challenges(session: Session, board: IdeaBoard) -> list[Idea]:
    """The challenges that drew most support, which the ideas stage asks ideas for."""
    return list(session.execute(
        select(Idea).where(Idea.board_id == board.id, Idea.kind == IdeaKind.challenge,
                           Idea.hidden_at.is_(None),
                           Idea.status.not_in((IdeaStatus.declined, IdeaStatus.duplicate)))
        .order_by(votes.count_of(Idea.id).desc(), Idea.created_at, Idea.id)
        .limit(board.finalists)
    ).scalars())


def propose(session: Session, board: IdeaBoard, person: Person, kind: object, title: object,
            body: object = "", challenge_id: int | None = None, show_full_name: bool = False,
            now: datetime | None = None) -> Idea:
    """Put a person's challenge, idea or topic on the board while its stage is open."""
    now = now or utcnow()
    try:
        idea_kind = IdeaKind(kind)
    except ValueError:
        raise InvalidInput("Choose what you are proposing.", field="kind") from None
    reason = board.closed_reason(idea_kind, now)
    if reason is not None:
        raise NotOpen(reason)
    clean_title = clean_line(title, "title", "title", limits.IDEA_TITLE_MAX, required=True)
    clean_body = clean_text(body, "body", "description", limits.IDEA_BODY_MAX)
    challenge = None
    if idea_kind == IdeaKind.idea:
        finalists = {idea.id: idea for idea in finalist_challenges(session, board)}
        challenge = finalists.get(challenge_id or 0)
        if challenge is None:
            raise InvalidInput("Choose which of the challenges your idea answers.",
                               field="challenge_id")
    idea = Idea(board=board, kind=idea_kind, challenge=challenge, title=clean_title,
                body=clean_body, proposer=person, show_full_name=bool(show_full_name),
                created_at=now)
    session.add(idea)
    session.flush()
    return idea


def hide(session: Session, item: Hidden, reason: object,
         now: datetime | None = None) -> Hidden:
    """Take an idea or a comment off the board, with a reason shown in its place."""
    text = clean_text(reason, "reason", "reason", limits.IDEA_REASON_MAX, required=True)
    item.hidden_at, item.hidden_reason = now or utcnow(), text
    session.flush()
    return item


def unhide(session: Session, item: Hidden) -> Hidden:
    """Put a hidden idea or comment back on the board."""
    item.hidden_at, item.hidden_reason = None, ""
    session.flush()
    return item


# Similar ideas -------------------------------------------------------------

_WORD = re.compile(r"[^\W\d_]{3,}")
_COMMON = frozenset({
    "the", "and", "for", "with", "that", "this", "from", "have", "has", "are", "was", "were",
    "our", "your", "their", "they", "them", "what", "when", "where", "which", "who", "how",
    "why", "can", "could", "would", "should", "will", "about", "into", "more", "most", "some",
    "any", "all", "not", "but", "get", "gets", "got", "out", "its", "very", "just", "also",
    "than", "then", "there", "here", "being", "been", "need", "needs", "way", "ways", "make",
    "makes", "made", "use", "using", "used"
})
# Similar enough to show: shares most words, or a title much like it.
SIMILAR_ENOUGH = 0.5


def _stem(word: str) -> str:
    for ending in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


def _words(text: str) -> set[str]:
    return {_stem(word) for word in _WORD.findall(text.lower()) if word not in _COMMON}


def similarity(title: str, body: str, idea: Idea) -> float:
    """How alike a proposal and an idea are, from 0 to 1: the share of the proposal's
    title words the idea uses, or how alike the two titles read."""
    asked = _words(title) or _words(body)
    if not asked:
        return 0.0
    theirs = _words(idea.title) | _words(idea.body[:2000])
    shared = len(asked & theirs) / len(asked)
    alike = SequenceMatcher(None, title.lower().strip(), idea.title.lower()).ratio()
    return max(shared, alike)


def similar_ideas(session: Session, board: IdeaBoard, title: object, body: object = "",
                  limit: int = limits.SIMILAR_SHOWN) -> list[Idea]:
    """Ideas already on the board that look like the one being proposed, most alike first,
    so people vote for those instead of posting a duplicate."""
    title_text = title if isinstance(title, str) else ""
    body_text = body if isinstance(body, str) else ""
    if not (title_text.strip() or body_text.strip()):
        return []
    candidates = session.execute(
        select(Idea).where(Idea.board_id == board.id, Idea.hidden_at.is_(None),
                           Idea.status != IdeaStatus.duplicate)
    ).scalars().all()
    scored = sorted(((similarity(title_text, body_text, idea), idea.id, idea)
                     for idea in candidates), key=lambda row: (-row[0], row[1]))
    return [idea for score, _, idea in scored if score >= SIMILAR_ENOUGH][:limit]
