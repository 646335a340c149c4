"""A world for the statement-count test that grows what the ideas board's pages list:
``size`` challenges and ``size`` ideas with votes and helpers, ``size`` comments and
helpers on the first, and merges."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import idea_merges
from events.help_offers import HelpOffer, HelpRole
from events.idea_boards import BoardMode, Idea, IdeaBoard, IdeaKind
from events.idea_comments import IdeaComment
from events.models import Person
from events.votes import Vote, VoteBudget
from webapp.extensions import db


def idea_world(session: Session, size: int) -> Any:
    from tests.test_statement_counts import world

    shared = world(session, size)
    now = datetime.now(UTC)
    board = IdeaBoard(programme=shared.programme, mode=BoardMode.staged,
                      opens_at=now - timedelta(days=1), closes_at=now + timedelta(days=7),
                      ideas_open_at=now + timedelta(days=7), vote_budget=4 * size)
    people = [Person(name=f"Voter {n} Surname", email=f"voter{n}@example.org")
              for n in range(size)]
    session.add_all([board, *people])
    session.flush()
    challenges = [Idea(board=board, kind=IdeaKind.challenge, title=f"Challenge {n}",
                       proposer=people[n]) for n in range(size)]
    answers = [Idea(board=board, kind=IdeaKind.idea, title=f"Idea {n}", proposer=people[n],
                    challenge=challenges[n]) for n in range(size)]
    session.add_all(challenges + answers)
    session.flush()
    # Rows written directly, in bulk: the pages are counted, not the voting. What a
    # page lists grows with ``size`` (ideas; the first idea's comments and helpers).
    every, first = challenges + answers, challenges[0]
    session.add_all(Vote(idea_id=idea.id, person_id=person.id, created_at=now)
                    for idea in every for person in people[:3])
    session.add_all(VoteBudget(board_id=board.id, person_id=person.id, kind=kind,
                               active_votes=size) for person in people[:3] for kind in IdeaKind)
    session.add_all(IdeaComment(idea_id=first.id, person_id=person.id, body="A comment")
                    for person in people)
    session.add_all(HelpOffer(idea_id=first.id, person_id=person.id, role=HelpRole.facilitate)
                    for person in people)
    session.add_all(HelpOffer(idea_id=idea.id, person_id=people[0].id,
                              role=HelpRole.co_host) for idea in every[1:])
    session.flush()
    for duplicate in challenges[2:4]:
        idea_merges.merge(session, duplicate, challenges[1].id)
    session.commit()
    return shared


def first_idea(w: Any) -> int:
    """The first idea of the world's board (asked in the test's app context)."""
    return db.session.scalars(select(Idea.id).order_by(Idea.id).limit(1)).one()
