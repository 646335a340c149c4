"""An event's time in the programme's zone and a speaker's own: day offsets, and clock
changes in either zone between today and the event, on fixed dates across real changes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from events.zone_times import clock_changes, day_offset_words, short_time, two_zones

AUCKLAND, LOS_ANGELES, LONDON = "Pacific/Auckland", "America/Los_Angeles", "Europe/London"


def local(zone: str, *parts: int) -> datetime:
    return datetime(*parts, tzinfo=ZoneInfo(zone))  # type: ignore[misc]


def test_an_auckland_evening_is_the_day_before_in_los_angeles() -> None:
    # Tuesday 11 November 2025, 7:30 pm NZDT (UTC+13) is 06:30 UTC: Monday 10:30 pm PST.
    event = local(AUCKLAND, 2025, 11, 11, 19, 30)
    when = two_zones(event, AUCKLAND, LOS_ANGELES, now=local(AUCKLAND, 2025, 11, 4, 12, 0))
    assert when.label == "Tue 7:30 pm NZDT = Mon 10:30 pm PST (the day before)"
    assert when.day_offset == -1 and when.clock_changes == []


def test_a_los_angeles_programme_reads_the_day_after_in_auckland() -> None:
    event = local(LOS_ANGELES, 2025, 11, 10, 22, 30)
    when = two_zones(event, LOS_ANGELES, AUCKLAND, now=local(LOS_ANGELES, 2025, 11, 5, 9, 0))
    assert when.label == "Mon 10:30 pm PST = Tue 7:30 pm NZDT (the day after)"


def test_the_same_day_gets_no_offset_words_and_an_unknown_zone_shows_the_programme_alone(
        ) -> None:
    event = local(AUCKLAND, 2025, 7, 8, 19, 30)
    now = local(AUCKLAND, 2025, 7, 1, 9, 0)
    assert two_zones(event, AUCKLAND, "Australia/Sydney", now).label == \
        "Tue 7:30 pm NZST = Tue 5:30 pm AEST"
    assert two_zones(event, AUCKLAND, None, now).label == "Tue 7:30 pm NZST"
    assert two_zones(event, AUCKLAND, AUCKLAND, now).label == "Tue 7:30 pm NZST"


def test_zones_26_hours_apart_are_two_days_apart_at_midnight() -> None:
    # Kiritimati is UTC+14 and Baker Island's zone UTC-12.
    event = local("Pacific/Kiritimati", 2025, 7, 9, 0, 30)
    when = two_zones(event, "Pacific/Kiritimati", "Etc/GMT+12", now=event - timedelta(days=3))
    assert when.day_offset == -2 and when.label.endswith("(2 days before)")
    assert [day_offset_words(n) for n in (-1, 0, 1, 2)] == [
        "the day before", "", "the day after", "2 days after"]


def test_auckland_going_back_in_april_is_noted_before_an_event_after_it() -> None:
    # NZDT ends at 3 am on Sunday 6 April 2025 (14:00 UTC on the 5th).
    now = local(AUCKLAND, 2025, 3, 25, 12, 0)
    event = local(AUCKLAND, 2025, 4, 8, 19, 30)
    when = two_zones(event, AUCKLAND, LONDON, now)
    auckland = [c for c in when.clock_changes if c.zone_name == AUCKLAND]
    [change] = auckland
    assert change.at == datetime(2025, 4, 5, 14, 0, tzinfo=UTC)
    assert (change.before, change.after, change.forward) == ("NZDT", "NZST", False)
    assert change.sentence == ("Clocks in Pacific/Auckland go back on Sunday 6 April "
                               "(NZDT to NZST), before this event; the times shown allow for it.")
    # London went forward on 30 March, between the two as well: both are noted, in order.
    assert [c.zone_name for c in when.clock_changes] == [LONDON, AUCKLAND]
    # The times themselves are after both changes: 7:30 pm NZST is 8:30 am BST.
    assert when.label == "Tue 7:30 pm NZST = Tue 8:30 am BST"


def test_los_angeles_going_forward_in_march_is_noted_in_the_speakers_zone() -> None:
    # PDT starts at 2 am on Sunday 9 March 2025 (10:00 UTC); Auckland changes nothing then.
    now = local(AUCKLAND, 2025, 3, 1, 9, 0)
    event = local(AUCKLAND, 2025, 3, 18, 19, 30)
    when = two_zones(event, AUCKLAND, LOS_ANGELES, now)
    [change] = when.clock_changes
    assert (change.zone_name, change.at) == (LOS_ANGELES, datetime(2025, 3, 9, 10, 0, tzinfo=UTC))
    assert change.forward and (change.before, change.after) == ("PST", "PDT")
    assert when.label == "Tue 7:30 pm NZDT = Mon 11:30 pm PDT (the day before)"


def test_no_note_when_no_clock_changes_before_the_event_or_it_is_past() -> None:
    event = local(AUCKLAND, 2025, 6, 10, 19, 30)
    assert two_zones(event, AUCKLAND, LOS_ANGELES,
                     now=local(AUCKLAND, 2025, 5, 1, 9, 0)).clock_changes == []
    assert two_zones(event, AUCKLAND, LOS_ANGELES,
                     now=event + timedelta(days=300)).clock_changes == []


def test_a_year_ahead_finds_both_changes_of_each_zone() -> None:
    start = datetime(2025, 1, 1, tzinfo=UTC)
    end = datetime(2026, 1, 1, tzinfo=UTC)
    assert [(c.at.date().isoformat(), c.forward) for c in clock_changes(AUCKLAND, start, end)] == [
        ("2025-04-05", False), ("2025-09-27", True)]
    assert [(c.at.date().isoformat(), c.forward) for c in clock_changes(LONDON, start, end)] == [
        ("2025-03-30", True), ("2025-10-26", False)]
    assert clock_changes("Asia/Singapore", start, end) == []


@pytest.mark.parametrize(("zone", "expected"), [
    (AUCKLAND, "Wed 8:05 am NZDT"), (LOS_ANGELES, "Tue 11:05 am PST"), ("UTC", "Tue 7:05 pm UTC")])
def test_short_time_names_the_weekday_the_clock_and_the_zone(zone: str, expected: str) -> None:
    assert short_time(datetime(2025, 12, 2, 19, 5, tzinfo=UTC), zone) == expected
