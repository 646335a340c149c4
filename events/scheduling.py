"""Zones, the after-hours window and clashes: what organisers are warned about.

Warnings, never refusals: volunteers sometimes do mean to run a lunchtime
session or two overlapping small groups, so Mingle says what it sees and
lets them decide.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from events import limits
from events.errors import InvalidInput
from events.models import Event, EventStatus, InvitationStatus, Programme, Role


def clean_zone(raw: object) -> str:
    """Return a known IANA zone name, or refuse it."""
    name = raw.strip() if isinstance(raw, str) else ""
    if not name or name not in _zone_names():
        raise InvalidInput("Choose a time zone such as Pacific/Auckland or Europe/London.",
                           field="timezone")
    return name


def _zone_names() -> set[str]:
    return available_timezones() | {"UTC"}


def to_utc(local: datetime, zone_name: str) -> datetime:
    """Convert a wall-clock time in ``zone_name`` to UTC.

    Refuses times the clocks skip when they go forward, and times they show
    twice when they go back, rather than guessing which one was meant
    (PEP 495: ``fold`` tells the two apart, and a skipped time does not
    survive a round trip through UTC).
    """
    try:
        zone = ZoneInfo(zone_name)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput("The programme's time zone is not known.", field="timezone") from None
    wall = local.replace(tzinfo=None, second=0, microsecond=0)
    # Far-off years overflow datetime arithmetic and calendar time-zone rules;
    # a programme plans this year and the next few.
    this_year = datetime.now(UTC).year
    first_year = this_year - limits.PLANNING_YEARS_BACK
    last_year = this_year + limits.PLANNING_YEARS_AHEAD
    if not first_year <= wall.year <= last_year:
        raise InvalidInput(f"Choose a date between {first_year} and {last_year}.",
                           field="starts_at")
    first = wall.replace(tzinfo=zone, fold=0)
    second = wall.replace(tzinfo=zone, fold=1)
    shown = f"{wall:%Y-%m-%d %H:%M}"
    if first.astimezone(UTC).astimezone(zone).replace(tzinfo=None) != wall:
        raise InvalidInput(
            f"{shown} does not exist in {zone_name}: the clocks go forward then. "
            "Choose a time outside the change.", field="starts_at")
    if first.utcoffset() != second.utcoffset():
        raise InvalidInput(
            f"{shown} happens twice in {zone_name}: the clocks go back then. "
            "Choose a time outside the change.", field="starts_at")
    return first.astimezone(UTC)


def to_local(moment: datetime, zone_name: str) -> datetime:
    """The naive wall-clock time of ``moment`` in ``zone_name`` (for forms)."""
    return moment.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


def _window_text(programme: Programme) -> str:
    start = programme.after_hours_start.strftime("%H:%M")
    end = programme.after_hours_end.strftime("%H:%M")
    weekends = "any time at weekends" if programme.weekends_open else "weekends closed"
    return f"weekdays {start} to {end}, {weekends}"


def _inside(day: date, start: time, end: time, programme: Programme) -> bool:
    if day.weekday() >= 5:
        return programme.weekends_open
    window_start, window_end = programme.after_hours_start, programme.after_hours_end
    if window_end <= window_start:
        # A window past midnight (e.g. 20:00 to 01:00) is not used by any
        # programme yet; treat it as open from the start to the day's end.
        return start >= window_start
    return window_start <= start and end <= window_end


def is_after_hours(programme: Programme, starts_at: datetime, duration_minutes: int) -> bool:
    """True when the event lies inside the programme's after-hours window in its zone."""
    zone = programme.zone
    local_start = starts_at.astimezone(zone)
    local_end = (starts_at + timedelta(minutes=duration_minutes)).astimezone(zone)
    if local_end.date() != local_start.date():
        return local_start.weekday() >= 5 and programme.weekends_open and \
            local_end.weekday() >= 5
    return _inside(local_start.date(), local_start.time(), local_end.time(), programme)


def after_hours_warning(programme: Programme, starts_at: datetime,
                        duration_minutes: int) -> str | None:
    """A sentence for the organiser when the event falls outside the window, else ``None``."""
    if is_after_hours(programme, starts_at, duration_minutes):
        return None
    local = starts_at.astimezone(programme.zone)
    end = (starts_at + timedelta(minutes=duration_minutes)).astimezone(programme.zone)
    return (f"{local:%A %-d %B, %H:%M} to {end:%H:%M} in {programme.timezone} is outside the "
            f"programme's after-hours window ({_window_text(programme)}).")


def _overlapping(session: Session, event: Event, programme_id: int | None) -> list[Event]:
    query = (
        select(Event)
        .where(Event.id != event.id, Event.status != EventStatus.cancelled,
               Event.starts_at < event.ends_at,
               Event.starts_at > event.starts_at - timedelta(days=2))
        .options(selectinload(Event.roles).joinedload(Role.person))
        .order_by(Event.starts_at, Event.id)
    )
    if programme_id is not None:
        query = query.where(Event.programme_id == programme_id)
    # Durations vary per row, so the end of the other event is checked here;
    # the two-day bound keeps the query small (no event runs that long).
    return [other for other in session.execute(query).scalars()
            if other.ends_at > event.starts_at]


def clash_warnings(session: Session, event: Event) -> list[str]:
    """Overlaps with the programme's other events, and people booked twice at once."""
    if event.status == EventStatus.cancelled or event.id is None:
        return []
    warnings = []
    for other in _overlapping(session, event, event.programme_id):
        warnings.append(f"Overlaps with “{other.title}” "
                        f"({other.local_start:%a %-d %b %H:%M} to {other.local_end:%H:%M} "
                        f"{other.timezone}) in this programme.")
    return warnings + double_bookings(
        session, event, {role.person_id for role in event.roles if role.engaged})


def double_bookings(session: Session, event: Event, person_ids: set[int]) -> list[str]:
    """The people of ``person_ids`` already engaged (invited or accepted, ``Role.engaged``)
    at another event overlapping ``event``, one sentence each."""
    if not person_ids or event.status == EventStatus.cancelled:
        return []
    warnings = []
    for other in _overlapping(session, event, None):
        for role in other.roles:
            if role.person_id in person_ids and role.engaged:
                pending = (" (that invitation is not answered yet)"
                           if role.status == InvitationStatus.invited else "")
                warnings.append(f"{role.person.name} is also {role.kind.value} at "
                                f"“{other.title}”, which overlaps this event{pending}.")
    return warnings


def warnings_for(session: Session, event: Event) -> list[str]:
    """Everything an organiser should look at before publishing the event."""
    found = []
    if event.status != EventStatus.cancelled:
        outside = after_hours_warning(event.programme, event.starts_at, event.duration_minutes)
        if outside:
            found.append(outside)
        if not event.meeting_url:
            found.append("There is no meeting link yet: confirmed participants cannot join "
                         "until you add one.")
    return found + clash_warnings(session, event)
