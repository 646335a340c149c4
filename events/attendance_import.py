"""Attendance from the meeting platform's participant report (CSV): who came, matched
by e-mail; the whole file is read and checked before anything changes."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import limits, registrations
from events.errors import InvalidInput, NotOpen
from events.locking import lock_event
from events.models import Event, Registration, RegistrationStatus, utcnow
from events.people import email_key

# Meeting platforms put a summary block above the participant table; the
# header is looked for in the first rows rather than assumed to be the first.
HEADER_SEARCH_ROWS = 15


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
    now = utcnow()
    if not event.records_attendance(now):
        raise NotOpen(registrations.NOT_STARTED_YET)
    rows = _read_rows(data)
    header_index, email_column, name_column = _header(rows)
    lock_event(session, event.id)
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
