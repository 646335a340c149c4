"""What feedback says, per event, series and programme (speakers: ``events.speaker_feedback``).

Small numbers protect people: every breakdown of answers goes through
``breakdown``, which shows fewer than ``limits.FEWEST_SHOWN`` answers as a
count only. Totals are built from whole *units* that each pass that test
(an event for the evening's answers, a series for no-shows' reasons and the
follow-up), so no total minus the parts a page shows, on this page or
another, gives away a unit that was held back. Comments and CSV rows are
listed in the order of their locators, which is random, never in the order
they came in (the CSV: ``events.feedback_csv``).

Figures only: the charts are drawn by templates (``organise/_feedback_charts.html``).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session, joinedload

from events import dashboard
from events.dashboard import Dashboard, EventFigures
from events.feedback_figures import (
    OutcomeShift,
    Ratings,
    Shown,
    Tally,
    breakdown,
    pooled,
    ratings,
    shift,
    tally,
)
from events.feedback_models import (
    COME_AGAIN_LABELS,
    OBSTACLE_LABELS,
    USED_LABELS,
    FeedbackAnswers,
    FeedbackRequest,
    Outcome,
    Purpose,
    Questions,
    SeriesFeedback,
)
from events.models import (
    Event,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Series,
)


@dataclass(frozen=True)
class Comment:
    """One thing someone wrote, where, and whether they let it be quoted or shared."""

    question: str
    text: str
    event: Event | None
    quotable: bool
    shared_with_speakers: bool
    author: str | None = None


# The questions whose written answers are comments, with the words they are shown under.
COMMENT_QUESTIONS = {"worked": "What worked", "better": "What could be better",
                     "topics": "Topics for next time"}


def comments(answers: Iterable[FeedbackAnswers], questions: Iterable[str],
             named_series: set[int], with_event: bool = True) -> list[Comment]:
    """The written answers to ``questions``, the author named only on a named series."""
    found = []
    for answer in answers:
        author = None
        if answer.registration is not None and answer.event.series_id in named_series:
            author = answer.registration.person.name
        for question in questions:
            text = getattr(answer, question)
            if text:
                found.append(Comment(question, text, answer.event if with_event else None,
                                     answer.may_quote, answer.share_with_speakers, author))
    return found


@dataclass(frozen=True)
class Written:
    """A question of choices with the words people added to it."""

    tally: Tally
    comments: list[Comment]


@dataclass(frozen=True)
class EventFeedback:
    """One event: its target and turnout, who was asked and answered, its ratings."""

    figures: EventFigures
    asked: int
    responded: int
    no_show_asked: int
    no_show_answered: int
    # Names of those who have not answered, on a named series only.
    non_responders: list[str] | None
    rating: Shown[Ratings]

    @property
    def event(self) -> Event:
        return self.figures.event

    @property
    def not_responded(self) -> int:
        return max(self.asked - self.responded, 0)

    @property
    def response_rate(self) -> int | None:
        """Percentage of those asked who answered the evening's form."""
        return round(100 * self.responded / self.asked) if self.asked else None


@dataclass(frozen=True)
class Funnel:
    """From the target to the answers, for a set of events."""

    target: int | None
    rsvps: int
    attended: int
    responded: int

    @property
    def steps(self) -> list[tuple[str, int | None]]:
        return [("Target", self.target), ("RSVPs", self.rsvps), ("Attended", self.attended),
                ("Gave feedback", self.responded)]


@dataclass(frozen=True)
class FeedbackReport:
    """Everything a series' or programme's report shows of its feedback."""

    board: Dashboard
    events: list[EventFeedback]
    funnel: Funnel
    rating: Shown[Ratings]
    come_again: Shown[Tally]
    # Evening answers from events held back by the small-number rule.
    held_back: int
    shifts: list[OutcomeShift]
    comments: Shown[list[Comment]]
    comment_event: Event | None
    no_shows: Shown[Written]
    follow_up: Shown[Written]
    named: bool
    answers: list[FeedbackAnswers] = field(repr=False, default_factory=list)

    @property
    def title(self) -> str:
        return self.board.title

    @property
    def asked(self) -> int:
        return sum(row.asked for row in self.events)

    @property
    def responded(self) -> int:
        return self.funnel.responded

    @property
    def response_rate(self) -> int | None:
        return round(100 * self.responded / self.asked) if self.asked else None

    @property
    def comment_questions(self) -> list[tuple[str, str]]:
        return list(COMMENT_QUESTIONS.items())


def for_series(session: Session, series: Series, comment_event_id: int | None = None
               ) -> FeedbackReport:
    """The series' dashboard with its feedback; comments of one event if one is chosen."""
    return _report(session, dashboard.for_series(session, series), comment_event_id)


def for_programme(session: Session, programme: Programme,
                  comment_event_id: int | None = None) -> FeedbackReport:
    """The programme's dashboard with the feedback of all its events."""
    return _report(session, dashboard.for_programme(session, programme), comment_event_id)


def _asked(session: Session, event_ids: list[int]) -> Counter[tuple[int, bool]]:
    """Requests after each event by (event, whether a no-show)."""
    counts: Counter[tuple[int, bool]] = Counter()
    for event_id, status, number in session.execute(
            select(Registration.event_id, Registration.status, func.count())
            .join(FeedbackRequest, FeedbackRequest.registration_id == Registration.id)
            .where(Registration.event_id.in_(event_ids),
                   FeedbackRequest.purpose == Purpose.after_event)
            .group_by(Registration.event_id, Registration.status)):
        counts[(event_id, status == RegistrationStatus.no_show)] += number
    return counts


def _non_responders(session: Session, event_ids: list[int]) -> dict[int, list[str]]:
    """Names of those asked who have not answered, for events of named series only."""
    answered = select(FeedbackAnswers.locator).where(
        FeedbackAnswers.registration_id == Registration.id,
        FeedbackAnswers.questions == Questions.evening).exists()
    names: dict[int, list[str]] = defaultdict(list)
    for event_id, name in session.execute(
            select(Registration.event_id, Person.name)
            .join(FeedbackRequest, and_(FeedbackRequest.registration_id == Registration.id,
                                        FeedbackRequest.purpose == Purpose.after_event))
            .join(Person, Person.id == Registration.person_id)
            .join(Event, Event.id == Registration.event_id)
            .join(SeriesFeedback, SeriesFeedback.series_id == Event.series_id)
            .where(Registration.event_id.in_(event_ids), SeriesFeedback.named,
                   Registration.status != RegistrationStatus.no_show, ~answered)
            .order_by(Person.name)):
        names[event_id].append(name)
    return names


def answers_of(session: Session, event_ids: list[int]) -> list[FeedbackAnswers]:
    """Every answer given about ``event_ids``, with their self-assessments and (on named
    forms) who gave them, in the order of their locators."""
    # Joined, not "select in": those come in batches of 500 ids, one statement each.
    return list(session.execute(
        select(FeedbackAnswers).where(FeedbackAnswers.event_id.in_(event_ids))
        .options(joinedload(FeedbackAnswers.scores),
                 joinedload(FeedbackAnswers.registration).joinedload(Registration.person))
        .order_by(FeedbackAnswers.locator)).unique().scalars())


def _shifts(evening: list[FeedbackAnswers], outcomes: list[Outcome],
            titles: dict[int, str]) -> list[OutcomeShift]:
    pairs: dict[int, list[tuple[int, int]]] = defaultdict(list)
    for answer in evening:
        for score in answer.scores:
            pairs[score.outcome_id].append((score.before, score.now))
    return [OutcomeShift(outcome, titles.get(outcome.series_id, ""),
                         breakdown(len(pairs[outcome.id]),
                                   lambda outcome=outcome: shift(pairs[outcome.id])))
            for outcome in outcomes]


def _written(answers: list[FeedbackAnswers], choice: str, labels: dict[object, str],
             note: str, named: set[int]) -> Written:
    return Written(tally(labels, (getattr(answer, choice) for answer in answers)),
                   comments(answers, [note], named, with_event=False))


def grouped(answers: Iterable[FeedbackAnswers], questions: Questions,
        key: Callable[[FeedbackAnswers], object]) -> dict[object, list[FeedbackAnswers]]:
    groups: dict[object, list[FeedbackAnswers]] = defaultdict(list)
    for answer in answers:
        if answer.questions == questions:
            groups[key(answer)].append(answer)
    return groups


def series_unit(answer: FeedbackAnswers) -> object:
    """The unit no-shows' reasons and the follow-up are shown by: the series."""
    # An event without a series is its own unit.
    return answer.event.series_id or ("event", answer.event_id)


def _report(session: Session, board: Dashboard, comment_event_id: int | None
            ) -> FeedbackReport:
    events = [row.event for row in board.rows]
    ids = [event.id for event in events]
    series_ids = {event.series_id for event in events if event.series_id is not None}
    titles = {event.series_id: event.series.title for event in events
              if event.series is not None}
    named = set(session.execute(select(SeriesFeedback.series_id).where(
        SeriesFeedback.series_id.in_(series_ids), SeriesFeedback.named)).scalars())
    outcomes = list(session.execute(select(Outcome).where(Outcome.series_id.in_(series_ids))
                                    .order_by(Outcome.series_id, Outcome.position)).scalars())
    asked = _asked(session, ids)
    names = _non_responders(session, ids) if named else {}
    answers = answers_of(session, ids)
    evening = grouped(answers, Questions.evening, lambda a: a.event_id)
    no_shows = grouped(answers, Questions.no_show, lambda a: a.event_id)
    rows = []
    for figures in board.rows:
        event = figures.event
        mine = evening.get(event.id, [])
        rows.append(EventFeedback(
            figures, asked[(event.id, False)], len(mine), asked[(event.id, True)],
            len(no_shows.get(event.id, [])),
            names.get(event.id, []) if event.series_id in named else None,
            breakdown(len(mine), lambda mine=mine: ratings(mine))))
    counted = [row for row in rows if row.figures.counts_towards_totals]
    shown, held_back = pooled(evening.get(event.id, []) for event in events)
    chosen = next((event for event in events if event.id == comment_event_id), None)
    on_show = evening.get(chosen.id, []) if chosen else shown
    return FeedbackReport(
        board=board, events=rows,
        funnel=Funnel(_total_target(counted), board.total("rsvps"), board.total("attended"),
                      sum(row.responded for row in counted)),
        rating=breakdown(len(shown), lambda: ratings(shown)),
        come_again=breakdown(sum(a.come_again is not None for a in shown),
                             lambda: tally(COME_AGAIN_LABELS, (a.come_again for a in shown))),
        held_back=held_back,
        shifts=_shifts(shown, outcomes, titles),
        comments=breakdown(len(on_show), lambda: comments(on_show, COMMENT_QUESTIONS, named)),
        comment_event=chosen,
        no_shows=_pooled_written(
            grouped(answers, Questions.no_show, series_unit).values(),
            lambda kept: _written(kept, "obstacle", OBSTACLE_LABELS, "obstacle_note", named)),
        follow_up=_pooled_written(
            grouped(answers, Questions.follow_up, series_unit).values(),
            lambda kept: _written(kept, "used", USED_LABELS, "how", named)),
        named=bool(named), answers=answers)


def _total_target(rows: list[EventFeedback]) -> int | None:
    targets = [row.figures.target for row in rows if row.figures.target is not None]
    return sum(targets) if targets else None


def _pooled_written(units: Iterable[list[FeedbackAnswers]],
                    figures: Callable[[list[FeedbackAnswers]], Written]) -> Shown[Written]:
    kept, held_back = pooled(units)
    # Counted in full; what they say only from the units the rule shows.
    return Shown(len(kept) + held_back, breakdown(len(kept), lambda: figures(kept)).figures)
