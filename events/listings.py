"""What the public sees of programmes and series, and the organisers' switch that shows them.

A programme or a series is a draft until its organisers publish it; until
then its page and its feed answer exactly as an unknown one does. A series
is public once it is published, in a published programme
(``Series.is_listed``), and has at least one public event: a series with
nothing published yet has nothing to show.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, contains_eager, selectinload

from events import catalogue, limits, resources
from events.discussions.models import BookDiscussion
from events.errors import NotFound
from events.models import Event, EventStatus, Programme, Role, Series, utcnow
from events.resources import Resource

Listed = TypeVar("Listed", Programme, Series)


def publish(session: Session, listed: Listed, now: datetime | None = None) -> Listed:
    """Make a programme's or a series' page and feed public (again). Publishing twice
    keeps the first date."""
    if listed.published_at is None:
        listed.published_at = now or utcnow()
        session.flush()
    return listed


def withdraw(session: Session, listed: Listed) -> Listed:
    """Take a programme's or a series' page and feed out of public view; its events'
    own pages stay as they are."""
    listed.published_at = None
    session.flush()
    return listed


def public_programme(session: Session, slug: str) -> Programme:
    """The published programme with this slug, or ``NotFound``."""
    programme = session.execute(
        select(Programme).where(Programme.slug == slug, Programme.is_published)
    ).scalar_one_or_none()
    if programme is None:
        raise NotFound("There is no such programme.")
    return programme


def published_programmes(session: Session) -> list[Programme]:
    """Every published programme, by name."""
    return list(session.execute(
        select(Programme).where(Programme.is_published).order_by(Programme.name, Programme.id)
    ).scalars())


def public_series(session: Session, series_id: int) -> Series:
    """The series with this id if the public may see it, or ``NotFound``."""
    has_public_event = select(Event.id).where(Event.series_id == Series.id,
                                              Event.is_public).exists()
    series = session.execute(
        select(Series).where(Series.id == series_id, Series.is_listed, has_public_event)
        .options(selectinload(Series.programme))
    ).scalar_one_or_none()
    if series is None:
        raise NotFound("There is no such series.")
    return series


def discussions_of(session: Session, programme: Programme) -> list[BookDiscussion]:
    """The programme's book discussions whose kick-off is public, soonest kick-off first
    (the rule ``signing_up.public_discussion`` applies to one)."""
    return list(session.execute(
        select(BookDiscussion).join(BookDiscussion.kickoff)
        .where(BookDiscussion.programme_id == programme.id,
               Event.status != EventStatus.draft)
        .options(contains_eager(BookDiscussion.kickoff))
        .order_by(Event.starts_at, BookDiscussion.id)).scalars())


@dataclass(frozen=True)
class SeriesSummary:
    """A public series as its programme's page lists it."""

    series: Series
    # Its public events, and the start of the next one still to come.
    sessions: int
    next_start: datetime | None


@dataclass(frozen=True)
class ProgrammePage:
    """Everything a programme's public page shows."""

    programme: Programme
    series: list[SeriesSummary]
    discussions: list[Any]
    upcoming: list[Event]


def programme_page(session: Session, slug: str, now: datetime | None = None) -> ProgrammePage:
    """A published programme: its public series, its discussions and its next events."""
    now = now or utcnow()
    programme = public_programme(session, slug)
    # As the home page counts it: an event that started up to 12 hours ago may be on still.
    upcoming = and_(Event.status == EventStatus.published,
                    Event.starts_at >= now - timedelta(hours=12))
    rows = session.execute(
        select(Series, func.count(Event.id), func.min(case((upcoming, Event.starts_at))))
        .join(Event, Event.series_id == Series.id)
        .where(Series.programme_id == programme.id, Series.is_listed, Event.is_public)
        .group_by(Series.id)
        .order_by(func.min(Event.starts_at), Series.id)
    ).all()
    return ProgrammePage(
        programme=programme,
        series=[SeriesSummary(series, count, next_start) for series, count, next_start in rows],
        discussions=discussions_of(session, programme),
        upcoming=catalogue.upcoming_events(session, now, limits.PROGRAMME_UPCOMING_SHOWN,
                                           programme_id=programme.id),
    )


@dataclass(frozen=True)
class SeriesEntry:
    """One event of a series' page, with what anyone may read or watch for it."""

    event: Event
    resources: list[Resource]


@dataclass(frozen=True)
class SeriesPage:
    """Everything a series' public page shows, in its events' order."""

    series: Series
    entries: list[SeriesEntry]
    # The events a sign-up for the whole series would place you at now.
    open_events: list[Event]


def series_events(session: Session, series_id: int) -> list[Event]:
    """The series' public events, soonest first."""
    return list(session.execute(
        select(Event).where(Event.series_id == series_id, Event.is_public)
        .options(selectinload(Event.roles).joinedload(Role.person))
        .order_by(Event.starts_at, Event.id)
    ).scalars())


def open_for_sign_up(events: list[Event], now: datetime) -> list[Event]:
    """Those of ``events`` that take a registration at ``now``, a seat or the waitlist."""
    return [event for event in events if event.offers_place(now)]


def series_page(session: Session, series_id: int, now: datetime | None = None) -> SeriesPage:
    """A public series: its events in order, each with its public resources, and which
    of them a sign-up for all would take."""
    now = now or utcnow()
    series = public_series(session, series_id)
    events = series_events(session, series.id)
    shown = resources.shown_publicly(session, events, now)
    return SeriesPage(
        series=series,
        entries=[SeriesEntry(event, shown[event.id]) for event in events],
        open_events=open_for_sign_up(events, now),
    )
