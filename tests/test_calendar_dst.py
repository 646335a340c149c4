"""Pacific/Auckland's daylight-saving changes: the intended wall-clock time in every output.

New Zealand leaves daylight time on the first Sunday of April (03:00 NZDT
becomes 02:00 NZST) and enters it on the last Sunday of September (02:00
NZST becomes 03:00 NZDT). ical.js is asked for the UTC instant of DTSTART
after registering the file's own VTIMEZONE; a VTIMEZONE it misread (such as
a comma-separated RDATE list) would put these events an hour off. Expected
instants are worked out by hand from the offsets, not by the code under test.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import parse_qs, urlsplit
from zoneinfo import ZoneInfo

import pytest
from flask.testing import FlaskClient
from icalendar import Calendar

from events import calendar, calendar_links
from events.models import Event
from tests.icaljs.run import parse as icaljs
from tests.test_calendar_output import NOW, SITE, every_output, make_event, make_programme

AUCKLAND = ZoneInfo("Pacific/Auckland")
NZST, NZDT = timedelta(hours=12), timedelta(hours=13)
YEAR = datetime.now(UTC).year + 1


def first_sunday_of_april(year: int) -> date:
    first = date(year, 4, 1)
    return first + timedelta(days=(6 - first.weekday()) % 7)


def last_sunday_of_september(year: int) -> date:
    last = date(year, 9, 30)
    return last - timedelta(days=(last.weekday() + 1) % 7)


APRIL, SEPTEMBER = first_sunday_of_april(YEAR), last_sunday_of_september(YEAR)
DAY = timedelta(days=1)

# (name, local day, local time, the offset in force then)
CASES = [
    ("19:30 the day after daylight time ends", APRIL + DAY, time(19, 30), NZST),
    ("19:30 on the evening daylight time ended", APRIL, time(19, 30), NZST),
    ("01:30 just before daylight time ends", APRIL, time(1, 30), NZDT),
    ("19:30 the day after daylight time starts", SEPTEMBER + DAY, time(19, 30), NZDT),
    ("19:30 on the evening daylight time started", SEPTEMBER, time(19, 30), NZDT),
    ("01:30 just before daylight time starts", SEPTEMBER, time(1, 30), NZST),
]


def expected_utc(day: date, clock: time, offset: timedelta) -> datetime:
    return (datetime.combine(day, clock) - offset).replace(tzinfo=UTC)


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_the_cases_sit_where_new_zealand_law_puts_them() -> None:
    # Guards the hand-worked offsets above against the IANA database.
    for _, day, clock, offset in CASES:
        assert datetime.combine(day, clock, AUCKLAND).utcoffset() == offset


@pytest.mark.parametrize(("name", "day", "clock", "offset"), CASES, ids=[c[0] for c in CASES])
def test_every_output_keeps_the_wall_clock_time_across_the_change(
        name: str, day: date, clock: time, offset: timedelta) -> None:
    start = expected_utc(day, clock, offset)
    event = make_event(starts_at=start, duration_minutes=30)
    wall = f"DTSTART;TZID=Pacific/Auckland:{day:%Y%m%d}T{clock:%H%M}00"
    for kind, raw in every_output(event).items():
        assert wall in raw.decode(), kind
        [entry] = icaljs(raw)["events"]
        assert entry["dtstart"]["utc"] == iso(start), kind
        assert entry["dtend"]["utc"] == iso(start + timedelta(minutes=30)), kind
        assert entry["dtstart"]["zone"] == "Pacific/Auckland", kind
        [vevent] = Calendar.from_ical(raw).walk("VEVENT")
        assert vevent["DTSTART"].dt.astimezone(UTC) == start, kind

    links = calendar_links.links_for(event, SITE)
    google = parse_qs(urlsplit(links.google).query)
    assert google["dates"] == [f"{start:%Y%m%dT%H%M%SZ}/"
                               f"{start + timedelta(minutes=30):%Y%m%dT%H%M%SZ}"]
    for outlook in (links.outlook_com, links.microsoft_365):
        assert parse_qs(urlsplit(outlook).query)["startdt"] == [f"{start:%Y-%m-%dT%H:%M:%SZ}"]


@pytest.mark.parametrize(("fold", "offset"), [(0, NZDT), (1, NZST)],
                         ids=["first 02:30", "second 02:30"])
def test_a_time_in_the_repeated_hour_is_written_as_the_instant_it_means(
        fold: int, offset: timedelta) -> None:
    # 02:30 happens twice on the night daylight time ends; the local form
    # cannot say which, and parsers disagree, so it goes out in UTC.
    start = expected_utc(APRIL, time(2, 30), offset)
    assert datetime.combine(APRIL, time(2, 30), AUCKLAND).replace(fold=fold).utcoffset() == offset
    event = make_event(starts_at=start, duration_minutes=20)
    for kind, raw in every_output(event).items():
        assert f"DTSTART:{start:%Y%m%dT%H%M%S}Z\r\n" in raw.decode(), kind
        [entry] = icaljs(raw)["events"]
        assert entry["dtstart"]["utc"] == iso(start), kind
        assert entry["dtend"]["utc"] == iso(start + timedelta(minutes=20)), kind
        [vevent] = Calendar.from_ical(raw).walk("VEVENT")
        assert vevent["DTSTART"].dt == start, kind


def test_one_feed_holding_both_sides_of_both_changes_gets_every_instant_right() -> None:
    programme = make_programme()
    events = [make_event(index, programme, starts_at=expected_utc(day, clock, offset))
              for index, (_, day, clock, offset) in enumerate(CASES, start=1)]
    raw = calendar.feed(events, SITE, programme.name, "Pacific/Auckland", now=NOW)
    read = icaljs(raw)
    assert read["timezones"] == ["Pacific/Auckland"]
    assert [entry["dtstart"]["utc"] for entry in read["events"]] == [
        iso(event.starts_at) for event in events]


def test_pages_downloads_and_feeds_served_show_the_local_time_across_the_change(
        client: FlaskClient, make_event: Callable[..., Event]) -> None:
    after_april = make_event(title="After the April change",
                             starts_at=expected_utc(APRIL + DAY, time(19, 30), NZST))
    after_september = make_event(title="After the September change",
                                 starts_at=expected_utc(SEPTEMBER + DAY, time(19, 30), NZDT))
    for event, zone_name in ((after_april, "NZST"), (after_september, "NZDT")):
        page = client.get(f"/events/{event.id}").get_data(as_text=True)
        assert f"7:30 pm {zone_name}" in page
        [entry] = icaljs(client.get(f"/events/{event.id}.ics").data)["events"]
        assert entry["dtstart"]["utc"] == iso(event.starts_at)
        assert entry["dtstart"]["local"].endswith("T19:30:00")
    feed = icaljs(client.get("/programmes/conversations/calendar.ics").data)
    assert {entry["summary"]: entry["dtstart"]["utc"] for entry in feed["events"]} == {
        "After the April change": iso(after_april.starts_at),
        "After the September change": iso(after_september.starts_at)}
