"""Who is coming and who came: the roster, marking attendance, and its CSV.

Attendance read from a meeting platform's report is in ``events/attendance_import.py``.

The roster is read a page at a time (``roster_page``), in the same few statements for
twenty people or two thousand: counts by status, the head of the waitlist, and one page
of the chosen list and search. Changes to many people, or taking a place away, can be
planned first (``plan_mark``, ``plan_removal``) for the page that asks to confirm them.
Attendance is recorded only once the event has begun (``Event.records_attendance``).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session, contains_eager

from events import booking, limits, registrations
from events.errors import InvalidInput, NotFound, NotOpen
from events.locking import lock_event
from events.models import (
    SEAT_HOLDING,
    Event,
    Person,
    Registration,
    RegistrationStatus,
    utcnow,
)
from events.spreadsheets import csv_text

MARKS = (RegistrationStatus.attended, RegistrationStatus.no_show,
         RegistrationStatus.confirmed)


@dataclass
class Roster:
    """An event's registrations by status, each list in its natural order."""

    event: Event
    by_status: dict[RegistrationStatus, list[Registration]]

    def __getitem__(self, status: str) -> list[Registration]:
        return self.by_status[RegistrationStatus(status)]

    @property
    def counts(self) -> dict[str, int]:
        return {status.value: len(rows) for status, rows in self.by_status.items()}

    @property
    def seat_holders(self) -> list[Registration]:
        return [row for status in SEAT_HOLDING for row in self.by_status[status]]


def roster(session: Session, event: Event) -> Roster:
    """The event's registrations grouped by status; the waitlist in queue order."""
    rows = session.execute(
        select(Registration).join(Person, Registration.person_id == Person.id)
        .where(Registration.event_id == event.id)
    ).scalars()
    grouped: dict[RegistrationStatus, list[Registration]] = {s: [] for s in RegistrationStatus}
    for registration in rows:
        grouped[registration.status].append(registration)
    for status in (*SEAT_HOLDING, RegistrationStatus.cancelled):
        grouped[status].sort(key=lambda row: row.person.name.lower())
    grouped[RegistrationStatus.waitlisted].sort(key=lambda row: row.queue_number or 0)
    return Roster(event, grouped)


# The roster's lists, as tabs: a key, and the statuses it shows.
SHOWN: dict[str, tuple[RegistrationStatus, ...]] = {
    "seat": SEAT_HOLDING,
    "confirmed": (RegistrationStatus.confirmed,),
    "attended": (RegistrationStatus.attended,),
    "no_show": (RegistrationStatus.no_show,),
    "waitlisted": (RegistrationStatus.waitlisted,),
    "cancelled": (RegistrationStatus.cancelled,),
    "all": tuple(RegistrationStatus),
}
DEFAULT_SHOWN = "seat"


@dataclass(frozen=True)
class Selection:
    """Which of an event's registrations the roster shows: a list, a search, a page."""

    shown: str = DEFAULT_SHOWN
    search: str = ""
    page: int = 1

    @classmethod
    def of(cls, shown: object, search: object, page: object = 1) -> Selection:
        """A selection from what a visitor typed; anything unknown falls back to the default."""
        wanted = shown if isinstance(shown, str) and shown in SHOWN else DEFAULT_SHOWN
        words = " ".join(search.split())[:limits.EMAIL_MAX] if isinstance(search, str) else ""
        number = int(page) if isinstance(page, str) and page.isdigit() else page
        return cls(wanted, words, number if isinstance(number, int) and number > 0 else 1)

    def where(self, event: Event) -> list[ColumnElement[bool]]:
        """The conditions on registrations (joined with their people) this selection means."""
        conditions = [Registration.event_id == event.id,
                      Registration.status.in_(SHOWN[self.shown])]
        if self.search:
            needle = self.search.lower()
            conditions.append(or_(func.lower(Person.name).contains(needle, autoescape=True),
                                  func.lower(Person.email).contains(needle, autoescape=True)))
        return conditions


@dataclass(frozen=True)
class RosterPage:
    """One page of an event's roster: the counts of every status, the head of the
    waitlist, and the registrations the selection shows."""

    event: Event
    selection: Selection
    counts: dict[str, int]
    waitlist_head: list[Registration]
    rows: list[Registration]
    matching: int

    @property
    def pages(self) -> int:
        return _page_count(self.matching)

    @property
    def first_position(self) -> int:
        """The number of the page's first row in its whole list (1-based)."""
        return (self.selection.page - 1) * limits.ROSTER_PAGE_SIZE + 1

    @property
    def with_seat(self) -> int:
        return sum(self.counts[status.value] for status in SEAT_HOLDING)


def _page_count(matching: int) -> int:
    return max(1, -(-matching // limits.ROSTER_PAGE_SIZE))


def _ordered(selection: Selection) -> tuple[ColumnElement[object], ...]:
    if selection.shown == "waitlisted":
        return (Registration.queue_number, Registration.id)
    return (func.lower(Person.name), Registration.id)


def roster_page(session: Session, event: Event, selection: Selection) -> RosterPage:
    """The page of the roster ``selection`` asks for, in four statements whatever its size:
    the counts, the waitlist's head (in queue order), how many match, and one page of them."""
    counts = {status.value: 0 for status in RegistrationStatus}
    for status, number in session.execute(
        select(Registration.status, func.count()).where(Registration.event_id == event.id)
        .group_by(Registration.status)
    ):
        counts[status.value] = number
    waitlist_head = list(session.execute(
        select(Registration).where(Registration.event_id == event.id,
                                   Registration.status == RegistrationStatus.waitlisted)
        .order_by(Registration.queue_number, Registration.id)
        .limit(limits.ROSTER_WAITLIST_SHOWN)
    ).scalars())
    where = selection.where(event)
    matching = session.execute(
        select(func.count()).select_from(Registration)
        .join(Person, Registration.person_id == Person.id).where(*where)
    ).scalar_one()
    pages = _page_count(matching)
    if selection.page > pages:
        selection = Selection(selection.shown, selection.search, pages)
    rows = list(session.execute(
        select(Registration).join(Registration.person).options(contains_eager(Registration.person))
        .where(*where).order_by(*_ordered(selection))
        .offset((selection.page - 1) * limits.ROSTER_PAGE_SIZE).limit(limits.ROSTER_PAGE_SIZE)
    ).unique().scalars())
    return RosterPage(event, selection, counts, waitlist_head, rows, matching)


def selected_ids(session: Session, event: Event, selection: Selection) -> list[int]:
    """Every registration the selection matches, on all its pages (for "select all")."""
    return list(session.execute(
        select(Registration.id).join(Person, Registration.person_id == Person.id)
        .where(*selection.where(event))
    ).scalars())


def _registration_of(session: Session, event: Event, registration_id: int) -> Registration:
    registration = session.get(Registration, registration_id, populate_existing=True)
    if registration is None or registration.event_id != event.id:
        raise NotFound("That registration is not on this event's roster.")
    return registration


@dataclass(frozen=True)
class Marked:
    """How many registrations took the new mark (or would), and who could not."""

    changed: int
    refused: list[str]
    unchanged: int = 0


def _check_marking(event: Event, status: RegistrationStatus, ids: list[int],
                   now: datetime) -> None:
    if status not in MARKS:
        raise InvalidInput("Mark people as attended or no-show.", field="status")
    if not ids:
        raise InvalidInput("Choose at least one person.", field="registration_id")
    if status != RegistrationStatus.confirmed and not event.records_attendance(now):
        raise NotOpen(registrations.NOT_STARTED_YET)


def _of_event(session: Session, event: Event, ids: list[int]) -> list[Registration]:
    # One statement for however many people, in the order they were chosen.
    found = {row.id: row for row in session.execute(
        select(Registration).where(Registration.event_id == event.id, Registration.id.in_(ids))
        .execution_options(populate_existing=True)).scalars()}
    if len(found) != len(ids):
        raise NotFound("That registration is not on this event's roster.")
    return [found[registration_id] for registration_id in ids]


def plan_mark(session: Session, event: Event, registration_ids: Iterable[int],
              status: RegistrationStatus, now: datetime | None = None) -> Marked:
    """What ``mark`` would do, changing nothing: for the page that asks to confirm it."""
    ids = sorted(set(registration_ids))
    _check_marking(event, status, ids, now or utcnow())
    rows = _of_event(session, event, ids)
    refused = [row.person.name for row in rows if not row.holds_seat]
    changing = sum(row.holds_seat and row.status != status for row in rows)
    return Marked(changing, refused, len(rows) - changing - len(refused))


def mark(session: Session, event: Event, registration_ids: Iterable[int],
         status: RegistrationStatus, now: datetime | None = None) -> Marked:
    """Mark people who hold a seat as attended or no-show (or back to confirmed).

    Waitlisted and cancelled people hold no seat, so they cannot have
    attended; they are named back instead of changed. Nobody can be marked
    before the event has begun (``Event.records_attendance``).
    """
    ids = sorted(set(registration_ids))
    now = now or utcnow()
    _check_marking(event, status, ids, now)
    # Under the event's lock, so a participant cancelling at this moment is
    # not marked back into a seat that was already handed on.
    lock_event(session, event.id)
    changed, refused, unchanged = 0, [], 0
    for registration in _of_event(session, event, ids):
        if not registration.holds_seat:
            refused.append(registration.person.name)
        elif registration.status != status:
            registrations.move(session, registration, status, now)
            changed += 1
        else:
            unchanged += 1
    session.flush()
    return Marked(changed, refused, unchanged)


def promote(session: Session, event: Event, registration_id: int) -> Registration:
    """Give a waitlisted person a seat by hand, ahead of the queue."""
    registration = _registration_of(session, event, registration_id)
    if registration.status != RegistrationStatus.waitlisted:
        raise InvalidInput(f"{registration.person.name} is not on the waitlist.",
                           field="registration_id")
    return booking.promote_by_hand(session, registration.id)


@dataclass(frozen=True)
class Removal:
    """What taking a person off the roster does: their place, and who gets it next."""

    registration: Registration
    next_in_line: Registration | None


def plan_removal(session: Session, event: Event, registration_id: int,
                 now: datetime | None = None) -> Removal:
    """What ``remove`` would do, changing nothing: for the page that asks to confirm it."""
    registration = _registration_of(session, event, registration_id)
    if registration.status not in (RegistrationStatus.confirmed, RegistrationStatus.waitlisted):
        raise NotOpen(f"{registration.person.name} has no place to take away.")
    if event.has_started(now or utcnow()):
        raise NotOpen(registrations.STARTED + " Mark them as a no-show instead.")
    head = None
    if registration.status == RegistrationStatus.confirmed and \
            event.promotes_from_waitlist(now or utcnow()):
        head = session.execute(
            select(Registration).where(Registration.event_id == event.id,
                                       Registration.status == RegistrationStatus.waitlisted)
            .order_by(Registration.queue_number, Registration.id).limit(1)).scalar_one_or_none()
    return Removal(registration, head)


def remove(session: Session, event: Event, registration_id: int,
           now: datetime | None = None) -> Registration:
    """Take a person's place (a seat or on the waitlist) away, as if they had cancelled:
    they are told, and a freed seat goes to the head of the waitlist."""
    plan_removal(session, event, registration_id, now)
    return booking.cancel(session, registration_id, now)


def export_csv(session: Session, event: Event) -> str:
    """Every registration of the event as CSV, for the organisers' own records."""
    current = roster(session, event)
    position = {row.id: index for index, row in enumerate(current["waitlisted"], start=1)}
    return csv_text(
        ["name", "email", "status", "waitlist_position", "registered_at", "updated_at"],
        ([registration.person.name, registration.person.email, registration.status.value,
          position.get(registration.id, ""), registration.created_at.isoformat(),
          registration.updated_at.isoformat()]
         for status in RegistrationStatus for registration in current.by_status[status]))
