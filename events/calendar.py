"""Every iCalendar byte Mingle emits: downloads, feeds and iTIP invitations.

What clients need and why is collected in the project's calendar notes; in
short: PUBLISH for downloads and feeds (no ATTENDEE), REQUEST/CANCEL for
e-mail with one stable UID per registration or role, SEQUENCE that only
grows, TZID always backed by an RRULE-based VTIMEZONE, CRLF and 75-octet
folding (``icalendar`` folds on octets without cutting a UTF-8 character).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, vCalAddress, vText, vUri
from icalendar import Event as VEvent
from sqlalchemy import ColumnElement

from events.calendar_timezones import (
    add_series_timezones,
    add_timezones,
    vtimezone,
    wall_clock,
    zone_spans,
)
from events.descriptions import markdown_to_text
from events.models import (
    Event,
    EventStatus,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Role,
    RoleKind,
)
from events.site import Site

__all__ = ["PUBLIC_LOCATION", "Attendance", "RolePart", "event_download", "feed",
           "group_series_uid", "invitation", "invitation_sequence", "invitation_uid",
           "public_uid", "role_invitation", "role_uid", "streamed_feed", "vtimezone"]

PRODID = "-//Mingle//Mingle events//EN"
REFRESH = timedelta(hours=1)
ITIP_METHODS = ("REQUEST", "CANCEL")
PUBLIC_LOCATION = "Online: the join link is sent to registered participants"
ROLE_LOCATION = "Online: your join link is on your speaker page"
# Zones written as UTC instants (...Z) rather than as a TZID with a VTIMEZONE.


def public_uid(event: Event, site: Site) -> str:
    """UID of the event in downloads and feeds (shared by every subscriber)."""
    return f"event-{event.id}@{site.uid_domain}"


def invitation_uid(registration: Registration, site: Site) -> str:
    """UID of one person's invitation: distinct from the public UID.

    RFC 5546 needs the REQUEST, its updates and its CANCEL to share it; a person
    who also subscribes to a feed must not get a second object with that UID.
    """
    return f"registration-{registration.id}@{site.uid_domain}"


def role_uid(role: Role, site: Site) -> str:
    """UID of a guest's, facilitator's or presenter's invitation to their event."""
    return f"role-{role.id}@{site.uid_domain}"


def group_series_uid(member_id: int, site: Site) -> str:
    """UID of a book-discussion member's weekly meetings: one series for the whole
    discussion, kept when they move to another group (an update, not a second series)."""
    return f"discussion-member-{member_id}@{site.uid_domain}"


Count = TypeVar("Count", int, "ColumnElement[int]")


def invitation_sequence(event_sequence: Count, own_changes: Count | int = 0) -> Count:
    """SEQUENCE of a personal invitation (a registration's, or a role's): the one rule.

    RFC 5546 §2.1.4 and RFC 5545 §3.8.7.4: each new REQUEST or CANCEL for an
    invitation's UID must carry a higher SEQUENCE than the one before it, or
    calendars keep the older copy (a REQUEST after a CANCEL would be ignored,
    and the event stay cancelled). Two counters feed it, and both only grow:
    the event's own ``sequence`` (bumped by every organiser change of time,
    length, title or status, for everyone invited) and the invitation's own
    changes (a registration's ``sequence``, bumped when its holder cancels or
    comes back; a role's, bumped when its invitation is cancelled or given
    again: ``events.invitations.MOVES``). Their sum grows whenever either
    does, so every message outranks the ones sent before it.

    Works on numbers and on SQL expressions alike: the prepared RSVP writes a
    confirmation's SEQUENCE in SQL with this same function.
    """
    return event_sequence + own_changes


@dataclass(frozen=True)
class Attendance:
    """What a personal invitation or feed entry adds to the public event."""

    registration: Registration
    join_url: str
    manage_url: str | None = None


@dataclass(frozen=True)
class RolePart:
    """What a guest's, facilitator's or presenter's invitation or feed entry adds:
    their own join link (while they have one) and their speaker page."""

    role: Role
    join_url: str | None
    page_url: str | None = None


def event_download(event: Event, site: Site, now: datetime | None = None) -> bytes:
    """The event as a single-event ``METHOD:PUBLISH`` file, without any meeting link."""
    calendar = _calendar("PUBLISH")
    add_timezones(calendar, [event])
    calendar.add_component(_public_vevent(event, site, now))
    return calendar.to_ical()


def feed(events: Iterable[Event], site: Site, name: str, zone_name: str,
         now: datetime | None = None,
         personal: dict[int, Attendance | RolePart] | None = None,
         series: Iterable[Calendar] = ()) -> bytes:
    """A subscribable calendar of many events (``METHOD:PUBLISH``, no ATTENDEE).

    ``personal`` maps event ids to a subscriber's own registrations or roles:
    those entries carry the invitation's UID and the personal join link instead.
    An event given twice appears once: two VEVENTs with one UID and no
    RECURRENCE-ID make clients keep either one at random. ``series`` are
    whole calendars (a VTIMEZONE and a recurring VEVENT, as a book discussion
    member's meetings) whose entries join the feed as they are, so the feed and
    the invitation that carried them agree byte for byte.
    """
    series = list(series)
    events = list({event.id: event for event in events}.values())
    spans = zone_spans((event.timezone, event.local_start, event.local_end)
                        for event in events)
    parts = [_feed_head(name, zone_name, spans, series)]
    for event in events:
        parts.append(_feed_vevent(event, (personal or {}).get(event.id), site, now).to_ical())
    for entries in series:
        parts.extend(vevent.to_ical() for vevent in entries.walk("VEVENT"))
    parts.append(_END_OF_CALENDAR)
    return b"".join(parts)


def streamed_feed(outline: Iterable[tuple[str, datetime, datetime]], events: Iterable[Event],
                  site: Site, name: str, zone_name: str, now: datetime | None = None) -> bytes:
    """``feed(events, ...)`` written as ``events`` are read, byte for byte the same.

    ``outline`` gives each event's time zone, start and end (for the feed's
    VTIMEZONEs, written before any event), so ``events`` can be an iterator
    that reads them a batch at a time and is never held whole.
    """
    spans = zone_spans((zone, start.astimezone(ZoneInfo(zone)), end.astimezone(ZoneInfo(zone)))
                        for zone, start, end in outline)
    parts = [_feed_head(name, zone_name, spans, [])]
    seen: set[int] = set()
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            parts.append(_public_vevent(event, site, now).to_ical())
    parts.append(_END_OF_CALENDAR)
    return b"".join(parts)


def _feed_head(name: str, zone_name: str, spans: list[tuple[str, int, int]],
               series: list[Calendar]) -> bytes:
    calendar = _calendar("PUBLISH")
    # RFC 7986 NAME and the de-facto X-WR-* names; vText escapes ",;\" which
    # icalendar writes raw for a plain str on these properties.
    calendar.add("name", vText(name))
    calendar.add("x-wr-calname", vText(name))
    calendar.add("x-wr-timezone", vText(zone_name))
    # RFC 7986 §5.7: VALUE=DURATION is mandatory; X-PUBLISHED-TTL is Outlook's.
    calendar.add("refresh-interval", REFRESH, parameters={"VALUE": "DURATION"})
    calendar.add("x-published-ttl", vText("PT1H"))
    for zone, first, last in spans:
        calendar.add_component(vtimezone(zone, first, last))
    add_series_timezones(calendar, series)
    # Written one VEVENT at a time, as the whole calendar would write them
    # after its properties and time zones: a feed of thousands of events then
    # never holds thousands of component trees at once (tens of megabytes that
    # a web worker would keep).
    head = calendar.to_ical()
    if not head.endswith(_END_OF_CALENDAR):
        raise AssertionError("a calendar's text ends with END:VCALENDAR")
    return head[:-len(_END_OF_CALENDAR)]


_END_OF_CALENDAR = b"END:VCALENDAR\r\n"


def _feed_vevent(event: Event, own: Attendance | RolePart | None, site: Site,
                 now: datetime | None) -> VEvent:
    if isinstance(own, Attendance):
        return _personal_vevent(own, site, now, for_itip=False)
    if isinstance(own, RolePart):
        return _role_vevent(own, site, now, for_itip=False)
    return _public_vevent(event, site, now)


def invitation(attendance: Attendance, site: Site, method: str, sequence: int,
               now: datetime | None = None) -> bytes:
    """An iTIP message (RFC 5546) for one registration: ``REQUEST`` or ``CANCEL``.

    The participant is the ATTENDEE (already accepted on the website), the
    programme's sender the ORGANIZER; one event per message.
    """
    _check_method(method)
    registration = attendance.registration
    vevent = _personal_vevent(attendance, site, now, for_itip=True)
    _make_itip(vevent, registration.event, site, method, sequence,
               attendee=registration.person, role="REQ-PARTICIPANT")
    return _itip_calendar(method, registration.event, vevent)


def role_invitation(part: RolePart, site: Site, method: str, sequence: int,
                    now: datetime | None = None) -> bytes:
    """An iTIP message for a guest, facilitator, presenter or assistant.

    It carries the speaker's personal join link (never the room itself) and
    the address of their speaker page. A facilitator is the CHAIR (RFC 5545
    §3.2.16), everyone else a REQ-PARTICIPANT.
    """
    _check_method(method)
    role = part.role
    vevent = _role_vevent(part, site, now, for_itip=True)
    _make_itip(vevent, role.event, site, method, sequence, attendee=role.person,
               role="CHAIR" if role.kind == RoleKind.facilitator else "REQ-PARTICIPANT")
    return _itip_calendar(method, role.event, vevent)


def organizer(programme: Programme, site: Site) -> vCalAddress:
    """The ORGANIZER of the programme's invitations: its contact address, else the
    site's sender. Calendar checkers refuse one nobody can reply to (``mingle@localhost``)."""
    address = vCalAddress(f"mailto:{programme.contact_email or site.sender_email}")
    address.params["cn"] = vText(programme.sender_name or programme.name)
    return address


def _check_method(method: str) -> None:
    if method not in ITIP_METHODS:
        raise ValueError(f"unsupported iTIP method {method!r}")


def _make_itip(vevent: VEvent, event: Event, site: Site, method: str, sequence: int,
               attendee: Person, role: str) -> None:
    vevent["sequence"] = sequence
    vevent.add("organizer", organizer(event.programme, site))
    # RFC 6047 §3: the recipient must find themselves as an ATTENDEE (Gmail
    # shows the invitation only then); they said yes on the website already.
    address = vCalAddress(f"mailto:{attendee.email}")
    address.params["cn"] = vText(attendee.name)
    address.params["role"] = role
    address.params["partstat"] = "ACCEPTED"
    address.params["rsvp"] = "FALSE"
    vevent.add("attendee", address)
    if method == "CANCEL":
        # RFC 5546 §3.2.5: CANCEL carries the same UID, a higher SEQUENCE and
        # STATUS:CANCELLED; an alarm would outlive the removed event.
        vevent["status"] = "CANCELLED"
        return
    alarm = Alarm()
    alarm.add("action", "DISPLAY")
    alarm.add("description", f"{event.title} starts in 15 minutes")
    alarm.add("trigger", timedelta(minutes=-15))
    vevent.add_component(alarm)


def _itip_calendar(method: str, event: Event, vevent: VEvent) -> bytes:
    calendar = _calendar(method)
    add_timezones(calendar, [event])
    calendar.add_component(vevent)
    return calendar.to_ical()


def _calendar(method: str) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", method)
    return calendar


def _base_vevent(event: Event, site: Site, now: datetime | None,
                 for_itip: bool = False, place_cancelled: bool = False) -> VEvent:
    cancelled = event.status == EventStatus.cancelled or place_cancelled
    vevent = VEvent()
    vevent.add("dtstamp", (now or datetime.now(UTC)).astimezone(UTC))
    vevent.add("dtstart", wall_clock(event, event.starts_at))
    vevent.add("dtend", wall_clock(event, event.ends_at))
    # Clients that ignore STATUS in a subscription still show the word; an
    # iTIP CANCEL removes the event, and Outlook adds its own prefix there.
    vevent.add("summary", f"Cancelled: {event.title}" if cancelled and not for_itip
               else event.title)
    vevent.add("url", vUri(site.links.event_page(event.id)))
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    vevent.add("transp", "OPAQUE")
    if event.updated_at is not None:
        vevent.add("last-modified", event.updated_at.astimezone(UTC))
    return vevent


def _public_vevent(event: Event, site: Site, now: datetime | None) -> VEvent:
    vevent = _base_vevent(event, site, now)
    vevent.add("uid", public_uid(event, site))
    vevent.add("sequence", event.sequence)
    vevent.add("location", PUBLIC_LOCATION)
    vevent.add("description", _description(event, site, None))
    return vevent


def _personal_vevent(attendance: Attendance, site: Site, now: datetime | None,
                     for_itip: bool) -> VEvent:
    registration = attendance.registration
    event = registration.event
    # RFC 5545 §3.8.1.11: a place given up keeps its UID with STATUS:CANCELLED,
    # so calendars that took the invitation mark it instead of keeping it.
    place_cancelled = registration.status == RegistrationStatus.cancelled
    vevent = _base_vevent(event, site, now, for_itip, place_cancelled)
    vevent.add("uid", invitation_uid(registration, site))
    vevent.add("sequence", invitation_sequence(event.sequence, registration.sequence))
    if place_cancelled:
        vevent.add("location", PUBLIC_LOCATION)
        vevent.add("description", _description(event, site, None))
        return vevent
    # Google and Outlook ignore CONFERENCE, so the link is also the LOCATION.
    vevent.add("location", attendance.join_url)
    vevent.add("conference", vUri(attendance.join_url),
               parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Join"})
    vevent.add("description", _description(event, site, attendance))
    return vevent


def _role_vevent(part: RolePart, site: Site, now: datetime | None, for_itip: bool) -> VEvent:
    role = part.role
    event = role.event
    vevent = _base_vevent(event, site, now, for_itip)
    vevent.add("uid", role_uid(role, site))
    vevent.add("sequence", invitation_sequence(event.sequence, role.sequence))
    if part.join_url:
        # Google and Outlook ignore CONFERENCE, so the link is also the LOCATION.
        vevent.add("location", part.join_url)
        vevent.add("conference", vUri(part.join_url),
                   parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Join"})
    else:
        vevent.add("location", ROLE_LOCATION)
    vevent.add("description", _role_description(part, site))
    return vevent


def _description(event: Event, site: Site, attendance: Attendance | None) -> str:
    lines = [event.title, ""]
    if event.status == EventStatus.cancelled and event.cancel_reason:
        lines += [f"Cancelled: {event.cancel_reason}", ""]
    if event.description:
        lines += [markdown_to_text(event.description), ""]
    if attendance is not None:
        lines.append(f"Join: {attendance.join_url}")
        if attendance.manage_url:
            lines.append(f"Manage your place: {attendance.manage_url}")
    lines.append(f"Event page: {site.links.event_page(event.id)}")
    return "\n".join(lines)


def _role_description(part: RolePart, site: Site) -> str:
    event = part.role.event
    lines = [event.title, "", f"You are the {part.role.kind.value} of this event.", ""]
    if event.status == EventStatus.cancelled and event.cancel_reason:
        lines += [f"Cancelled: {event.cancel_reason}", ""]
    if event.description:
        lines += [markdown_to_text(event.description), ""]
    if part.join_url:
        lines.append(f"Join: {part.join_url}")
    if part.page_url:
        lines.append(f"Your speaker page (briefing, who is who): {part.page_url}")
    lines.append(f"Event page: {site.links.event_page(event.id)}")
    return "\n".join(lines)
