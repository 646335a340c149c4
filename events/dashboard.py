"""Targets against results: RSVPs, waitlist and attendance per event, and their totals.

Figures are counted from registrations each time, never stored, so they
cannot drift from the roster.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session, selectinload

from events.models import (
    SEAT_HOLDING,
    Event,
    EventStatus,
    Programme,
    Registration,
    RegistrationStatus,
    Series,
)
from events.spreadsheets import csv_text

NUMBER_WORDS = ["no", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine",
                "ten", "eleven", "twelve"]


@dataclass(frozen=True)
class EventFigures:
    """One event's measure of success beside what happened."""

    event: Event
    target: int | None
    rsvps: int
    waitlist: int
    attended: int

    @property
    def counts_towards_totals(self) -> bool:
        return self.event.status != EventStatus.cancelled


@dataclass(frozen=True)
class Dashboard:
    """Figures of a programme's or series' events, and sentences that sum them up."""

    title: str
    rows: list[EventFigures]

    @property
    def counted(self) -> list[EventFigures]:
        return [row for row in self.rows if row.counts_towards_totals]

    @property
    def target(self) -> int | None:
        targets = [row.target for row in self.counted if row.target is not None]
        return round(sum(targets) / len(targets)) if targets else None

    def total(self, measure: str) -> int:
        return sum(getattr(row, measure) for row in self.counted)

    def summary(self, measure: str) -> str:
        """E.g. '185 across three events, 62 per event against a target of 3'."""
        events = len(self.counted)
        total = self.total(measure)
        if events == 0:
            return "No events yet."
        count = NUMBER_WORDS[events] if events < len(NUMBER_WORDS) else str(events)
        text = f"{total} across {count} event{'s' if events != 1 else ''}"
        if events > 1:
            text += f", {round(total / events)} per event"
        if self.target is not None:
            text += f" against a target of {self.target}"
        return text


def _figures(session: Session, events: list[Event]) -> list[EventFigures]:
    ids = [event.id for event in events]
    counts: dict[tuple[int, RegistrationStatus], int] = {}
    if ids:
        for event_id, status, number in session.execute(
            select(Registration.event_id, Registration.status, func.count())
            .where(Registration.event_id.in_(ids))
            .group_by(Registration.event_id, Registration.status)
        ):
            counts[(event_id, status)] = number
    rows = []
    for event in events:
        def count(*statuses: RegistrationStatus, of: Event = event) -> int:
            return sum(counts.get((of.id, status), 0) for status in statuses)

        rows.append(EventFigures(event, event.target, count(*SEAT_HOLDING),
                                 count(RegistrationStatus.waitlisted),
                                 count(RegistrationStatus.attended)))
    return rows


def _events(session: Session, **where: int) -> list[Event]:
    query = select(Event).where(Event.status != EventStatus.draft).options(
        selectinload(Event.series)).order_by(Event.starts_at, Event.id)
    for column, value in where.items():
        query = query.where(getattr(Event, column) == value)
    return list(session.execute(query).scalars())


def for_programme(session: Session, programme: Programme) -> Dashboard:
    """Every published, completed or cancelled event of the programme."""
    return Dashboard(programme.name, _figures(session, _events(session,
                                                               programme_id=programme.id)))


def for_series(session: Session, series: Series) -> Dashboard:
    """Every published, completed or cancelled event of the series."""
    return Dashboard(series.title, _figures(session, _events(session, series_id=series.id)))


def export_csv(dashboard: Dashboard) -> str:
    """The dashboard's rows as CSV: one line per event, then the totals."""
    rows: list[list[object]] = [
        [row.event.id, row.event.title, row.event.starts_at.isoformat(), row.event.status.value,
         row.target, row.rsvps, row.waitlist, row.attended] for row in dashboard.rows]
    rows.append(["", "total", "", "", "", dashboard.total("rsvps"), dashboard.total("waitlist"),
                 dashboard.total("attended")])
    return csv_text(["event_id", "title", "starts_at", "status", "target", "rsvps", "waitlist",
                     "attended"], rows)
