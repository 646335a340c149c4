"""What the public may see: published events, in order."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from sqlalchemy import Select, select
from sqlalchemy.orm import Session, joinedload, selectinload

from events import limits
from events.errors import NotFound
from events.models import (
    PUBLIC_STATUSES,
    Event,
    EventStatus,
    Programme,
    Role,
    utcnow,
)

T = TypeVar("T", bound=tuple[Any, ...])


def upcoming_events(session: Session, now: datetime | None = None,
                    limit: int = limits.UPCOMING_SHOWN,
                    programme_id: int | None = None) -> list[Event]:
    """Published events that have not ended yet, soonest first (of one programme, if given)."""
    now = now or utcnow()
    query = (
        select(Event)
        .where(Event.status == EventStatus.published, Event.listed,
               Event.starts_at >= now - timedelta(hours=12))
        .options(selectinload(Event.programme), selectinload(Event.series),
                 selectinload(Event.roles))
        .order_by(Event.starts_at, Event.id)
        .limit(limit)
    )
    if programme_id is not None:
        query = query.where(Event.programme_id == programme_id)
    return list(session.execute(query).scalars())


def public_event(session: Session, event_id: int) -> Event:
    """The event with this id as the public may see it, or ``NotFound``."""
    event = session.execute(
        select(Event).where(Event.id == event_id, Event.status.in_(PUBLIC_STATUSES),
                           Event.listed)
        .options(selectinload(Event.programme), selectinload(Event.series),
                 selectinload(Event.roles).joinedload(Role.person))
    ).scalar_one_or_none()
    if event is None:
        raise NotFound("There is no such event.")
    return event


def feed_outline(session: Session, now: datetime, programme_id: int | None = None,
                 series_id: int | None = None) -> list[FeedLine]:
    """A subscribable feed's events (published ones, and recently cancelled ones), in
    order, as the few columns its head needs (its time zones and its stamp) before any
    event is written."""
    query = _feed_query(select(Event.timezone, Event.starts_at, Event.duration_minutes,
                               Event.updated_at), now, programme_id, series_id)
    return [FeedLine(zone, starts_at, starts_at + timedelta(minutes=minutes), updated_at)
            for zone, starts_at, minutes, updated_at in session.execute(query)]


def feed_event_stream(session: Session, now: datetime, programme_id: int | None = None,
                      series_id: int | None = None) -> Iterator[Event]:
    """The events of ``feed_outline``, in its order, read a batch at a time: a feed of
    thousands of events never holds them all (megabytes of rows a web worker would keep)."""
    query = _feed_query(select(Event), now, programme_id, series_id).options(
        joinedload(Event.programme)).execution_options(yield_per=FEED_BATCH)
    return iter(session.execute(query).scalars())


@dataclass(frozen=True)
class FeedLine:
    """What a feed's head needs of one event."""

    timezone: str
    starts_at: datetime
    ends_at: datetime
    updated_at: datetime | None


# Events read at a time for a streamed feed.
FEED_BATCH = 200


def _feed_query(query: Select[T], now: datetime, programme_id: int | None,
                series_id: int | None) -> Select[T]:
    query = (
        query
        .where(Event.status.in_(PUBLIC_STATUSES), Event.listed,
               (Event.status != EventStatus.cancelled)
               | (Event.updated_at >= now - limits.CANCELLED_KEPT_IN_FEEDS))
        .order_by(Event.starts_at, Event.id)
    )
    if programme_id is not None:
        query = query.where(Event.programme_id == programme_id)
    if series_id is not None:
        query = query.where(Event.series_id == series_id)
    return query


def programme_by_slug(session: Session, slug: str) -> Programme:
    """The programme with this slug, or ``NotFound``."""
    programme = session.execute(
        select(Programme).where(Programme.slug == slug)
    ).scalar_one_or_none()
    if programme is None:
        raise NotFound("There is no such programme.")
    return programme
