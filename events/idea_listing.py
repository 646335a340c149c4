"""What the board's pages show, each in a fixed number of queries whatever the board's size.

The public sees counts (votes, helpers, comments), never who voted for what;
a person sees their own votes and what is left of their budget; organisers see
who proposed each idea.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, case, select
from sqlalchemy.orm import Session, joinedload, selectinload

from events import help_offers, idea_comments, ideas, votes
from events.help_offers import HelpOffer
from events.idea_boards import Idea, IdeaBoard, IdeaKind, IdeaStatus, Stage
from events.idea_comments import IdeaComment
from events.idea_merges import IdeaMerge, merges_of
from events.models import Person, utcnow

SORTS = {"support": "Most support", "newest": "Newest", "helper": "Needs a helper"}
DEFAULT_SORT = "support"


@dataclass(frozen=True)
class Listed:
    """An idea with its counts."""

    idea: Idea
    votes: int
    helpers: int
    comments: int

    @property
    def needs_helper(self) -> bool:
        return self.helpers == 0 and self.idea.kind != IdeaKind.challenge


@dataclass(frozen=True)
class Mine:
    """A person's own part in a board, for their eyes only."""

    person: Person
    # Idea id -> whether the vote is still active (not returned).
    votes: dict[int, bool]
    budget_left: dict[IdeaKind, int]
    helping: set[int]


@dataclass(frozen=True)
class BoardPage:
    """The public board: its stage, and its items by kind in the order asked for."""

    board: IdeaBoard
    stage: Stage
    open_kind: IdeaKind | None
    sort: str
    sections: dict[IdeaKind, list[Listed]]
    finalists: list[Idea]
    challenge_titles: dict[int, str]
    mine: Mine | None = None


def _listed(query: Select[tuple[Idea]], sort: str) -> Select[tuple[Idea, int, int, int]]:
    count = votes.count_of(Idea.id).label("votes")
    helpers = help_offers.count_of(Idea.id).label("helpers")
    order = {
        "support": (count.desc(), Idea.created_at, Idea.id),
        "newest": (Idea.created_at.desc(), Idea.id.desc()),
        "helper": (case((helpers == 0, 0), else_=1), count.desc(), Idea.created_at, Idea.id),
    }[sort]
    return (query.add_columns(count, helpers,
                              idea_comments.count_of(Idea.id).label("comments"))
            .options(joinedload(Idea.proposer)).order_by(*order))  # type: ignore[return-value]


def clean_sort(raw: object) -> str:
    return raw if isinstance(raw, str) and raw in SORTS else DEFAULT_SORT


def mine(session: Session, board: IdeaBoard, person: Person | None) -> Mine | None:
    """The person's own votes, budget and offers on the board."""
    if person is None:
        return None
    helping = set(session.execute(
        select(HelpOffer.idea_id).join(Idea, Idea.id == HelpOffer.idea_id)
        .where(Idea.board_id == board.id, HelpOffer.person_id == person.id)).scalars())
    return Mine(person, votes.own_votes(session, board, person),
                votes.budget_left(session, board, person), helping)


def board_page(session: Session, board: IdeaBoard, sort: object = DEFAULT_SORT,
               person: Person | None = None, now: datetime | None = None) -> BoardPage:
    """Everything the public board shows: ideas that are neither hidden nor merged."""
    now = now or utcnow()
    order = clean_sort(sort)
    rows = session.execute(_listed(
        select(Idea).where(Idea.board_id == board.id, Idea.hidden_at.is_(None),
                           Idea.status != IdeaStatus.duplicate), order)).all()
    sections: dict[IdeaKind, list[Listed]] = {kind: [] for kind in board.kinds()}
    for idea, count, helpers, comments in rows:
        sections.setdefault(idea.kind, []).append(Listed(idea, count, helpers, comments))
    titles = {listed.idea.id: listed.idea.title
              for listed in sections.get(IdeaKind.challenge, [])}
    finalists = (ideas.finalist_challenges(session, board)
                 if IdeaKind.challenge in sections else [])
    return BoardPage(board, board.stage(now), board.open_kind(now), order, sections, finalists,
                     titles, mine(session, board, person))


@dataclass(frozen=True)
class IdeaPage:
    """One idea with its counts and comments."""

    listed: Listed
    comments: list[IdeaComment]
    mine: Mine | None = None
    helpers: list[HelpOffer] = field(default_factory=list)


def idea_page(session: Session, board: IdeaBoard, idea_id: int, person: Person | None = None,
              for_organisers: bool = False) -> IdeaPage:
    """One idea of the board as its page shows it (organisers also see who offers help)."""
    row = session.execute(_listed(
        select(Idea).where(Idea.id == idea_id, Idea.board_id == board.id)
        .options(selectinload(Idea.challenge), selectinload(Idea.merged_into),
                 selectinload(Idea.event), selectinload(Idea.series)), DEFAULT_SORT)).first()
    if row is None:
        ideas.idea_on_board(session, board, idea_id)  # raises NotFound
    idea, count, helpers, comments = row  # type: ignore[misc]
    return IdeaPage(Listed(idea, count, helpers, comments),
                    idea_comments.comments_on(session, idea), mine(session, board, person),
                    help_offers.helpers_of(session, idea) if for_organisers else [])


@dataclass(frozen=True)
class OrganiserBoard:
    """Every idea of the board, hidden and merged ones too, and its merges."""

    board: IdeaBoard
    items: list[Listed]
    merges: list[IdeaMerge]


def organiser_board(session: Session, board: IdeaBoard, sort: object = DEFAULT_SORT
                    ) -> OrganiserBoard:
    """What organisers see of the board."""
    rows = session.execute(_listed(
        select(Idea).where(Idea.board_id == board.id)
        .order_by(Idea.kind), clean_sort(sort))).all()
    items = [Listed(idea, count, helpers, comments) for idea, count, helpers, comments in rows]
    # The merges' ideas are among ``items`` already: showing them costs no query.
    return OrganiserBoard(board, items, merges_of(session, board.id))


def ideas_of_event(session: Session, event_id: int, series_id: int | None) -> list[Idea]:
    """The ideas an event (or its series) was made from."""
    query = select(Idea).where(Idea.event_id == event_id)
    if series_id is not None:
        query = select(Idea).where((Idea.event_id == event_id) | (Idea.series_id == series_id))
    return list(session.execute(query.options(selectinload(Idea.board)
                                              .joinedload(IdeaBoard.programme))
                                .order_by(Idea.id)).scalars())
