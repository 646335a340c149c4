"""Targets against results: RSVPs, waitlist and attendance per event, and their totals.

Figures are counted from registrations each time, never stored, so they
cannot drift from the roster. Averages are taken over the events that have
happened only: an event still to come has RSVPs but nobody has attended it
yet, and counting it would make every average look worse than it is.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

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
    utcnow,
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
    # Whether the event has begun (so its attendance means something).
    held: bool = False

    @property
    def counts_towards_totals(self) -> bool:
        return self.event.status != EventStatus.cancelled

    @property
    def to_come(self) -> bool:
        return self.counts_towards_totals and not self.held


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
        """The average target of the events held, which the averages are set against."""
        targets = [row.target for row in self.held if row.target is not None]
        return round(sum(targets) / len(targets)) if targets else None

    @property
    def held(self) -> list[EventFigures]:
        """The events that have happened, and were not cancelled."""
        return [row for row in self.counted if row.held]

    @property
    def to_come(self) -> list[EventFigures]:
        return [row for row in self.counted if row.to_come]

    def total(self, measure: str, rows: list[EventFigures] | None = None) -> int:
        return sum(getattr(row, measure) for row in (self.counted if rows is None else rows))

    def summary(self, measure: str) -> str:
        """Over the events held only, e.g. '62 per event across three events held (185 in
        all) against a target of 3; two still to come'."""
        held, to_come = len(self.held), len(self.to_come)
        total = self.total(measure, self.held)
        if held == 0:
            text = "No events held yet" if to_come else "No events yet"
        elif held == 1:
            text = f"{total} at the one event held"
        else:
            text = f"{round(total / held)} per event across {_number(held)} events held " \
                   f"({total} in all)"
        if held and self.target is not None:
            text += f" against a target of {self.target}"
        if to_come:
            text += f"; {_number(to_come)} still to come"
        return text + "."

    def to_come_summary(self) -> str:
        """RSVPs for the events still to come, apart from the averages: e.g. '45 RSVPs
        for two events still to come'."""
        to_come = len(self.to_come)
        if not to_come:
            return "No events to come."
        rsvps = self.total("rsvps", self.to_come)
        return (f"{rsvps} RSVP{'s' if rsvps != 1 else ''} so far for {_number(to_come)} "
                f"event{'s' if to_come != 1 else ''} still to come.")


def _number(count: int) -> str:
    return NUMBER_WORDS[count] if count < len(NUMBER_WORDS) else str(count)


def _figures(session: Session, events: list[Event],
             now: datetime | None = None) -> list[EventFigures]:
    now = now or utcnow()
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
                                 count(RegistrationStatus.attended), event.has_started(now)))
    return rows


def _events(session: Session, **where: int) -> list[Event]:
    query = select(Event).where(Event.status != EventStatus.draft).options(
        selectinload(Event.series)).order_by(Event.starts_at, Event.id)
    for column, value in where.items():
        query = query.where(getattr(Event, column) == value)
    return list(session.execute(query).scalars())


def for_programme(session: Session, programme: Programme,
                  now: datetime | None = None) -> Dashboard:
    """Every published, completed or cancelled event of the programme."""
    return Dashboard(programme.name, _figures(
        session, _events(session, programme_id=programme.id), now))


def for_series(session: Session, series: Series, now: datetime | None = None) -> Dashboard:
    """Every published, completed or cancelled event of the series."""
    return Dashboard(series.title, _figures(session, _events(session, series_id=series.id),
                                            now))


def export_csv(dashboard: Dashboard) -> str:
    """The dashboard's rows as CSV: one line per event, then the totals."""
    rows: list[list[object]] = [
        [row.event.id, row.event.title, row.event.starts_at.isoformat(), row.event.status.value,
         row.target, row.rsvps, row.waitlist, row.attended] for row in dashboard.rows]
    rows.append(["", "total", "", "", "", dashboard.total("rsvps"), dashboard.total("waitlist"),
                 dashboard.total("attended")])
    return csv_text(["event_id", "title", "starts_at", "status", "target", "rsvps", "waitlist",
                     "attended"], rows)
