"""VTIMEZONE blocks computed from the IANA database, in a shape every client reads.

RFC 5545 §3.2.19: every TZID must be resolved by a VTIMEZONE in the same
object. ``icalendar``'s ``add_missing_timezones()`` lists all transitions of
an observance on one comma-separated RDATE line, which ical.js 2.2.1 and
vobject read as its first date only, putting events an hour off. Here each
observance is a yearly RRULE where the zone follows one (as nearly all do),
otherwise one RDATE per line.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone, TimezoneDaylight, TimezoneStandard

from events.models import Event


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


UTC_NAMES = frozenset({"UTC", "Etc/UTC", "Etc/GMT", "GMT", "Etc/Zulu", "Zulu"})


def wall_clock(event: Event, moment: datetime) -> datetime:
    """``moment`` as the event's local time (TZID form), or in UTC if that is ambiguous.

    In the hour a zone repeats when daylight time ends, one local time names
    two instants. RFC 5545 §3.3.5 says the first is meant, but ical.js picks
    the second, so such a time is written as the UTC instant instead.
    """
    if event.timezone in UTC_NAMES:
        return moment.astimezone(UTC)
    local = moment.astimezone(event.zone)
    if local.replace(fold=1 - local.fold).utcoffset() != local.utcoffset():
        return moment.astimezone(UTC)
    return local


def add_series_timezones(calendar: Calendar, series: list[Calendar]) -> None:
    """Add the VTIMEZONEs of whole calendars (a group's meetings) not in ``calendar`` yet."""
    # RFC 5545 §3.2.19: every TZID once, with its VTIMEZONE; a zone the events
    # brought already is not repeated.
    known = {str(zone["tzid"]) for zone in calendar.walk("VTIMEZONE")}
    for entries in series:
        for zone in entries.walk("VTIMEZONE"):
            if str(zone["tzid"]) not in known:
                known.add(str(zone["tzid"]))
                calendar.add_component(zone)


def add_timezones(calendar: Calendar, events: Iterable[Event]) -> None:
    """Add a VTIMEZONE for every zone of ``events``, covering the years they span."""
    for zone, first, last in zone_spans((event.timezone, event.local_start, event.local_end)
                                         for event in events):
        calendar.add_component(vtimezone(zone, first, last))


def zone_spans(times: Iterable[tuple[str, datetime, datetime]]) -> list[tuple[str, int, int]]:
    """Each zone of (zone, local start, local end) with the first and last year to cover."""
    # Each zone with the years its events' local times cover, and one more each side.
    years: dict[str, set[int]] = defaultdict(set)
    for zone, local_start, local_end in times:
        if zone not in UTC_NAMES:
            years[zone].update({local_start.year, local_end.year})
    return [(zone, min(years[zone]) - 1, max(years[zone]) + 1) for zone in sorted(years)]
