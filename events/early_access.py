"""Early access: the people who asked for an event may RSVP before everyone else.

When an event made from an idea (or in a series made from one) is published,
everyone who proposed, voted for or offered help on that idea may register at
once, while everyone else may from ``limits.EARLY_ACCESS`` (48 hours) later,
the event's ``announced_at`` (sooner for an event that starts within four days,
so that everyone else has as long as they had). They are told, once per idea, that it became an
event. Who has early access is kept as rows written at that moment, so the
RSVP's check is one indexed look-up and later votes do not jump the queue.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, UniqueConstraint, literal, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from events import idea_news, limits
from events.idea_boards import Idea
from events.models import Base, Event, UTCDateTime, utcnow
from events.people import add_once


class EarlyAccess(Base):
    """A person who may register for an event before it is announced to everyone."""

    __tablename__ = "early_access"
    __table_args__ = (UniqueConstraint("event_id", "person_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"))
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


def ideas_behind(session: Session, event: Event) -> list[Idea]:
    """The ideas the event, or its series, was made from."""
    made_from = Idea.event_id == event.id
    if event.series_id is not None:
        made_from = made_from | (Idea.series_id == event.series_id)
    return list(session.execute(select(Idea).where(made_from).order_by(Idea.id)).scalars())


def open_early(session: Session, event: Event, now: datetime | None = None) -> int:
    """The event is being published: give its ideas' people early access, announce it to
    everyone ``limits.EARLY_ACCESS`` later, and tell them; returns how many were told."""
    now = now or utcnow()
    behind = ideas_behind(session, event)
    if not behind:
        return 0
    people = idea_news.people_of([idea.id for idea in behind]).subquery()
    person_ids = session.execute(select(people.c[0])).scalars().all()
    for person_id in person_ids:
        add_once(session, EarlyAccess, event_id=event.id, person_id=person_id, created_at=now)
    if event.announced_at is None:
        # Never less time for everyone else than the early ones had: an event
        # published close to its start has a shorter early window, or none.
        event.announced_at = max(now, min(now + limits.EARLY_ACCESS,
                                          event.starts_at - limits.EARLY_ACCESS))
    session.flush()
    return sum(idea_news.tell(session, idea, idea_news.BECAME_EVENT, now, event=event)
               for idea in behind)


def has_early_access(session: Session, event_id: int, person_id: int) -> bool:
    """Whether the person may register for the event before it is announced."""
    return session.execute(select(literal(True)).where(
        EarlyAccess.event_id == event_id, EarlyAccess.person_id == person_id)).first() is not None
