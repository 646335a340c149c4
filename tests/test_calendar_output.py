"""Every calendar Mingle writes, read back byte by byte and by two independent parsers.

Objects are built in memory (no database): these are the rules of the
iCalendar text itself. ``icalendar`` and Mozilla's ical.js (the parser inside
Thunderbird) must both understand each output the same way.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from icalendar import Calendar

from events import calendar
from events.models import (
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    Person,
    Programme,
    Registration,
    RegistrationStatus,
    Role,
    RoleKind,
    Series,
)
from tests.conftest import make_site
from tests.icaljs.run import parse as icaljs

SITE = make_site()
MEETING_URL = "https://meet.example.net/secret-room-4417"
JOIN_URL = "https://mingle.example.org/join/7-abcdef"
SPEAKER_JOIN_URL = "https://mingle.example.org/speaker/join/11-abcdef"
SPEAKER_PAGE_URL = "https://mingle.example.org/speaker/speaker-token"
NOW = datetime(2026, 11, 1, 9, 0, tzinfo=UTC)
AUCKLAND = ZoneInfo("Pacific/Auckland")

# Everything that breaks naive writers: TEXT delimiters, a backslash, a
# newline, emoji (4-byte UTF-8), Māori macrons and CJK (3-byte UTF-8).
AWKWARD_TITLE = "Kōrero, tahi; \\ mō ngā kaitiaki 📚 図書館の未来"
AWKWARD_DESCRIPTION = ("First line, with a comma; and a semicolon.\n"
                       "Second line \\ with a backslash, 🌏🌱 and 中文 ēīōū ĀĒĪŌŪ.\n"
                       + "Tēnā koutou 中文 📚 " * 12)
AWKWARD_PROGRAMME = "Heroes, Mingle; NZ \\ Aotearoa"


def make_programme(name: str = "Library Conversations") -> Programme:
    return Programme(id=1, slug="conversations", name=name, timezone="Pacific/Auckland",
                     sender_name="Conversations team, Aotearoa", published_at=NOW)


def make_event(event_id: int = 5, programme: Programme | None = None,
               **fields: Any) -> Event:
    values: dict[str, Any] = {
        "id": event_id, "programme": programme or make_programme(),
        "kind": EventKind.conversation, "title": "Leading from any chair",
        "description": "A conversation.",
        "starts_at": datetime(2027, 2, 10, 19, 30, tzinfo=AUCKLAND).astimezone(UTC),
        "duration_minutes": 30, "timezone": "Pacific/Auckland",
        "status": EventStatus.published, "sequence": 0, "meeting_url": MEETING_URL,
        "updated_at": NOW, "cancel_reason": "",
    }
    values.update(fields)
    return Event(**values)


def make_attendance(event: Event, name: str = "Ada Lovelace",
                    email: str = "ada@example.org", sequence: int = 0) -> calendar.Attendance:
    person = Person(id=3, name=name, email=email)
    registration = Registration(id=7, event=event, person=person,
                                status=RegistrationStatus.confirmed, sequence=sequence)
    return calendar.Attendance(registration, join_url=JOIN_URL,
                               manage_url="https://mingle.example.org/me/tok")


def make_role(event: Event, kind: RoleKind = RoleKind.guest, role_id: int = 11,
              name: str = "Whina Cooper", email: str = "whina@example.org") -> calendar.RolePart:
    role = Role(id=role_id, event=event, kind=kind, status=InvitationStatus.accepted,
                person=Person(id=role_id + 100, name=name, email=email), sequence=0)
    return calendar.RolePart(role, join_url=SPEAKER_JOIN_URL, page_url=SPEAKER_PAGE_URL)


def every_output(event: Event) -> dict[str, bytes]:
    """One of each kind of calendar Mingle writes, about ``event``."""
    attendance = make_attendance(event)
    return {
        "download": calendar.event_download(event, SITE, now=NOW),
        "feed": calendar.feed([event], SITE, event.programme.name, "Pacific/Auckland", now=NOW),
        "personal feed": calendar.feed([event], SITE, "Yours", "Pacific/Auckland", now=NOW,
                                       personal={event.id: attendance}),
        "request": calendar.invitation(attendance, SITE, "REQUEST", 0, now=NOW),
        "cancel": calendar.invitation(attendance, SITE, "CANCEL", 1, now=NOW),
        "role request": calendar.role_invitation(make_role(event), SITE, "REQUEST", 0, now=NOW),
        "role cancel": calendar.role_invitation(make_role(event), SITE, "CANCEL", 1, now=NOW),
        "speaker feed": calendar.feed([event], SITE, "Speaking", "America/Los_Angeles",
                                      now=NOW, personal={event.id: make_role(event)}),
    }


OUTPUT_KINDS = list(every_output(make_event()).keys())


@pytest.fixture(params=OUTPUT_KINDS)
def awkward_output(request: pytest.FixtureRequest) -> tuple[str, Event, bytes]:
    event = make_event(title=AWKWARD_TITLE, description=AWKWARD_DESCRIPTION,
                       programme=make_programme(AWKWARD_PROGRAMME))
    return request.param, event, every_output(event)[request.param]


def test_every_output_is_crlf_folded_at_75_octets_on_character_boundaries(
        awkward_output: tuple[str, Event, bytes]) -> None:
    kind, _, raw = awkward_output
    # Nothing before BEGIN (Apple rejects it), CRLF after every line
    # including the last (RFC 5545 §3.1), and no bare CR or LF anywhere.
    assert raw.startswith(b"BEGIN:VCALENDAR\r\n"), kind
    assert raw.endswith(b"END:VCALENDAR\r\n"), kind
    assert raw.count(b"\n") == raw.count(b"\r\n") == raw.count(b"\r"), kind
    lines = raw.split(b"\r\n")[:-1]
    assert b"" not in lines, f"{kind}: blank line"
    for line in lines:
        assert len(line) <= 75, f"{kind}: {len(line)} octets: {line!r}"
        # Each physical line must be valid UTF-8 on its own: a fold inside a
        # multi-byte character shows as mojibake in Google Calendar.
        line.decode("utf-8")
    assert any(line.startswith(b" ") for line in lines), f"{kind}: nothing was folded"


def test_awkward_text_survives_both_parsers(awkward_output: tuple[str, Event, bytes]) -> None:
    kind, _, raw = awkward_output
    [vevent] = Calendar.from_ical(raw).walk("VEVENT")
    [parsed] = icaljs(raw)["events"]
    for summary in (str(vevent["SUMMARY"]), parsed["summary"]):
        assert summary.endswith(AWKWARD_TITLE), kind
    for description in (str(vevent["DESCRIPTION"]), parsed["description"]):
        assert AWKWARD_DESCRIPTION.strip() in description, kind
    # The escaped forms are on the wire, never a double escape.
    unfolded = raw.replace(b"\r\n ", b"").decode()
    assert "Kōrero\\, tahi\\; \\\\ mō" in unfolded
    assert "\\\\n" not in unfolded.replace("\\\\ ", "")


def test_organiser_and_attendee_names_with_delimiters_are_quoted_and_read_back() -> None:
    event = make_event()
    attendance = make_attendance(event, name='Ana "Ngaio" Te Whau, PhD; 図書館')
    raw = calendar.invitation(attendance, SITE, "REQUEST", 0, now=NOW)
    assert b'ORGANIZER;CN="Conversations team, Aotearoa":mailto:' in raw.replace(b"\r\n ", b"")
    [vevent] = Calendar.from_ical(raw).walk("VEVENT")
    assert vevent["ATTENDEE"].params["CN"] == 'Ana "Ngaio" Te Whau, PhD; 図書館'
    [parsed] = icaljs(raw)["events"]
    assert parsed["attendees"][0]["params"]["CN"] == 'Ana "Ngaio" Te Whau, PhD; 図書館'
    assert parsed["organizer"]["params"]["CN"] == "Conversations team, Aotearoa"


def test_feed_names_escape_a_comma_a_semicolon_and_a_backslash() -> None:
    raw = calendar.feed([make_event()], SITE, AWKWARD_PROGRAMME, "Pacific/Auckland", now=NOW)
    lines = raw.decode().split("\r\n")
    assert "X-WR-CALNAME:Heroes\\, Mingle\\; NZ \\\\ Aotearoa" in lines
    assert "NAME:Heroes\\, Mingle\\; NZ \\\\ Aotearoa" in lines
    # icalendar keeps unknown-typed names as written; read the wire value by
    # its TEXT rules, as calendar apps do, and it is the programme's name,
    # not a value cut at the comma or the semicolon.
    wire = next(line for line in lines if line.startswith("X-WR-CALNAME:"))
    as_text = Calendar.from_ical(
        f"BEGIN:VEVENT\r\nSUMMARY:{wire.partition(':')[2]}\r\nEND:VEVENT\r\n")
    assert str(as_text["SUMMARY"]) == AWKWARD_PROGRAMME
    read = icaljs(raw)
    assert read["calname"] == read["calendarName"] == AWKWARD_PROGRAMME


def test_feed_has_names_refresh_hints_and_one_entry_per_event_without_attendees() -> None:
    programme = make_programme()
    first, second = make_event(5, programme), make_event(6, programme, title="Second")
    attendance = make_attendance(second)
    raw = calendar.feed([first, second, first], SITE, "Library Conversations",
                        "Pacific/Auckland", now=NOW, personal={second.id: attendance})
    read = icaljs(raw)
    assert read["method"] == "PUBLISH"
    assert read["calname"] == "Library Conversations"
    assert read["wrTimezone"] == "Pacific/Auckland"
    assert read["refreshInterval"] == {"value": "PT1H", "type": "duration", "params": {}}
    assert read["publishedTtl"] == "PT1H"
    uids = [entry["uid"] for entry in read["events"]]
    assert uids == ["event-5@mingle.example.org", "registration-7@mingle.example.org"]
    assert all(entry["attendees"] == [] for entry in read["events"])
    assert b"ATTENDEE" not in raw and b"ORGANIZER" not in raw
    assert b"REFRESH-INTERVAL;VALUE=DURATION:PT1H\r\n" in raw


def test_a_feed_written_event_by_event_is_the_calendar_icalendar_writes_whole() -> None:
    programme = make_programme()
    events = [make_event(5, programme), make_event(6, programme, timezone="Europe/Berlin"),
              make_event(7, programme, title="Third")]
    raw = calendar.feed(events, SITE, "Library Conversations", "Pacific/Auckland", now=NOW,
                        personal={6: make_attendance(events[1])})
    parsed = Calendar.from_ical(raw)
    assert parsed.to_ical() == raw
    assert raw.count(b"BEGIN:VCALENDAR") == raw.count(b"END:VCALENDAR") == 1
    assert raw.endswith(b"END:VEVENT\r\nEND:VCALENDAR\r\n")
    assert [str(zone["TZID"]) for zone in parsed.walk("VTIMEZONE")] == [
        "Europe/Berlin", "Pacific/Auckland"]
    assert [str(v["UID"]) for v in parsed.walk("VEVENT")] == [
        "event-5@mingle.example.org", "registration-7@mingle.example.org",
        "event-7@mingle.example.org"]
    assert len(icaljs(raw)["events"]) == 3


def test_an_empty_feed_is_a_valid_calendar_without_events() -> None:
    raw = calendar.feed([], SITE, "Nothing yet", "Pacific/Auckland", now=NOW)
    parsed = Calendar.from_ical(raw)
    assert parsed.walk("VEVENT") == [] and str(parsed["VERSION"]) == "2.0"
    read = icaljs(raw)
    assert read["name"] == "vcalendar" and read["events"] == []
    assert read["prodid"] == calendar.PRODID


def test_cancelled_events_stay_in_feeds_marked_cancelled() -> None:
    event = make_event(status=EventStatus.cancelled, sequence=2,
                       cancel_reason="The guest is unwell")
    [entry] = icaljs(calendar.feed([event], SITE, "x", "Pacific/Auckland", now=NOW))["events"]
    assert entry["status"] == "CANCELLED" and entry["sequence"] == 2
    assert entry["summary"] == "Cancelled: Leading from any chair"
    assert "The guest is unwell" in entry["description"]


def test_download_is_publish_with_the_public_uid_and_no_people_or_meeting_link() -> None:
    event = make_event(series=Series(id=2, title="Leadership"))
    raw = calendar.event_download(event, SITE, now=NOW)
    read = icaljs(raw)
    assert read["method"] == "PUBLISH"
    [entry] = read["events"]
    assert entry["uid"] == "event-5@mingle.example.org"
    assert entry["url"] == "https://mingle.example.org/events/5"
    assert entry["location"] == calendar.PUBLIC_LOCATION
    assert entry["attendees"] == [] and entry["organizer"] is None
    assert entry["conference"] == []
    assert MEETING_URL.encode() not in raw and b"/join/" not in raw


@pytest.mark.parametrize("method", ["REQUEST", "CANCEL"])
def test_invitation_has_everything_itip_requires(method: str) -> None:
    event = make_event(sequence=1)
    attendance = make_attendance(event, sequence=1)
    sequence = 2 if method == "REQUEST" else 3
    raw = calendar.invitation(attendance, SITE, method, sequence, now=NOW)
    read = icaljs(raw)
    assert read["method"] == method
    [entry] = read["events"]
    assert entry["uid"] == "registration-7@mingle.example.org"
    assert entry["sequence"] == sequence
    assert entry["dtstamp"]["utc"] == "2026-11-01T09:00:00.000Z"
    assert entry["organizer"] == {
        "value": "mailto:programme@mingle.example.org", "type": "cal-address",
        "params": {"CN": "Conversations team, Aotearoa"}}
    assert entry["attendees"] == [{
        "value": "mailto:ada@example.org", "type": "cal-address",
        "params": {"CN": "Ada Lovelace", "ROLE": "REQ-PARTICIPANT", "PARTSTAT": "ACCEPTED",
                   "RSVP": "FALSE"}}]
    # Google and Outlook ignore CONFERENCE (RFC 7986 §5.11, VALUE=URI
    # required), so the join link is the LOCATION as well.
    assert entry["location"] == JOIN_URL
    assert entry["conference"] == [{"value": JOIN_URL, "type": "uri",
                                    "params": {"FEATURE": "VIDEO", "LABEL": "Join"}}]
    assert b";VALUE=URI" in next(line for line in raw.replace(b"\r\n ", b"").split(b"\r\n")
                                 if line.startswith(b"CONFERENCE;"))
    assert "Manage your place: https://mingle.example.org/me/tok" in entry["description"]
    assert "Event page: https://mingle.example.org/events/5" in entry["description"]
    if method == "REQUEST":
        assert entry["status"] == "CONFIRMED"
        assert entry["alarms"] == [{"action": "DISPLAY", "trigger": "-PT15M"}]
    else:
        assert entry["status"] == "CANCELLED" and entry["alarms"] == []
    assert MEETING_URL.encode() not in raw


@pytest.mark.parametrize(("kind", "role"), [
    (RoleKind.facilitator, "CHAIR"), (RoleKind.guest, "REQ-PARTICIPANT"),
    (RoleKind.presenter, "REQ-PARTICIPANT")])
def test_role_invitations_name_the_person_with_their_role_and_own_join_link_not_the_room(
        kind: RoleKind, role: str) -> None:
    event = make_event(sequence=4)
    raw = calendar.role_invitation(make_role(event, kind), SITE, "REQUEST", 4, now=NOW)
    [entry] = icaljs(raw)["events"]
    assert entry["uid"] == "role-11@mingle.example.org"
    assert entry["sequence"] == 4
    assert entry["attendees"][0]["value"] == "mailto:whina@example.org"
    assert entry["attendees"][0]["params"]["ROLE"] == role
    assert entry["organizer"]["value"] == "mailto:programme@mingle.example.org"
    assert f"You are the {kind.value} of this event." in entry["description"]
    assert SPEAKER_PAGE_URL in entry["description"]
    assert entry["location"] == SPEAKER_JOIN_URL
    assert [c["value"] for c in entry["conference"]] == [SPEAKER_JOIN_URL]
    assert MEETING_URL.encode() not in raw


def test_only_request_and_cancel_are_itip_methods() -> None:
    event = make_event()
    with pytest.raises(ValueError, match="PUBLISH"):
        calendar.invitation(make_attendance(event), SITE, "PUBLISH", 0)
    with pytest.raises(ValueError, match="REPLY"):
        calendar.role_invitation(make_role(event), SITE, "REPLY", 0)


@pytest.mark.parametrize("zone_name", ["Pacific/Auckland", "Europe/Berlin",
                                       "America/New_York", "Australia/Sydney"])
def test_every_tzid_has_a_vtimezone_with_rrules_not_rdate_lists(zone_name: str) -> None:
    event = make_event(timezone=zone_name)
    for kind, raw in every_output(event).items():
        text = raw.decode()
        assert f"DTSTART;TZID={zone_name}:" in text, kind
        parsed = Calendar.from_ical(raw)
        [zone] = parsed.walk("VTIMEZONE")
        assert str(zone["TZID"]) == zone_name
        observances = zone.walk("STANDARD") + zone.walk("DAYLIGHT")
        assert len(observances) == 2
        assert all("RRULE" in o and "RDATE" not in o for o in observances), kind
        assert icaljs(raw)["timezones"] == [zone_name]


def test_a_zone_without_daylight_saving_still_has_a_standard_observance() -> None:
    raw = calendar.event_download(make_event(timezone="Asia/Kolkata"), SITE, now=NOW)
    [zone] = Calendar.from_ical(raw).walk("VTIMEZONE")
    [standard] = zone.walk("STANDARD")
    assert standard["TZOFFSETTO"].td == timedelta(hours=5, minutes=30)
    [entry] = icaljs(raw)["events"]
    assert entry["dtstart"]["utc"] == "2027-02-10T06:30:00.000Z"


def test_utc_events_are_written_as_utc_instants_without_a_vtimezone() -> None:
    raw = calendar.event_download(make_event(timezone="UTC"), SITE, now=NOW)
    assert b"VTIMEZONE" not in raw and b"DTSTART:20270210T063000Z\r\n" in raw
    [entry] = icaljs(raw)["events"]
    assert entry["dtstart"]["utc"] == "2027-02-10T06:30:00.000Z"


def test_identifiers_are_stable_and_distinct_per_kind_of_object() -> None:
    event = make_event()
    attendance = make_attendance(event)
    uids: Callable[[bytes], list[str]] = lambda raw: [  # noqa: E731
        str(v["UID"]) for v in Calendar.from_ical(raw).walk("VEVENT")]
    outputs = every_output(event)
    assert uids(outputs["request"]) == uids(outputs["cancel"]) == uids(
        calendar.invitation(attendance, SITE, "REQUEST", 5))
    assert uids(outputs["role request"]) == uids(outputs["role cancel"]) == uids(
        outputs["speaker feed"])
    assert len({uids(outputs[k])[0] for k in ("download", "request", "role request")}) == 3
