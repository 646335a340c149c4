"""How a series asks for feedback: its switch, timing, anonymity and outcome statements;
and an event's own switch. Anonymity and outcomes are fixed once anyone has answered."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import time

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import limits
from events.errors import InvalidInput, NotOpen
from events.feedback_models import EventFeedback, FeedbackAnswers, Outcome, SeriesFeedback
from events.models import Event, Series
from events.people import free_text


def default_settings(series_id: int) -> SeriesFeedback:
    """A series' settings before anyone changed them (not added to any session)."""
    return SeriesFeedback(series_id=series_id, automatic=True, named=False,
                          delay_minutes=limits.DEFAULT_FEEDBACK_DELAY,
                          remind_at=limits.DEFAULT_FEEDBACK_REMINDER_AT)


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
