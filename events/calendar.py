"""Every iCalendar byte Mingle emits: downloads, feeds and iTIP invitations.

What clients need and why is collected in the project's calendar notes; in
short: PUBLISH for downloads and feeds (no ATTENDEE), REQUEST/CANCEL for
e-mail with one stable UID per registration, SEQUENCE that only grows, TZID
always backed by an RRULE-based VTIMEZONE, CRLF and 75-octet folding.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import (
    Alarm,
    Calendar,
    Timezone,
    TimezoneDaylight,
    TimezoneStandard,
    vCalAddress,
    vText,
    vUri,
)
from icalendar import Event as VEvent

from events.models import Event, EventStatus, Registration
from events.site import Site

PRODID = "-//Mingle//Mingle events//EN"
REFRESH = timedelta(hours=1)


def public_uid(event: Event, site: Site) -> str:
    """UID of the event in downloads and feeds (shared by every subscriber)."""
    return f"event-{event.id}@{site.uid_domain}"


def invitation_uid(registration: Registration, site: Site) -> str:
    """UID of one person's invitation: distinct from the public UID.

    RFC 5546 needs the REQUEST, its updates and its CANCEL to share it; a person
    who also subscribes to a feed must not get a second object with that UID.
    """
    return f"registration-{registration.id}@{site.uid_domain}"


@dataclass(frozen=True)
class Attendance:
    """What a personal invitation or feed entry adds to the public event."""

    registration: Registration
    join_url: str
    manage_url: str | None = None


def event_download(event: Event, site: Site, now: datetime | None = None) -> bytes:
    """The event as a single-event ``METHOD:PUBLISH`` file, without any meeting link."""
    calendar = _calendar("PUBLISH")
    _add_timezones(calendar, [event])
    calendar.add_component(_public_vevent(event, site, now))
    return calendar.to_ical()


def feed(events: Iterable[Event], site: Site, name: str, zone_name: str,
         now: datetime | None = None,
         personal: dict[int, Attendance] | None = None) -> bytes:
    """A subscribable calendar of many events (``METHOD:PUBLISH``, no ATTENDEE).

    ``personal`` maps event ids to a subscriber's own registrations: those
    entries carry the invitation's UID and the personal join link instead.
    """
    events = list(events)
    calendar = _calendar("PUBLISH")
    # RFC 7986 NAME and the de-facto X-WR-* names; vText escapes ",;\" which
    # icalendar writes raw for a plain str on these properties.
    calendar.add("name", vText(name))
    calendar.add("x-wr-calname", vText(name))
    calendar.add("x-wr-timezone", vText(zone_name))
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vText("PT1H"))
    _add_timezones(calendar, events)
    for event in events:
        attendance = (personal or {}).get(event.id)
        if attendance is None:
            calendar.add_component(_public_vevent(event, site, now))
        else:
            calendar.add_component(_personal_vevent(attendance, site, now, with_attendee=False))
    return calendar.to_ical()


def invitation(attendance: Attendance, site: Site, method: str, sequence: int,
               now: datetime | None = None) -> bytes:
    """An iTIP message (RFC 5546) for one registration: ``REQUEST`` or ``CANCEL``.

    The participant is the ATTENDEE (already accepted on the website), the
    programme's sender the ORGANIZER; one event per message.
    """
    if method not in ("REQUEST", "CANCEL"):
        raise ValueError(f"unsupported iTIP method {method!r}")
    event = attendance.registration.event
    calendar = _calendar(method)
    _add_timezones(calendar, [event])
    vevent = _personal_vevent(attendance, site, now, with_attendee=True)
    vevent["sequence"] = sequence
    if method == "CANCEL":
        # RFC 5546 §3.2.5: CANCEL carries the same UID, a higher SEQUENCE and
        # STATUS:CANCELLED; an alarm would outlive the removed event.
        vevent["status"] = "CANCELLED"
        vevent.subcomponents = [c for c in vevent.subcomponents if c.name != "VALARM"]
    calendar.add_component(vevent)
    return calendar.to_ical()


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _base_vevent(event: Event, site: Site, now: datetime | None) -> VEvent:
    vevent = VEvent()
    vevent.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    vevent.add("dtstart", event.local_start)
    vevent.add("dtend", event.local_end)
    vevent.add("summary", event.title)
    vevent.add("url", vUri(site.url(f"/events/{event.id}")))
    vevent.add("status", "CANCELLED" if event.status == EventStatus.cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if event.updated_at is not None:
        vevent.add("last-modified", event.updated_at.astimezone(UTC))
    return vevent


def _public_vevent(event: Event, site: Site, now: datetime | None) -> VEvent:
    vevent = _base_vevent(event, site, now)
    vevent.add("uid", public_uid(event, site))
    vevent.add("sequence", event.sequence)
    vevent.add("location", "Online: the join link is sent to registered participants")
    vevent.add("description", _description(event, site, None))
    return vevent


def _personal_vevent(attendance: Attendance, site: Site, now: datetime | None,
                     with_attendee: bool) -> VEvent:
    registration = attendance.registration
    event = registration.event
    vevent = _base_vevent(event, site, now)
    vevent.add("uid", invitation_uid(registration, site))
    vevent.add("sequence", event.sequence + registration.sequence)
    # Google and Outlook ignore CONFERENCE, so the link is also the LOCATION.
    vevent.add("location", attendance.join_url)
    vevent.add("conference", vUri(attendance.join_url),
               parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Join"})
    vevent.add("description", _description(event, site, attendance))
    if with_attendee:
        organizer = vCalAddress(f"mailto:{site.sender_email}")
        organizer.params["cn"] = vText(event.programme.sender_name or event.programme.name)
        vevent.add("organizer", organizer)
        attendee = vCalAddress(f"mailto:{registration.person.email}")
        attendee.params["cn"] = vText(registration.person.name)
        attendee.params["role"] = "REQ-PARTICIPANT"
        attendee.params["partstat"] = "ACCEPTED"
        attendee.params["rsvp"] = "FALSE"
        vevent.add("attendee", attendee)
        alarm = Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", f"{event.title} starts in 15 minutes")
        alarm.add("trigger", timedelta(minutes=-15))
        vevent.add_component(alarm)
    return vevent


def _description(event: Event, site: Site, attendance: Attendance | None) -> str:
    lines = [event.title, ""]
    if event.status == EventStatus.cancelled and event.cancel_reason:
        lines += [f"Cancelled: {event.cancel_reason}", ""]
    if event.description:
        lines += [event.description.strip(), ""]
    if attendance is not None:
        lines.append(f"Join: {attendance.join_url}")
        if attendance.manage_url:
            lines.append(f"Manage your place: {attendance.manage_url}")
    lines.append(f"Event page: {site.url(f'/events/{event.id}')}")
    return "\n".join(lines)


def _add_timezones(calendar: Calendar, events: Iterable[Event]) -> None:
    years: dict[str, set[int]] = defaultdict(set)
    for event in events:
        years[event.timezone].add(event.local_start.year)
    for zone_name in sorted(years):
        span = min(years[zone_name]) - 1, max(years[zone_name]) + 1
        calendar.add_component(vtimezone(zone_name, *span))


@lru_cache(maxsize=64)
def vtimezone(zone_name: str, first_year: int, last_year: int) -> Timezone:
    """A VTIMEZONE for ``zone_name`` valid from ``first_year`` to ``last_year``.

    Observances are yearly RRULEs where the zone follows one (as nearly all
    do), otherwise one RDATE per line: ical.js and vobject read only the first
    date of a comma-separated RDATE list and put events an hour off.
    """
    zone = ZoneInfo(zone_name)
    timezone = Timezone()
    timezone.add("tzid", zone_name)
    timezone.add("x-lic-location", zone_name)
    transitions = _transitions(zone, first_year, last_year)
    if not transitions:
        instant = datetime(first_year, 1, 1, tzinfo=UTC)
        offset = zone.utcoffset(instant.replace(tzinfo=None)) or timedelta(0)
        standard = TimezoneStandard()
        standard.add("dtstart", datetime(1970, 1, 1))
        standard.add("tzoffsetfrom", offset)
        standard.add("tzoffsetto", offset)
        standard.add("tzname", instant.astimezone(zone).tzname() or zone_name)
        timezone.add_component(standard)
        return timezone
    groups: dict[tuple[timedelta, timedelta, bool, str], list[datetime]] = defaultdict(list)
    for local_start, offset_from, offset_to, is_dst, name in transitions:
        groups[(offset_from, offset_to, is_dst, name)].append(local_start)
    for (offset_from, offset_to, is_dst, name), starts in groups.items():
        observance = TimezoneDaylight() if is_dst else TimezoneStandard()
        observance.add("dtstart", starts[0])
        observance.add("tzoffsetfrom", offset_from)
        observance.add("tzoffsetto", offset_to)
        observance.add("tzname", name)
        rule = _yearly_rule(starts)
        if rule is not None and len(starts) > 1:
            observance.add("rrule", rule)
        else:
            for start in starts[1:]:
                observance.add("rdate", start)
        timezone.add_component(observance)
    return timezone


Transition = tuple[datetime, timedelta, timedelta, bool, str]


def _transitions(zone: ZoneInfo, first_year: int, last_year: int) -> list[Transition]:
    """Offset changes of ``zone`` between the years, as local wall-clock starts."""
    found: list[Transition] = []
    step = timedelta(hours=6)
    moment = datetime(first_year, 1, 1, tzinfo=UTC)
    end = datetime(last_year + 1, 1, 1, tzinfo=UTC)
    offset = moment.astimezone(zone).utcoffset()
    while moment < end:
        following = moment + step
        next_offset = following.astimezone(zone).utcoffset()
        if next_offset != offset:
            low, high = moment, following
            while high - low > timedelta(seconds=1):
                middle = low + (high - low) / 2
                if middle.astimezone(zone).utcoffset() == offset:
                    low = middle
                else:
                    high = middle
            # Zones change on whole seconds; land exactly on the first new one.
            high = high.replace(microsecond=0)
            if high.astimezone(zone).utcoffset() == offset:
                high += timedelta(seconds=1)
            after = high.astimezone(zone)
            assert offset is not None and next_offset is not None
            local_start = (high + offset).replace(tzinfo=None)
            found.append((local_start, offset, next_offset, bool(after.dst()),
                          after.tzname() or ""))
            offset = next_offset
        moment = following
    return found


def _yearly_rule(starts: list[datetime]) -> dict[str, object] | None:
    """The RRULE (month, weekday, week of month) that all ``starts`` follow, if any."""
    first = starts[0]
    if any((s.month, s.weekday(), s.time()) != (first.month, first.weekday(), first.time())
           for s in starts):
        return None
    weekday = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"][first.weekday()]
    if all((s + timedelta(days=7)).month != s.month for s in starts):
        return {"freq": "YEARLY", "bymonth": first.month, "byday": f"-1{weekday}"}
    week = (first.day - 1) // 7 + 1
    if all((s.day - 1) // 7 + 1 == week for s in starts):
        return {"freq": "YEARLY", "bymonth": first.month, "byday": f"{week}{weekday}"}
    return None
