"""Who is coming and who came: the roster, attendance, and its CSV in and out."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import booking, limits, registrations
from events.errors import InvalidInput, NotFound
from events.locking import lock_event
from events.models import (
    SEAT_HOLDING,
    Event,
    Person,
    Registration,
    RegistrationStatus,
    utcnow,
)
from events.people import email_key
from events.spreadsheets import csv_text

MARKS = (RegistrationStatus.attended, RegistrationStatus.no_show,
         RegistrationStatus.confirmed)
# Meeting platforms put a summary block above the participant table; the
# header is looked for in the first rows rather than assumed to be the first.
HEADER_SEARCH_ROWS = 15


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


def _registration_of(session: Session, event: Event, registration_id: int) -> Registration:
    registration = session.get(Registration, registration_id, populate_existing=True)
    if registration is None or registration.event_id != event.id:
        raise NotFound("That registration is not on this event's roster.")
    return registration


@dataclass(frozen=True)
class Marked:
    """How many registrations took the new mark, and who could not."""

    changed: int
    refused: list[str]


def mark(session: Session, event: Event, registration_ids: Iterable[int],
         status: RegistrationStatus) -> Marked:
    """Mark people who hold a seat as attended or no-show (or back to confirmed).

    Waitlisted and cancelled people hold no seat, so they cannot have
    attended; they are named back instead of changed.
    """
    if status not in MARKS:
        raise InvalidInput("Mark people as attended or no-show.", field="status")
    ids = sorted(set(registration_ids))
    if not ids:
        raise InvalidInput("Choose at least one person.", field="registration_id")
    # Under the event's lock, so a participant cancelling at this moment is
    # not marked back into a seat that was already handed on.
    lock_event(session, event.id)
    now = utcnow()
    changed, refused = 0, []
    for registration_id in ids:
        registration = _registration_of(session, event, registration_id)
        if not registration.holds_seat:
            refused.append(registration.person.name)
        elif registration.status != status:
            registrations.move(session, registration, status, now)
            changed += 1
    session.flush()
    return Marked(changed, refused)


def promote(session: Session, event: Event, registration_id: int) -> Registration:
    """Give a waitlisted person a seat by hand, ahead of the queue."""
    registration = _registration_of(session, event, registration_id)
    if registration.status != RegistrationStatus.waitlisted:
        raise InvalidInput(f"{registration.person.name} is not on the waitlist.",
                           field="registration_id")
    return booking.promote_by_hand(session, registration.id)


@dataclass(frozen=True)
class UnmatchedRow:
    """A row of an attendance report that marked nobody, and why."""

    line: int
    name: str
    email: str
    reason: str


@dataclass
class AttendanceImport:
    """What an attendance report changed."""

    marked: list[str] = field(default_factory=list)
    already: int = 0
    unmatched: list[UnmatchedRow] = field(default_factory=list)


def _read_rows(data: bytes) -> list[list[str]]:
    if not data.strip():
        raise InvalidInput("The file is empty.", field="file")
    if len(data) > limits.IMPORT_MAX_BYTES:
        raise InvalidInput(f"The file is larger than {limits.IMPORT_MAX_BYTES // 2**20} MB; "
                           "export only the participants.", field="file")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file is not a CSV text file (UTF-8). Export the report "
                           "as CSV and try again.", field="file") from None
    if "\x00" in text:
        raise InvalidInput("The file is not valid CSV (it contains binary data).", field="file")
    try:
        dialect: type[csv.Dialect] | csv.Dialect = csv.Sniffer().sniff(text[:4096], ",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        # strict: an unclosed quote is an error, not a field swallowing the file.
        rows = list(csv.reader(io.StringIO(text, newline=""), dialect, strict=True))
    except csv.Error as error:
        raise InvalidInput(f"The file is not valid CSV ({error}).", field="file") from None
    if len(rows) > limits.IMPORT_MAX_ROWS:
        raise InvalidInput(f"The file has more than {limits.IMPORT_MAX_ROWS} rows.",
                           field="file")
    return rows


def _header(rows: list[list[str]]) -> tuple[int, int, int | None]:
    def simple(cell: str) -> str:
        return "".join(ch for ch in cell.lower() if ch.isalpha())

    for index, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        names = [simple(cell) for cell in row]
        email_columns = [i for i, name in enumerate(names) if "email" in name]
        if email_columns:
            name_columns = [i for i, name in enumerate(names) if "name" in name]
            return index, email_columns[0], (name_columns[0] if name_columns else None)
    raise InvalidInput("No column called “Email” was found. Export the meeting's "
                       "participant report as CSV, with e-mail addresses.", field="file")


def import_attendance(session: Session, event: Event, data: bytes) -> AttendanceImport:
    """Mark as attended everyone whose e-mail appears in a participant report.

    Matching ignores case and surrounding spaces. The whole file is read and
    checked before anything changes, so a malformed file changes nothing.
    """
    rows = _read_rows(data)
    header_index, email_column, name_column = _header(rows)
    lock_event(session, event.id)
    now = utcnow()
    by_email = {registration.person.email: registration for registration in session.execute(
        select(Registration).where(Registration.event_id == event.id)
        .execution_options(populate_existing=True)).scalars()}
    result = AttendanceImport()
    seen: set[str] = set()
    for line, row in enumerate(rows[header_index + 1:], start=header_index + 2):
        if not any(cell.strip() for cell in row):
            continue
        email = email_key(row[email_column]) if email_column < len(row) else ""
        name = row[name_column].strip() if name_column is not None and \
            name_column < len(row) else ""
        if email in seen:
            continue  # people who rejoin appear once per connection
        seen.add(email)
        registration = by_email.get(email) if email else None
        if not email:
            result.unmatched.append(UnmatchedRow(line, name, email, "no e-mail address"))
        elif registration is None:
            result.unmatched.append(UnmatchedRow(line, name, email, "not registered"))
        elif not registration.holds_seat:
            reason = ("on the waitlist" if registration.status == RegistrationStatus.waitlisted
                      else "had cancelled")
            result.unmatched.append(UnmatchedRow(line, name, email, reason))
        elif registration.status == RegistrationStatus.attended:
            result.already += 1
        else:
            registrations.move(session, registration, RegistrationStatus.attended, now)
            result.marked.append(registration.person.name)
    session.flush()
    return result


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
