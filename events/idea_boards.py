"""A programme's ideas board and what is on it: its stages, their dates, the numbers it
runs by, and the ideas themselves (whose status moves through ``events.ideas``).

A board runs in two stages that organisers open and close by date, as the
workshop the programme grew from did: first *challenges* ("what gets in your
way?"), then *ideas* for the challenges that drew most support. A board may
instead run as one list of *topics*. In each stage's window people propose
and vote for that stage's items; outside it they read, comment and offer help.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, select
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, Session, joinedload, mapped_column, relationship
from sqlalchemy.sql.elements import ColumnElement

from events import allowed_domains, limits
from events.errors import InvalidInput, NotFound
from events.models import Base, Event, Person, Programme, Series, UTCDateTime, _enum, utcnow
from events.scheduling import to_utc


class BoardMode(enum.StrEnum):
    # Challenges first, then ideas for the most supported challenges.
    staged = "staged"
    # One list of topics people would like an event about.
    topics = "topics"


class IdeaKind(enum.StrEnum):
    challenge = "challenge"
    idea = "idea"
    topic = "topic"

    @property
    def label(self) -> str:
        return self.value


class Stage(enum.StrEnum):
    """Where a board stands at a moment."""

    not_open = "not_open"
    challenges = "challenges"
    between = "between"
    ideas = "ideas"
    topics = "topics"
    closed = "closed"


class IdeaBoard(Base):
    """One programme's board (at most one per programme)."""

    __tablename__ = "idea_boards"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), unique=True)
    mode: Mapped[BoardMode] = mapped_column(_enum(BoardMode, "board_mode"),
                                            default=BoardMode.staged)
    intro: Mapped[str] = mapped_column(Text, default="")
    # The first stage (challenges, or topics): open from ``opens_at`` until
    # ``closes_at`` (open-ended when empty); not open at all without a start.
    opens_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # The second stage of a staged board: ideas for the finalist challenges.
    ideas_open_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ideas_close_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    vote_budget: Mapped[int] = mapped_column(default=limits.DEFAULT_VOTE_BUDGET)
    ready_votes: Mapped[int] = mapped_column(default=limits.DEFAULT_READY_VOTES)
    finalists: Mapped[int] = mapped_column(default=limits.DEFAULT_FINALISTS)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    programme: Mapped[Programme] = relationship(lazy="joined")

    def stage(self, now: datetime) -> Stage:
        """Which stage the board is in at ``now``."""
        if _within(self.opens_at, self.closes_at, now):
            return Stage.topics if self.mode == BoardMode.topics else Stage.challenges
        if self.mode == BoardMode.staged and _within(self.ideas_open_at, self.ideas_close_at,
                                                     now):
            return Stage.ideas
        if self.opens_at is None or now < self.opens_at:
            return Stage.not_open
        if (self.mode == BoardMode.staged and self.ideas_open_at is not None
                and now < self.ideas_open_at):
            return Stage.between
        return Stage.closed

    def open_kind(self, now: datetime) -> IdeaKind | None:
        """The kind of item people may propose and vote for at ``now``, if any."""
        return {Stage.challenges: IdeaKind.challenge, Stage.ideas: IdeaKind.idea,
                Stage.topics: IdeaKind.topic}.get(self.stage(now))

    def kinds(self) -> tuple[IdeaKind, ...]:
        """The kinds of item this board holds, in stage order."""
        if self.mode == BoardMode.topics:
            return (IdeaKind.topic,)
        return (IdeaKind.challenge, IdeaKind.idea)

    def closed_reason(self, kind: IdeaKind, now: datetime) -> str | None:
        """Why ``kind`` takes no proposals or votes at ``now``, in words; ``None`` if it does."""
        if self.open_kind(now) == kind:
            return None
        stage = self.stage(now)
        if stage == Stage.not_open:
            return "This board is not open yet."
        if stage == Stage.closed:
            return "This board is closed: thank you to everyone who took part."
        if kind == IdeaKind.challenge:
            return "The challenges stage is over; the board now collects ideas."
        return "Ideas are collected once the challenges stage is over."


def _within(start: datetime | None, end: datetime | None, now: datetime) -> bool:
    return start is not None and start <= now and (end is None or now < end)


class IdeaStatus(enum.StrEnum):
    open = "open"
    under_review = "under_review"
    ready = "ready"
    planned = "planned"
    done = "done"
    declined = "declined"
    duplicate = "duplicate"

    @property
    def label(self) -> str:
        return STATUS_LABELS[self]


STATUS_LABELS = {
    IdeaStatus.open: "Open", IdeaStatus.under_review: "Under review",
    IdeaStatus.ready: "Ready", IdeaStatus.planned: "Planned", IdeaStatus.done: "Done",
    IdeaStatus.declined: "Declined", IdeaStatus.duplicate: "Duplicate",
}
# Statuses in which an idea takes votes and offers of help.
ACTIVE = (IdeaStatus.open, IdeaStatus.under_review, IdeaStatus.ready, IdeaStatus.planned)


class Idea(Base):
    """A challenge, an idea for a challenge, or a topic, proposed by a person."""

    __tablename__ = "ideas"
    __table_args__ = (Index("ix_ideas_board_id_kind", "board_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("idea_boards.id"))
    kind: Mapped[IdeaKind] = mapped_column(_enum(IdeaKind, "idea_kind"))
    # The challenge an idea answers (ideas of a staged board only).
    challenge_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    title: Mapped[str] = mapped_column(String(limits.IDEA_TITLE_MAX))
    # Markdown, sanitised when shown (``descriptions.render_markdown``).
    body: Mapped[str] = mapped_column(Text, default="")
    proposer_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    # Otherwise the board shows the proposer's first name only.
    show_full_name: Mapped[bool] = mapped_column(default=False)
    status: Mapped[IdeaStatus] = mapped_column(_enum(IdeaStatus, "idea_status"),
                                               default=IdeaStatus.open)
    status_reason: Mapped[str] = mapped_column(Text, default="")
    status_changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # Set while this idea is a duplicate merged into another (``idea_merges``).
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("ideas.id"))
    hidden_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    hidden_reason: Mapped[str] = mapped_column(Text, default="")
    # The draft event or series made from it (``idea_drafts``).
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    board: Mapped[IdeaBoard] = relationship()
    proposer: Mapped[Person] = relationship(lazy="joined")
    challenge: Mapped[Idea | None] = relationship(remote_side=[id], foreign_keys=[challenge_id])
    merged_into: Mapped[Idea | None] = relationship(remote_side=[id],
                                                    foreign_keys=[merged_into_id])
    event: Mapped[Event | None] = relationship()
    series: Mapped[Series | None] = relationship()

    @hybrid_property
    def takes_votes(self) -> bool:
        """Whether it may be voted for and offered help (while its stage is open):
        an active status, and not hidden."""
        return self.status in ACTIVE and self.hidden_at is None

    @takes_votes.inplace.expression
    @classmethod
    def _takes_votes_expression(cls) -> ColumnElement[bool]:
        return cls.status.in_(ACTIVE) & cls.hidden_at.is_(None)

    @property
    def is_read_only(self) -> bool:
        """A merged duplicate or a hidden idea takes nothing more: no votes, help or comments."""
        return self.status == IdeaStatus.duplicate or self.hidden_at is not None

    @property
    def proposer_shown(self) -> str:
        """The proposer as the public sees them: their first name unless they chose more."""
        return self.proposer.name if self.show_full_name else first_name(self.proposer.name)


def first_name(name: str) -> str:
    """The first word of a name ("Aroha" of "Aroha Ngata")."""
    return name.split()[0] if name.split() else name



def board_for_slug(session: Session, slug: str) -> IdeaBoard:
    """The board of the programme with this slug, or ``NotFound``."""
    board = session.execute(
        select(IdeaBoard).join(IdeaBoard.programme).where(Programme.slug == slug)
        .options(joinedload(IdeaBoard.programme))
    ).scalar_one_or_none()
    if board is None:
        raise NotFound("This programme has no ideas board.")
    return board


def board_of(session: Session, programme: Programme) -> IdeaBoard | None:
    """The programme's board, if it has one."""
    return session.execute(
        select(IdeaBoard).where(IdeaBoard.programme_id == programme.id)
    ).scalar_one_or_none()


@dataclass
class BoardPlan:
    """What an organiser sets about a board; dates are wall-clock times in the programme's zone."""

    mode: str = BoardMode.staged.value
    intro: str = ""
    opens_at: datetime | None = None
    closes_at: datetime | None = None
    ideas_open_at: datetime | None = None
    ideas_close_at: datetime | None = None
    vote_budget: int | None = limits.DEFAULT_VOTE_BUDGET
    ready_votes: int | None = limits.DEFAULT_READY_VOTES
    finalists: int | None = limits.DEFAULT_FINALISTS
    allowed_domains: str = ""
    allowed_domains_label: str = ""
    allowed_domains_for_rsvps: bool = False


def save_board(session: Session, programme: Programme, plan: BoardPlan) -> IdeaBoard:
    """Open the programme's board, or change its settings and who may take part."""
    try:
        mode = BoardMode(plan.mode)
    except ValueError:
        raise InvalidInput("Choose how the board runs.", field="mode") from None
    zone = programme.timezone
    windows = {name: (to_utc(value, zone) if value is not None else None)
               for name, value in (("opens_at", plan.opens_at), ("closes_at", plan.closes_at),
                                   ("ideas_open_at", plan.ideas_open_at),
                                   ("ideas_close_at", plan.ideas_close_at))}
    _check_order(windows["opens_at"], windows["closes_at"], "closes_at")
    if mode == BoardMode.staged:
        _check_order(windows["ideas_open_at"], windows["ideas_close_at"], "ideas_close_at")
        if windows["ideas_open_at"] is not None and (
                windows["closes_at"] is None or windows["ideas_open_at"] < windows["closes_at"]):
            raise InvalidInput("The ideas stage opens once the challenges stage has closed.",
                               field="ideas_open_at")
    intro = plan.intro.strip() if isinstance(plan.intro, str) else ""
    if len(intro) > limits.BOARD_INTRO_MAX:
        raise InvalidInput(f"The introduction must be at most {limits.BOARD_INTRO_MAX} "
                           "characters.", field="intro")
    values = dict(
        mode=mode, intro=intro, **windows,
        vote_budget=limits.VOTE_BUDGET.check(plan.vote_budget, "vote_budget", "vote budget"),
        ready_votes=limits.READY_VOTES.check(plan.ready_votes, "ready_votes",
                                             "number of votes that makes an idea ready"),
        finalists=limits.FINALISTS.check(plan.finalists, "finalists",
                                         "number of challenges taken on to ideas"),
    )
    programme.allowed_domains = allowed_domains.clean_patterns(plan.allowed_domains)
    programme.allowed_domains_label = allowed_domains.clean_label(plan.allowed_domains_label)
    programme.allowed_domains_for_rsvps = bool(plan.allowed_domains_for_rsvps
                                               and programme.allowed_domains)
    board = board_of(session, programme)
    if board is None:
        board = IdeaBoard(programme=programme, **values)
        session.add(board)
    else:
        for name, value in values.items():
            setattr(board, name, value)
    session.flush()
    return board


def _check_order(start: datetime | None, end: datetime | None, field: str) -> None:
    if end is not None and start is None:
        raise InvalidInput("Set when the stage opens as well as when it closes.", field=field)
    if start is not None and end is not None and end <= start:
        raise InvalidInput("A stage must close after it opens.", field=field)
