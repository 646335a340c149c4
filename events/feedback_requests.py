"""Asking for feedback: after each event, a reminder the next evening, a follow-up after
the series, or by an organiser's hand.

Who is asked after an event: everyone marked attended, or, when attendance
was not taken (nobody is marked attended), everyone still confirmed; people
marked no-show get the single "what got in the way?". Each (registration,
purpose) is claimed by inserting its ``FeedbackRequest`` in the same
transaction as the e-mail, and the pair is unique, so of two workers asking
at once the database lets exactly one through (as ``events.reminders`` does
for reminders). The reminder is claimed by a guarded UPDATE of the request
(PostgreSQL rows taken with ``SKIP LOCKED``), and goes only to those whose
answers are not there, which is found by recomputing their locators: the
request itself never learns whether anyone answered (``events.feedback``).

Only events whose form is still open are looked at, so a worker that was
down, or a first deployment over years of events, asks nobody about old ones.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import Exists, func, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, aliased, selectinload

from events import feedback, feedback_settings, limits, outbox
from events.errors import NotOpen
from events.feedback_models import (
    EventFeedback,
    FeedbackAnswers,
    FeedbackRequest,
    Purpose,
    Questions,
    SeriesFeedback,
)
from events.models import Event, EventStatus, Registration, RegistrationStatus, utcnow
from events.site import Site

# Events that happened: published ones that ended, and those marked completed.
HELD = (EventStatus.published, EventStatus.completed)
REQUEST_KINDS = {Questions.evening: "feedback_request", Questions.no_show: "feedback_no_show",
                 Questions.follow_up: "feedback_follow_up"}


@dataclass(frozen=True)
class Asked:
    """What one pass queued."""

    requests: int
    reminders: int
    follow_ups: int


NOTHING_ASKED = Asked(0, 0, 0)


def run_due(session: Session, site: Site, now: datetime | None = None) -> Asked:
    """Ask, remind and follow up wherever it is due at ``now``. The caller commits;
    safe to run from several workers at once."""
    now = now or utcnow()
    return Asked(ask_due(session, now), remind_due(session, site, now),
                 follow_up_due(session, now))


def is_asked(registration: Registration, attendance_taken: bool) -> bool:
    """Whether a registration gets a request after its event (see the module's rule)."""
    if registration.status in (RegistrationStatus.attended, RegistrationStatus.no_show):
        return True
    return registration.status == RegistrationStatus.confirmed and not attendance_taken


def reminder_moment(asked_at: datetime, zone: ZoneInfo, at: time) -> datetime:
    """The next evening after ``asked_at``, at ``at`` in ``zone`` (in UTC)."""
    day = asked_at.astimezone(zone).date() + timedelta(days=1)
    return datetime.combine(day, at, tzinfo=zone).astimezone(UTC)


def _settings(session: Session, events: list[Event]
              ) -> tuple[dict[int, SeriesFeedback], dict[int, EventFeedback]]:
    series_ids = {event.series_id for event in events if event.series_id is not None}
    settings = {row.series_id: row for row in session.execute(
        select(SeriesFeedback).where(SeriesFeedback.series_id.in_(series_ids))).scalars()}
    switches = {row.event_id: row for row in session.execute(
        select(EventFeedback).where(EventFeedback.event_id.in_([e.id for e in events])))
        .scalars()}
    return settings, switches


def _settings_for(event: Event, settings: dict[int, SeriesFeedback]) -> SeriesFeedback | None:
    if event.series_id is None:
        return None
    return settings.get(event.series_id) or feedback_settings.default_settings(event.series_id)


def ask_due(session: Session, now: datetime) -> int:
    """Ask everyone due a request at ``now``, for events that ask by themselves."""
    # Started within the form's window (and the longest event); the exact end is checked below.
    earliest = now - limits.FEEDBACK_OPEN_FOR - timedelta(minutes=limits.DURATION.high)
    events = list(session.execute(
        select(Event).where(Event.status.in_(HELD), Event.starts_at <= now,
                            Event.starts_at > earliest)
        .options(selectinload(Event.programme)).order_by(Event.id)).scalars())
    settings, switches = _settings(session, events)
    due = []
    for event in events:
        series_settings = _settings_for(event, settings)
        delay = timedelta(minutes=series_settings.delay_minutes if series_settings
                          else limits.DEFAULT_FEEDBACK_DELAY)
        if (feedback_settings.asks_automatically(series_settings, switches.get(event.id))
                and event.ends_at + delay <= now < feedback.closes_at(event)):
            due.append(event)
    return _ask(session, due, settings, now)


def why_not_now(event: Event, now: datetime) -> str | None:
    """Why feedback cannot be asked for by hand at ``now``, in words; ``None`` if it can."""
    if event.status not in HELD:
        return f"A {event.status.value} event has nobody to ask for feedback."
    if not event.has_started(now):
        return "Feedback can be asked for once the event has started."
    if now >= feedback.closes_at(event):
        return "This event's feedback form has closed."
    return None


def ask_now(session: Session, event: Event, now: datetime | None = None) -> int:
    """An organiser's "send feedback requests now": everyone not yet asked, whatever the
    switches and the delay say. Returns how many were asked."""
    now = now or utcnow()
    reason = why_not_now(event, now)
    if reason is not None:
        raise NotOpen(reason)
    settings, _ = _settings(session, [event])
    return _ask(session, [event], settings, now)


@dataclass(frozen=True)
class EventRequests:
    """How an event asks for feedback, and how far it has got."""

    event: Event
    series_settings: SeriesFeedback | None
    switch: EventFeedback | None
    # When the automatic requests go (or went), and when the form closes.
    sends_at: datetime
    closes_at: datetime
    asked: int
    answered: int
    # Why "send now" is not possible, or None.
    cannot_send: str | None

    @property
    def automatic(self) -> bool:
        return feedback_settings.asks_automatically(self.series_settings, self.switch)


def status_of(session: Session, event: Event, now: datetime | None = None) -> EventRequests:
    """The event's feedback switches, timing and counts, for its organisers (reads only)."""
    now = now or utcnow()
    settings, switches = _settings(session, [event])
    series_settings = _settings_for(event, settings)
    delay = (series_settings.delay_minutes if series_settings
             else limits.DEFAULT_FEEDBACK_DELAY)
    asked = session.execute(
        select(func.count()).select_from(FeedbackRequest)
        .join(Registration, Registration.id == FeedbackRequest.registration_id)
        .where(Registration.event_id == event.id,
               FeedbackRequest.purpose == Purpose.after_event)).scalar_one()
    answered = session.execute(
        select(func.count()).select_from(FeedbackAnswers)
        .where(FeedbackAnswers.event_id == event.id,
               FeedbackAnswers.questions != Questions.follow_up)).scalar_one()
    return EventRequests(event, series_settings, switches.get(event.id),
                         event.ends_at + timedelta(minutes=delay), feedback.closes_at(event),
                         asked, answered, why_not_now(event, now))


def _attendance_taken(session: Session, events: Iterable[Event]) -> set[int]:
    """The ids of ``events`` at which anyone was marked attended."""
    return set(session.execute(
        select(Registration.event_id).where(
            Registration.event_id.in_([event.id for event in events]),
            Registration.status == RegistrationStatus.attended).distinct()).scalars())


def _not_yet_asked(session: Session, events: Iterable[Event],
                   asked: Exists) -> dict[int, list[Registration]]:
    """The places holding a seat at ``events`` for which ``asked`` does not hold, by event,
    in id order. Once everyone is asked there are none, so a worker's pass stays cheap."""
    by_event: dict[int, list[Registration]] = defaultdict(list)
    for registration in session.execute(
            select(Registration).where(
                Registration.event_id.in_([event.id for event in events]),
                Registration.holds_seat, ~asked)
            .order_by(Registration.id)).scalars():
        by_event[registration.event_id].append(registration)
    return by_event


def _ask(session: Session, events: list[Event], settings: dict[int, SeriesFeedback],
         now: datetime) -> int:
    if not events:
        return 0
    asked_already = select(FeedbackRequest.id).where(
        FeedbackRequest.registration_id == Registration.id,
        FeedbackRequest.purpose == Purpose.after_event).exists()
    waiting = _not_yet_asked(session, events, asked_already)
    taken = _attendance_taken(session, [event for event in events if waiting[event.id]])
    asked = 0
    # The messages are written together at the end, not one flush per claim.
    with session.no_autoflush:
        for event in events:
            series_settings = _settings_for(event, settings)
            remind_at = (series_settings.remind_at if series_settings
                         else limits.DEFAULT_FEEDBACK_REMINDER_AT)
            closing = feedback.closes_at(event)
            reminder = reminder_moment(now, event.programme.zone, remind_at)
            for registration in waiting[event.id]:
                if is_asked(registration, event.id in taken) and _claim(
                        session, registration.id, Purpose.after_event, now,
                        reminder if reminder < closing else None, closing):
                    _enqueue(session, registration, Purpose.after_event, closing,
                             bool(series_settings and series_settings.named))
                    asked += 1
    session.flush()
    return asked


def _claim(session: Session, registration_id: int, purpose: Purpose, now: datetime,
           remind_at: datetime | None, closes_at: datetime) -> bool:
    """Insert the (registration, purpose) request; False if another worker already did."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    return session.execute(
        insert(FeedbackRequest)
        .values(registration_id=registration_id, purpose=purpose, asked_at=now,
                remind_at=remind_at, closes_at=closes_at)
        .on_conflict_do_nothing(index_elements=["registration_id", "purpose"])
        .returning(FeedbackRequest.id)
    ).first() is not None


def _enqueue(session: Session, registration: Registration, purpose: Purpose,
             closes_at: datetime, named: bool, kind: str | None = None) -> None:
    questions = feedback.questions_for(registration, purpose)
    # Frozen facts only: the token is derived again when the e-mail is written.
    outbox.enqueue(session, kind or REQUEST_KINDS[questions], registration,
                   questions=questions.value, closes_at=closes_at.isoformat(), named=named)


def remind_due(session: Session, site: Site, now: datetime) -> int:
    """Send the one reminder to everyone asked whose reminder fell due and who has not
    answered; the reminder moment is claimed for everyone, answered or not."""
    due = select(FeedbackRequest.id).where(
        FeedbackRequest.remind_at <= now, FeedbackRequest.reminder_done_at.is_(None),
        FeedbackRequest.is_open(now)).order_by(FeedbackRequest.id)
    if session.get_bind().dialect.name == "postgresql":
        # Another worker's rows are skipped, not waited for: no deadlock, no second send.
        due = due.with_for_update(skip_locked=True)
    ids = list(session.execute(due).scalars())
    if not ids:
        return 0
    # The guard repeats the condition: on SQLite, which has no row locks, a row
    # another worker claimed in between is not claimed again.
    claimed = list(session.execute(
        update(FeedbackRequest)
        .where(FeedbackRequest.id.in_(ids), FeedbackRequest.reminder_done_at.is_(None))
        .values(reminder_done_at=now).returning(FeedbackRequest.id)
        .execution_options(synchronize_session=False)).scalars())
    requests = list(session.execute(
        select(FeedbackRequest).where(FeedbackRequest.id.in_(claimed))
        .options(selectinload(FeedbackRequest.registration).selectinload(Registration.event)
                 .selectinload(Event.series))
        .order_by(FeedbackRequest.id)).scalars())
    locators = {request.id: feedback.locator(feedback.token(site, request.registration_id),
                                             request.purpose) for request in requests}
    answered = set(session.execute(select(FeedbackAnswers.locator).where(
        FeedbackAnswers.locator.in_(locators.values()))).scalars())
    series_ids = {r.registration.event.series_id for r in requests} - {None}
    named = set(session.execute(select(SeriesFeedback.series_id).where(
        SeriesFeedback.series_id.in_(series_ids), SeriesFeedback.named)).scalars())
    reminded = 0
    for request in requests:
        event = request.registration.event
        if locators[request.id] in answered or event.status not in HELD:
            continue
        _enqueue(session, request.registration, request.purpose, request.closes_at,
                 event.series_id in named, kind="feedback_reminder")
        reminded += 1
    return reminded


def _last_events(session: Session, now: datetime) -> dict[int, list[Event]]:
    """The events of every series whose last event may be due its follow-up at ``now``."""
    window_end = now - limits.FOLLOW_UP_AFTER
    window_start = window_end - limits.FEEDBACK_OPEN_FOR - timedelta(
        minutes=limits.DURATION.high)
    last = (select(Event.series_id).where(Event.status.in_(HELD), Event.series_id.is_not(None))
            .group_by(Event.series_id)
            .having(func.max(Event.starts_at) <= window_end,
                    func.max(Event.starts_at) > window_start))
    events: dict[int, list[Event]] = defaultdict(list)
    for event in session.execute(
            select(Event).where(Event.series_id.in_(last), Event.status.in_(HELD))
            .order_by(Event.starts_at, Event.id)).scalars():
        events[event.series_id].append(event)  # type: ignore[index]
    return events


def follow_up_due(session: Session, now: datetime) -> int:
    """Ask everyone who came to a series, once, six weeks after its last event."""
    series_events = _last_events(session, now)
    if not series_events:
        return 0
    settings = {row.series_id: row for row in session.execute(
        select(SeriesFeedback).where(SeriesFeedback.series_id.in_(series_events))).scalars()}
    due = {}
    for series_id, events in series_events.items():
        last_end = max(event.ends_at for event in events)
        opens = last_end + limits.FOLLOW_UP_AFTER
        series_settings = settings.get(series_id)
        if opens <= now < opens + limits.FEEDBACK_OPEN_FOR and (
                series_settings is None or series_settings.automatic):
            due[series_id] = (events, opens + limits.FEEDBACK_OPEN_FOR)
    if not due:
        return 0
    asked = 0
    for series_id, (events, closing) in due.items():
        named = bool(settings.get(series_id) and settings[series_id].named)
        chosen = _one_place_per_person(session, events)
        with session.no_autoflush:
            for registration in chosen:
                if _claim(session, registration.id, Purpose.follow_up, now, None, closing):
                    _enqueue(session, registration, Purpose.follow_up, closing, named)
                    asked += 1
    session.flush()
    return asked


def _one_place_per_person(session: Session, events: list[Event]) -> list[Registration]:
    """For each person who came to any of a series' ``events`` (in order of time) and was
    not followed up yet, their place at the last one they came to (every worker picks
    the same)."""
    earlier = aliased(Registration)
    followed_up = (select(FeedbackRequest.id)
                   .join(earlier, earlier.id == FeedbackRequest.registration_id)
                   .where(FeedbackRequest.purpose == Purpose.follow_up,
                          earlier.person_id == Registration.person_id,
                          earlier.event_id.in_([event.id for event in events])).exists())
    waiting = _not_yet_asked(session, events, followed_up)
    taken = _attendance_taken(session, [event for event in events if waiting[event.id]])
    latest: dict[int, Registration] = {}
    for event in events:
        for registration in waiting[event.id]:
            if registration.status != RegistrationStatus.no_show and is_asked(
                    registration, event.id in taken):
                latest[registration.person_id] = registration
    return sorted(latest.values(), key=lambda registration: registration.id)
