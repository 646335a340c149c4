"""Feedback after an event: the personal form, its answers, and each series' settings.

Every registration that is asked (``events.feedback_requests``) gets a
personal link, ``<registration id>-<HMAC>`` under the site's secret with the
purpose "feedback" (as join links are made in ``events.access``). The link
opens one form per purpose: the evening's questions (or, for a no-show, the
single "what got in the way?") and, six weeks after a series, the follow-up.
Opening it again shows and edits the same answers until the form closes.

Anonymity, in the manner of Indico's ``AnonymousSurveySubmission``: the
record that a registration was asked (``FeedbackRequest``) is one table, the
answers (``FeedbackAnswers``) another, and nothing in the database joins
them. An answers row is found by its *locator*, the SHA-256 of the personal
token and the purpose, and carries the event, the answers and nothing else:
no person, no registration (unless the series chose a named form), no
timestamp. Answering writes only to the answers tables, never to the
request, and sends no e-mail, so no two rows are written by the same
transaction or bear the same moment. Whether someone has answered is found
when it is needed (a reminder is due) by recomputing their locator.

What this protects, and from whom:

- Organisers, through every page, report and CSV of an anonymous series,
  see what was answered at each event, how many were asked and how many
  answered, never who answered what nor who has or has not answered. On a
  named series (the organisers' choice, fixed once anyone has answered, and
  said on the form) they see names beside answers and the names of those
  who have not answered. Every breakdown of fewer than
  ``limits.FEWEST_SHOWN`` answers shows its count only
  (``events.feedback_reports``).
- Someone with a copy of the database but not the secret key sees who was
  asked, when, and (in the outbox) who was sent a reminder, that is, who had
  not answered by then; and, apart, the answers of each event, each under a
  locator they cannot compute. No column links the two. What remains is
  inference: an event with one person asked, or an order of writing that the
  database files keep (SQLite's rowid, PostgreSQL's physical order) set
  against who was reminded, can narrow an answer down to a few people.
- Someone with the database *and* the secret key (the server, its
  administrators, a thief of both) can recompute every registration's token
  and so every locator, and link every answer to its author. Anonymity here
  is kept from the organisers and from readers of the data, not from
  whoever runs the server.
- Whoever holds a personal link (its owner, anyone they forward it to, a log
  that records request paths) can open that form, read and change it.
"""

from __future__ import annotations

import enum
import hashlib
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime, time, timedelta

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    delete,
    select,
)
from sqlalchemy import insert as insert_rows
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship, selectinload

from events import limits, signed_links
from events.errors import InvalidInput, NotFound, NotOpen
from events.models import (
    Base,
    Event,
    EventStatus,
    OutboxMessage,
    Registration,
    RegistrationStatus,
    Series,
    UTCDateTime,
    _enum,
    utcnow,
)
from events.site import Site


class Purpose(enum.StrEnum):
    """Why a registration was asked: the evening itself, or the series' follow-up."""

    after_event = "after_event"
    follow_up = "follow_up"


class Questions(enum.StrEnum):
    """Which form was answered."""

    evening = "evening"
    no_show = "no_show"
    follow_up = "follow_up"


class ComeAgain(enum.StrEnum):
    yes = "yes"
    maybe = "maybe"
    no = "no"


class Obstacle(enum.StrEnum):
    """What got in the way of a no-show."""

    work = "work"
    clash = "clash"
    forgot = "forgot"
    technical = "technical"
    other = "other"


class Used(enum.StrEnum):
    """The follow-up's "have you used or shared what you learned?"."""

    yes = "yes"
    not_yet = "not_yet"
    no = "no"


# The words each answer is shown with, on the form and in reports alike.
RATING_LABELS = {1: "Poor", 2: "Fair", 3: "Good", 4: "Very good", 5: "Excellent"}
SCORE_LABELS = {1: "Not at all", 2: "A little", 3: "Somewhat", 4: "Mostly", 5: "Completely"}
COME_AGAIN_LABELS = {ComeAgain.yes: "Yes", ComeAgain.maybe: "Maybe", ComeAgain.no: "No"}
OBSTACLE_LABELS = {
    Obstacle.work: "Work or family came first",
    Obstacle.clash: "It clashed with something else",
    Obstacle.forgot: "I forgot",
    Obstacle.technical: "I could not get into the meeting",
    Obstacle.other: "Something else",
}
USED_LABELS = {Used.yes: "Yes", Used.not_yet: "Not yet", Used.no: "No"}


class SeriesFeedback(Base):
    """How a series asks for feedback; a series without a row uses the defaults."""

    __tablename__ = "series_feedback"

    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), primary_key=True)
    # Requests go out by themselves after each event (and the follow-up after the last).
    automatic: Mapped[bool] = mapped_column(Boolean, default=True)
    # Names beside answers; changed only by ``set_named``.
    named: Mapped[bool] = mapped_column(Boolean, default=False)
    delay_minutes: Mapped[int] = mapped_column(Integer, default=limits.DEFAULT_FEEDBACK_DELAY)
    # The reminder's time of day, in the programme's zone.
    remind_at: Mapped[time] = mapped_column(Time, default=limits.DEFAULT_FEEDBACK_REMINDER_AT)


def default_settings(series_id: int) -> SeriesFeedback:
    """A series' settings before anyone changed them (not added to any session)."""
    return SeriesFeedback(series_id=series_id, automatic=True, named=False,
                          delay_minutes=limits.DEFAULT_FEEDBACK_DELAY,
                          remind_at=limits.DEFAULT_FEEDBACK_REMINDER_AT)


class Outcome(Base):
    """A statement a series sets out to make true, which participants rate themselves on."""

    __tablename__ = "feedback_outcomes"
    __table_args__ = (UniqueConstraint("series_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    series_id: Mapped[int] = mapped_column(ForeignKey("series.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    statement: Mapped[str] = mapped_column(String(limits.OUTCOME_MAX))


class EventFeedback(Base):
    """An event's own switch for automatic requests, when an organiser set one."""

    __tablename__ = "event_feedback"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    automatic: Mapped[bool] = mapped_column(Boolean, default=True)


class FeedbackRequest(Base):
    """The record that a registration was asked, written once (the unique pair is the
    claim that makes two workers ask once). Answering never touches it."""

    __tablename__ = "feedback_requests"
    __table_args__ = (UniqueConstraint("registration_id", "purpose"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(ForeignKey("registrations.id"))
    purpose: Mapped[Purpose] = mapped_column(_enum(Purpose, "feedback_purpose"))
    asked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    # When the one reminder falls due (none for a follow-up, or after closing).
    remind_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    # Set once, by the worker that handled the reminder (sent or not needed).
    reminder_done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime] = mapped_column(UTCDateTime)

    registration: Mapped[Registration] = relationship()

    @hybrid_method
    def is_open(self, now: datetime) -> bool:
        """Whether the form still takes answers at ``now``."""
        return self.closes_at > now


class FeedbackAnswers(Base):
    """One registration's answers for one purpose, under its locator.

    No person, no registration (unless named), no time: see the module's
    threat model. The locator is the key, so rows carry no counter of the
    order they came in.
    """

    __tablename__ = "feedback_answers"

    locator: Mapped[str] = mapped_column(String(64), primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    questions: Mapped[Questions] = mapped_column(_enum(Questions, "feedback_questions"))
    # Only on a named series' form.
    registration_id: Mapped[int | None] = mapped_column(ForeignKey("registrations.id"))
    rating: Mapped[int | None] = mapped_column(Integer)
    worked: Mapped[str] = mapped_column(Text, default="")
    better: Mapped[str] = mapped_column(Text, default="")
    come_again: Mapped[ComeAgain | None] = mapped_column(_enum(ComeAgain, "come_again"))
    topics: Mapped[str] = mapped_column(Text, default="")
    share_with_speakers: Mapped[bool] = mapped_column(Boolean, default=False)
    may_quote: Mapped[bool] = mapped_column(Boolean, default=False)
    obstacle: Mapped[Obstacle | None] = mapped_column(_enum(Obstacle, "feedback_obstacle"))
    obstacle_note: Mapped[str] = mapped_column(Text, default="")
    used: Mapped[Used | None] = mapped_column(_enum(Used, "feedback_used"))
    how: Mapped[str] = mapped_column(Text, default="")

    event: Mapped[Event] = relationship()
    registration: Mapped[Registration | None] = relationship()
    scores: Mapped[list[SelfAssessment]] = relationship(cascade="all, delete-orphan",
                                                        order_by="SelfAssessment.outcome_id")


class SelfAssessment(Base):
    """Where a participant puts themselves on one outcome, before the evening and now
    (a retrospective pre-test: both asked at once, on the same scale)."""

    __tablename__ = "feedback_self_assessments"

    locator: Mapped[str] = mapped_column(ForeignKey("feedback_answers.locator",
                                                    ondelete="CASCADE"), primary_key=True)
    outcome_id: Mapped[int] = mapped_column(ForeignKey("feedback_outcomes.id"),
                                            primary_key=True)
    before: Mapped[int] = mapped_column("score_before", Integer)
    now: Mapped[int] = mapped_column("score_now", Integer)


# -- Personal links -------------------------------------------------------------------

def token(site: Site, registration_id: int) -> str:
    """The registration's personal feedback token (its id, then 192 bits of HMAC)."""
    return f"{registration_id}-{signed_links.mac(site.secret_key, 'feedback', registration_id)}"


def locator(personal_token: str, purpose: Purpose) -> str:
    """Where the answers of ``purpose`` given through ``personal_token`` are kept."""
    return hashlib.sha256(f"{purpose.value}:{personal_token}".encode()).hexdigest()


def form_url(site: Site, registration_id: int, purpose: Purpose) -> str:
    """The absolute link to the registration's form of ``purpose``."""
    personal = token(site, registration_id)
    if purpose == Purpose.follow_up:
        return site.links.follow_up(personal)
    return site.links.feedback(personal)


def registration_for_token(session: Session, site: Site, personal_token: str) -> Registration:
    """The registration a feedback token belongs to, or ``NotFound``."""
    parts = signed_links.split_token(personal_token)
    registration = session.get(Registration, parts[0]) if parts else None
    if (parts is None or registration is None or not signed_links.same_mac(
            parts[1], signed_links.mac(site.secret_key, "feedback", registration.id))):
        raise NotFound("There is nothing at this address.")
    return registration


def closes_at(event: Event) -> datetime:
    """When the evening's form of ``event`` stops taking answers."""
    return event.ends_at + limits.FEEDBACK_OPEN_FOR


def questions_for(registration: Registration, purpose: Purpose) -> Questions:
    """The form a registration answers: a no-show gets the one question, whatever they
    were first sent (attendance is often marked after the request went)."""
    if purpose == Purpose.follow_up:
        return Questions.follow_up
    if registration.status == RegistrationStatus.no_show:
        return Questions.no_show
    return Questions.evening


@dataclass(frozen=True)
class Invitation:
    """What a feedback e-mail says about its form: where, until when, and how named."""

    url: str
    closes_at: datetime
    questions: Questions
    named: bool


# The outbox's kinds that carry a feedback link, and the purpose of that link.
MESSAGE_PURPOSES = {"feedback_request": Purpose.after_event,
                    "feedback_no_show": Purpose.after_event,
                    "feedback_reminder": Purpose.after_event,
                    "feedback_follow_up": Purpose.follow_up}


def invitation_for(site: Site, message: OutboxMessage) -> Invitation | None:
    """The form a feedback e-mail points to (built when it is sent: no token is stored)."""
    purpose = MESSAGE_PURPOSES.get(message.kind)
    if purpose is None or message.registration_id is None:
        return None
    context = message.context or {}
    return Invitation(form_url(site, message.registration_id, purpose),
                      datetime.fromisoformat(context["closes_at"]),
                      Questions(context["questions"]), bool(context.get("named")))


# -- Series settings ------------------------------------------------------------------

def settings_of(session: Session, series_id: int | None) -> SeriesFeedback | None:
    """The series' settings (defaults if never changed); ``None`` for an event without one."""
    if series_id is None:
        return None
    return session.get(SeriesFeedback, series_id) or default_settings(series_id)


def outcomes_of(session: Session, series_id: int | None) -> list[Outcome]:
    """The series' outcome statements, in order."""
    if series_id is None:
        return []
    return list(session.execute(select(Outcome).where(Outcome.series_id == series_id)
                                .order_by(Outcome.position)).scalars())


@dataclass(frozen=True)
class SeriesSettings:
    """A series' feedback settings as its page shows them."""

    settings: SeriesFeedback
    outcomes: list[Outcome]
    # Anyone has answered: anonymity and outcomes can no longer change.
    locked: bool


def series_settings(session: Session, series: Series) -> SeriesSettings:
    """The series' settings, outcome statements and whether they are fixed (reads only)."""
    return SeriesSettings(settings_of(session, series.id) or default_settings(series.id),
                          outcomes_of(session, series.id), has_responses(session, series.id))


def has_responses(session: Session, series_id: int) -> bool:
    """Whether anyone has answered a form of the series (its questions are then fixed)."""
    return session.execute(
        select(FeedbackAnswers.locator).join(Event, Event.id == FeedbackAnswers.event_id)
        .where(Event.series_id == series_id).limit(1)
    ).first() is not None


LOCKED = ("People have already answered this series' form, so its {} can no longer "
          "change: the answers were given on that understanding.")


def set_named(session: Session, settings: SeriesFeedback, named: bool) -> None:
    """The one way a series' form becomes named or anonymous: refused once anyone has
    answered, since they answered on the understanding the form gave them."""
    if bool(settings.named) != named and has_responses(session, settings.series_id):
        raise NotOpen(LOCKED.format("anonymity"))
    settings.named = named


@dataclass
class SettingsPlan:
    """What an organiser sets for a series' feedback."""

    automatic: bool
    named: bool
    delay_minutes: object
    remind_at: object
    outcomes: list[str] = field(default_factory=list)


def save_settings(session: Session, series: Series, plan: SettingsPlan) -> SeriesFeedback:
    """Store the series' feedback settings and outcome statements."""
    if not isinstance(plan.remind_at, time):
        raise InvalidInput("Enter the reminder's time, e.g. 19:00.", field="remind_at")
    statements = [free_text(text, f"outcome_{n}", "outcome", limits.OUTCOME_MAX)
                  for n, text in enumerate(plan.outcomes, start=1)]
    statements = [" ".join(text.split()) for text in statements if text.strip()]
    if len(statements) > limits.OUTCOMES_MAX:
        raise InvalidInput(f"State at most {limits.OUTCOMES_MAX} outcomes.", field="outcome_1")
    settings = session.get(SeriesFeedback, series.id)
    if settings is None:
        settings = default_settings(series.id)
        session.add(settings)
    settings.automatic = bool(plan.automatic)
    settings.delay_minutes = limits.FEEDBACK_DELAY.check(plan.delay_minutes, "delay_minutes",
                                                         "delay in minutes")
    settings.remind_at = plan.remind_at
    set_named(session, settings, bool(plan.named))
    current = outcomes_of(session, series.id)
    if [outcome.statement for outcome in current] != statements:
        if has_responses(session, series.id):
            raise NotOpen(LOCKED.format("outcomes"))
        for outcome in current:
            session.delete(outcome)
        session.flush()
        session.add_all(Outcome(series_id=series.id, position=n, statement=text)
                        for n, text in enumerate(statements, start=1))
    session.flush()
    return settings


def event_switch(session: Session, event_id: int) -> EventFeedback | None:
    """The event's own switch, if an organiser set one."""
    return session.get(EventFeedback, event_id)


def set_automatic(session: Session, event: Event, automatic: bool) -> EventFeedback:
    """Switch automatic requests on or off for one event, whatever its series does."""
    switch = session.get(EventFeedback, event.id)
    if switch is None:
        switch = EventFeedback(event_id=event.id)
        session.add(switch)
    switch.automatic = automatic
    session.flush()
    return switch


def asks_automatically(settings: SeriesFeedback | None, switch: EventFeedback | None) -> bool:
    """Whether requests for an event go out by themselves: its own switch decides, else
    its series'; on by default."""
    if switch is not None:
        return switch.automatic
    return settings.automatic if settings is not None else True


# -- The form -------------------------------------------------------------------------

def free_text(raw: object, field_name: str, label: str, limit: int) -> str:
    """What a person typed, trimmed; refused if too long or holding control characters."""
    text = raw.strip() if isinstance(raw, str) else ""
    # PostgreSQL refuses NUL, and no answer needs control characters.
    if any(unicodedata.category(c) == "Cc" and c not in "\n\r\t" for c in text):
        raise InvalidInput(f"The {label} contains control characters; please retype it.",
                           field=field_name)
    if len(text) > limit:
        raise InvalidInput(f"Please keep the {label} to {limit} characters.", field=field_name)
    return text


@dataclass(frozen=True)
class Form:
    """One registration's form of one purpose, as its page shows it."""

    registration: Registration
    request: FeedbackRequest
    questions: Questions
    outcomes: list[Outcome]
    named: bool
    answers: FeedbackAnswers | None
    is_open: bool

    @property
    def event(self) -> Event:
        return self.registration.event

    def score(self, outcome_id: int) -> SelfAssessment | None:
        """The answer given on one outcome, if any."""
        if self.answers is None:
            return None
        return next((s for s in self.answers.scores if s.outcome_id == outcome_id), None)


def open_form(session: Session, site: Site, personal_token: str, purpose: Purpose,
              now: datetime | None = None) -> Form:
    """The form behind a personal link, with any answers already given (reads only).

    ``NotFound`` for a wrong link or a registration never asked for this purpose.
    """
    now = now or utcnow()
    registration = registration_for_token(session, site, personal_token)
    request = session.execute(
        select(FeedbackRequest).where(FeedbackRequest.registration_id == registration.id,
                                      FeedbackRequest.purpose == purpose)
    ).scalar_one_or_none()
    if request is None:
        raise NotFound("There is nothing at this address.")
    event = registration.event
    questions = questions_for(registration, purpose)
    settings = settings_of(session, event.series_id)
    outcomes = (outcomes_of(session, event.series_id)
                if questions == Questions.evening else [])
    answers = session.execute(
        select(FeedbackAnswers).where(FeedbackAnswers.locator == locator(personal_token,
                                                                         purpose))
        .options(selectinload(FeedbackAnswers.scores))
        # Fresh after ``answer`` wrote the row with statements of its own.
        .execution_options(populate_existing=True)
    ).scalar_one_or_none()
    return Form(registration, request, questions, outcomes,
                named=settings is not None and settings.named, answers=answers,
                is_open=request.is_open(now) and event.status != EventStatus.cancelled)


@dataclass
class Answers:
    """What a participant sent, as typed; ``answer`` checks every part."""

    rating: object = None
    worked: object = ""
    better: object = ""
    come_again: object = None
    topics: object = ""
    # Outcome id → (before, now).
    scores: dict[int, tuple[object, object]] = field(default_factory=dict)
    share_with_speakers: bool = False
    may_quote: bool = False
    obstacle: object = None
    obstacle_note: object = ""
    used: object = None
    how: object = ""


def _choice(kind: type[enum.StrEnum], raw: object, field_name: str, question: str,
            required: bool = False) -> enum.StrEnum | None:
    if raw in (None, "") and not required:
        return None
    try:
        return kind(raw)
    except ValueError:
        raise InvalidInput(f"Please answer “{question}”.", field=field_name) from None


def _score(raw: object, field_name: str) -> int | None:
    if raw in (None, ""):
        return None
    return limits.RATING.check(raw, field_name, "answer")


# One self-assessment as stored: outcome id, before, now.
Score = dict[str, int]


def _evening(sent: Answers, outcomes: list[Outcome]) -> tuple[dict[str, object], list[Score]]:
    if sent.rating in (None, ""):
        raise InvalidInput("Please rate the evening from 1 to 5.", field="rating")
    values: dict[str, object] = {
        "rating": limits.RATING.check(sent.rating, "rating", "rating"),
        "worked": free_text(sent.worked, "worked", "answer", limits.FEEDBACK_TEXT_MAX),
        "better": free_text(sent.better, "better", "answer", limits.FEEDBACK_TEXT_MAX),
        "come_again": _choice(ComeAgain, sent.come_again, "come_again",
                              "Would you come again?"),
        "topics": free_text(sent.topics, "topics", "answer", limits.FEEDBACK_TEXT_MAX),
        "share_with_speakers": bool(sent.share_with_speakers),
        "may_quote": bool(sent.may_quote),
    }
    scores = []
    for outcome in outcomes:
        before, now = sent.scores.get(outcome.id, (None, None))
        before = _score(before, f"before_{outcome.id}")
        now = _score(now, f"now_{outcome.id}")
        if (before is None) != (now is None):
            raise InvalidInput("Choose both “before” and “now”, or neither.",
                               field=f"before_{outcome.id}" if before is None
                               else f"now_{outcome.id}")
        if before is not None and now is not None:
            scores.append({"outcome_id": outcome.id, "before": before, "now": now})
    return values, scores


def _checked(questions: Questions, sent: Answers,
             outcomes: list[Outcome]) -> tuple[dict[str, object], list[Score]]:
    """The columns of an answers row for ``questions``; every other answer is left empty."""
    values: dict[str, object] = {
        "rating": None, "worked": "", "better": "", "come_again": None, "topics": "",
        "share_with_speakers": False, "may_quote": False, "obstacle": None,
        "obstacle_note": "", "used": None, "how": ""}
    scores: list[Score] = []
    if questions == Questions.evening:
        evening, scores = _evening(sent, outcomes)
        values.update(evening)
    elif questions == Questions.no_show:
        values.update(
            obstacle=_choice(Obstacle, sent.obstacle, "obstacle", "What got in the way?",
                             required=True),
            obstacle_note=free_text(sent.obstacle_note, "obstacle_note", "note",
                                    limits.FEEDBACK_TEXT_MAX))
    else:
        values.update(
            used=_choice(Used, sent.used, "used",
                         "Have you used or shared what you learned?", required=True),
            how=free_text(sent.how, "how", "answer", limits.FEEDBACK_TEXT_MAX))
    return values, scores


def answer(session: Session, site: Site, personal_token: str, purpose: Purpose,
           sent: Answers, now: datetime | None = None) -> Form:
    """Store (or replace) the answers given through a personal link, while the form is open.

    One row per registration and purpose, whatever arrives at once: the row
    is an upsert on its locator, which the database holds unique, and the
    one that commits last is kept whole (its self-assessments with it).
    """
    now = now or utcnow()
    form = open_form(session, site, personal_token, purpose, now)
    if not form.is_open:
        raise NotOpen(closed_reason(form))
    values, scores = _checked(form.questions, sent, form.outcomes)
    key = locator(personal_token, purpose)
    row = {**values, "event_id": form.event.id, "questions": form.questions,
           "registration_id": form.registration.id if form.named else None}
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(FeedbackAnswers).values(locator=key, **row)
                    .on_conflict_do_update(index_elements=["locator"], set_=row))
    # The upsert holds the row's lock (PostgreSQL) or the write lock (SQLite)
    # until commit, so replacing the self-assessments cannot interleave.
    session.execute(delete(SelfAssessment).where(SelfAssessment.locator == key))
    if scores:
        session.execute(insert_rows(SelfAssessment), [{"locator": key, **s} for s in scores])
    return open_form(session, site, personal_token, purpose, now)


def closed_reason(form: Form) -> str:
    """Why a form takes no answers, in words."""
    if form.event.status == EventStatus.cancelled:
        return "This event was cancelled, so there is nothing to give feedback on."
    return "This form has closed. Thank you all the same."


def days_left(form: Form, now: datetime) -> int:
    """Whole days until the form closes (0 on its last day)."""
    return max((form.request.closes_at - now) // timedelta(days=1), 0)
