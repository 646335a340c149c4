"""Briefing notes for guests, facilitators and presenters.

Organisers write them for a whole programme, for one series or for one
event, in Markdown (rendered and sanitised as descriptions are,
``events.descriptions``). A speaker sees every note that applies to their
event, newest first. Starting a note offers a run sheet for a 30-minute
conversation, the programmes' usual shape.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime, timedelta

from sqlalchemy import ForeignKey, Text, or_, select
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from events import limits
from events.accounts import Account
from events.errors import InvalidInput, NotFound
from events.models import Base, Event, Programme, Series, UTCDateTime, utcnow
from events.people import clean_text


class Scope(enum.StrEnum):
    """Which events a briefing is for."""

    event = "event"
    series = "series"
    programme = "programme"


class Briefing(Base):
    """Notes for the speakers of one event, of a series' events, or of a programme's."""

    __tablename__ = "briefings"

    id: Mapped[int] = mapped_column(primary_key=True)
    programme_id: Mapped[int] = mapped_column(ForeignKey("programmes.id"), index=True)
    # Set for a series' briefing (and not event_id) ...
    series_id: Mapped[int | None] = mapped_column(ForeignKey("series.id"), index=True)
    # ... or for one event's.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    body: Mapped[str] = mapped_column(Text)
    written_by_id: Mapped[int | None] = mapped_column(ForeignKey("accounts.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    programme: Mapped[Programme] = relationship()
    series: Mapped[Series | None] = relationship()
    event: Mapped[Event | None] = relationship()
    written_by: Mapped[Account | None] = relationship()

    @property
    def scope(self) -> Scope:
        if self.event_id is not None:
            return Scope.event
        return Scope.series if self.series_id is not None else Scope.programme

    def applies_to(self, event: Event) -> bool:
        """Whether the speakers of ``event`` should read this briefing: the rule, once."""
        if self.scope == Scope.event:
            return self.event_id == event.id
        if self.scope == Scope.series:
            return self.series_id is not None and self.series_id == event.series_id
        return self.programme_id == event.programme_id


# Offered when an organiser starts a briefing; Markdown as every briefing is.
RUN_SHEET = f"""\
## Before the day

- Your join link opens the room {limits.SPEAKER_JOIN_OPENS_BEFORE // timedelta(minutes=1)} \
minutes before the start; please come 15 minutes early
  for a sound and camera check with the facilitator.
- Use headphones if you can, and a quiet room with light in front of you.

## Run sheet: a 30-minute conversation

| Minutes | What | Who |
| --- | --- | --- |
| 0 to 3 | Welcome, housekeeping (recording, chat, how to ask questions) | Facilitator |
| 3 to 5 | Introducing the guest | Facilitator |
| 5 to 20 | The conversation: three or four questions agreed beforehand | Facilitator and guest |
| 20 to 28 | Questions from the audience, read out from the chat | Facilitator and guest |
| 28 to 30 | Thanks, what comes next, the feedback link | Facilitator |

## The questions we agreed

1. (first question)
2. (second question)
3. (third question)

## If something goes wrong

If the connection drops, rejoin with the same link; the facilitator keeps the conversation
going until you are back.
"""


def scope_choices(event: Event) -> list[tuple[Scope, str]]:
    """The scopes an organiser may write for from ``event``'s page, each in words."""
    choices = [(Scope.event, f"This event only ({event.title})")]
    if event.series is not None:
        choices.append((Scope.series, f"Every event of the series {event.series.title}"))
    choices.append((Scope.programme, f"Every event of {event.programme.name}"))
    return choices


def _clean_body(raw: object) -> str:
    return clean_text(raw, "body", "briefing", limits.BRIEFING_MAX, required=True)


def write_briefing(session: Session, event: Event, scope: object, body: object,
                   author: Account | None = None) -> Briefing:
    """A new briefing for ``event`` alone, for its series, or for its programme."""
    try:
        chosen = Scope(scope)
    except ValueError:
        raise InvalidInput("Choose whom the briefing is for.", field="scope") from None
    if chosen == Scope.series and event.series_id is None:
        raise InvalidInput("This event is in no series; choose the event or the programme.",
                           field="scope")
    briefing = Briefing(programme_id=event.programme_id, body=_clean_body(body),
                        written_by=author,
                        series_id=event.series_id if chosen == Scope.series else None,
                        event_id=event.id if chosen == Scope.event else None)
    session.add(briefing)
    session.flush()
    return briefing


def edit_briefing(session: Session, briefing: Briefing, body: object) -> Briefing:
    """Replace a briefing's text."""
    briefing.body = _clean_body(body)
    session.flush()
    return briefing


def delete_briefing(session: Session, briefing: Briefing) -> None:
    """Remove a briefing; speakers no longer see it."""
    session.delete(briefing)
    session.flush()


def briefing_by_id(session: Session, briefing_id: int) -> Briefing:
    """The briefing with this id, or ``NotFound``."""
    briefing = session.get(Briefing, briefing_id)
    if briefing is None:
        raise NotFound("There is no such briefing.")
    return briefing


def briefings_for(session: Session, events: Iterable[Event]) -> dict[int, list[Briefing]]:
    """The briefings that apply to each event, newest first, in one query."""
    events = list(events)
    if not events:
        return {}
    series_ids = {event.series_id for event in events if event.series_id is not None}
    # A superset in SQL (the programmes' notes that could apply); ``applies_to`` decides.
    candidates = list(session.execute(
        select(Briefing).where(
            Briefing.programme_id.in_({event.programme_id for event in events}),
            or_(Briefing.event_id.in_([event.id for event in events]),
                Briefing.event_id.is_(None) & (Briefing.series_id.is_(None)
                                               | Briefing.series_id.in_(series_ids))))
        .order_by(Briefing.updated_at.desc(), Briefing.id.desc())
    ).scalars())
    return {event.id: [briefing for briefing in candidates if briefing.applies_to(event)]
            for event in events}
