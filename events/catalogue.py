"""What the public may see: published events, in order."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

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


def feed_events(session: Session, now: datetime | None = None,
                programme_id: int | None = None, series_id: int | None = None) -> list[Event]:
    """Events for a subscribable feed: published ones, and recently cancelled ones."""
    now = now or utcnow()
    query = (
        select(Event)
        .where(Event.status.in_(PUBLIC_STATUSES), Event.listed,
               (Event.status != EventStatus.cancelled)
               | (Event.updated_at >= now - limits.CANCELLED_KEPT_IN_FEEDS))
        .options(selectinload(Event.programme))
        .order_by(Event.starts_at, Event.id)
    )
    if programme_id is not None:
        query = query.where(Event.programme_id == programme_id)
    if series_id is not None:
        query = query.where(Event.series_id == series_id)
    return list(session.execute(query).scalars())


def programme_by_slug(session: Session, slug: str) -> Programme:
    """The programme with this slug, or ``NotFound``."""
    programme = session.execute(
        select(Programme).where(Programme.slug == slug)
    ).scalar_one_or_none()
    if programme is None:
        raise NotFound("There is no such programme.")
    return programme
