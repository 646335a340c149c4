"""The tables of feedback: what each series asks, who was asked, and the answers kept apart.

Why they are kept apart, and from whom that protects people, is the threat model at the
top of ``events.feedback``.
"""

from __future__ import annotations

import enum
from datetime import datetime, time

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, Time, UniqueConstraint
from sqlalchemy.ext.hybrid import hybrid_method
from sqlalchemy.orm import Mapped, mapped_column, relationship

from events import limits
from events.models import Base, Event, Registration, UTCDateTime, _enum


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
