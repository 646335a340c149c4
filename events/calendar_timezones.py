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
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Timezone, TimezoneDaylight, TimezoneStandard


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
