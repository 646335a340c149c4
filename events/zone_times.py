"""An event's time in two zones: the programme's and a person's own.

A guest in Los Angeles invited to a 7:30 pm Auckland conversation must see at
a glance that it is the evening *before* for them, and be warned when a clock
change in either place falls between today and the event, because the gap
between the two zones then moves by an hour ("Tue 7:30 pm NZDT = Mon 10:30 pm
PST (the day before)"). Everything here is computed from the IANA rules in
``zoneinfo``; nothing is stored.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

# Clock changes are months apart: a sample every week cannot miss one, and
# the moment is then found by halving the week down to the minute.
_SAMPLE = timedelta(days=7)
_PRECISION = timedelta(minutes=1)


def short_time(moment: datetime, zone_name: str) -> str:
    """'Tue 7:30 pm NZDT': weekday, clock time and the zone's abbreviation."""
    local = moment.astimezone(ZoneInfo(zone_name))
    hour = local.strftime("%I").lstrip("0")
    return f"{local:%a} {hour}:{local:%M} {local.strftime('%p').lower()} {local.tzname()}"


def day_offset_words(days: int) -> str:
    """How a date ``days`` after another is said beside it: 'the day before', ''..."""
    if days == 0:
        return ""
    if abs(days) == 1:
        return "the day after" if days > 0 else "the day before"
    return f"{abs(days)} days {'after' if days > 0 else 'before'}"


@dataclass(frozen=True)
class ClockChange:
    """A change of a zone's offset from UTC (daylight time starting or ending)."""

    zone_name: str
    # The first instant of the new offset.
    at: datetime
    before: str
    after: str
    forward: bool

    @property
    def sentence(self) -> str:
        """E.g. 'Clocks in Pacific/Auckland go back on Sunday 6 April (NZDT to NZST),
        before this event; the times shown allow for it.'"""
        local = self.at.astimezone(ZoneInfo(self.zone_name))
        direction = "forward" if self.forward else "back"
        return (f"Clocks in {self.zone_name} go {direction} on {local:%A} {local.day} "
                f"{local:%B} ({self.before} to {self.after}), before this event; "
                "the times shown allow for it.")


def clock_changes(zone_name: str, start: datetime, end: datetime) -> list[ClockChange]:
    """Every change of ``zone_name``'s UTC offset after ``start`` and up to ``end``."""
    zone = ZoneInfo(zone_name)
    found = []
    # In UTC: arithmetic on times of one zone is wall-clock arithmetic, which
    # is exactly what goes wrong across a clock change.
    left, end = start.astimezone(UTC), end.astimezone(UTC)
    while left < end:
        right = min(left + _SAMPLE, end)
        if left.astimezone(zone).utcoffset() != right.astimezone(zone).utcoffset():
            found.append(_change_within(zone_name, zone, left, right))
        left = right
    return found


def _change_within(zone_name: str, zone: ZoneInfo, left: datetime,
                   right: datetime) -> ClockChange:
    was = left.astimezone(zone)
    while right - left > _PRECISION:
        middle = left + (right - left) / 2
        if middle.astimezone(zone).utcoffset() == was.utcoffset():
            left = middle
        else:
            right = middle
    # Changes fall on whole minutes (in practice, whole hours).
    at = right.replace(second=0, microsecond=0)
    if at.astimezone(zone).utcoffset() == was.utcoffset():
        at += _PRECISION
    new = at.astimezone(zone)
    before, after = was.utcoffset(), new.utcoffset()
    return ClockChange(zone_name, at, was.tzname() or zone_name, new.tzname() or zone_name,
                       forward=bool(before is not None and after is not None and after > before))


@dataclass(frozen=True)
class TwoZoneTime:
    """A moment as the programme and a person each read it."""

    programme: str
    # The person's own reading, when their zone is known and differs.
    own: str | None
    # Their date minus the programme's (-1: the day before for them).
    day_offset: int
    clock_changes: list[ClockChange]

    @property
    def label(self) -> str:
        """'Tue 7:30 pm NZDT = Mon 10:30 pm PST (the day before)', or the programme's alone."""
        if self.own is None:
            return self.programme
        words = day_offset_words(self.day_offset)
        return f"{self.programme} = {self.own}" + (f" ({words})" if words else "")


def two_zones(moment: datetime, programme_zone: str, own_zone: str | None,
              now: datetime) -> TwoZoneTime:
    """``moment`` in the programme's zone and the person's own, with the clock changes in
    either that fall between ``now`` and ``moment``."""
    zones = [programme_zone]
    own = None
    offset = 0
    if own_zone and own_zone != programme_zone:
        zones.append(own_zone)
        own = short_time(moment, own_zone)
        offset = (moment.astimezone(ZoneInfo(own_zone)).date()
                  - moment.astimezone(ZoneInfo(programme_zone)).date()).days
    changes = [change for zone_name in zones for change in clock_changes(zone_name, now, moment)]
    return TwoZoneTime(short_time(moment, programme_zone), own, offset,
                       sorted(changes, key=lambda change: change.at))
