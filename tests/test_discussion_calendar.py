"""A group's weekly meetings in calendars: one RRULE series per member that keeps 7:30 pm
in Auckland across New Zealand's September clock change, the Australian member's week
that moves, and a skipped week that disappears, as read by ical.js, ``icalendar`` and
vobject (whose recurrence sets are dateutil's). The invitations arrive through a real
SMTP server and are parsed as they arrived.

New Zealand enters daylight time on the last Sunday of September, New South Wales on
the first Sunday of October. Expected instants are worked out by hand from the offsets.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import vobject
from flask import Flask
from flask.testing import FlaskClient
from icalendar import Calendar
from sqlalchemy import select
from sqlalchemy.orm import Session

from events import access
from events.discussions import (
    attendance,
    forming,
    group_page,
    meeting_calendar,
    meetings,
    membership,
    planning,
)
from events.discussions.models import BookDiscussion, GroupMember
from events.discussions.signing_up import Wishes, sign_up
from events.models import Programme
from tests.conftest import SmtpInbox, make_site
from tests.icaljs.run import expand
from tests.test_calendar_dst import last_sunday_of_september
from tests.test_discussions import make_discussion
from webapp import mailer

YEAR = datetime.now(UTC).year + 1
NZ_CHANGE = last_sunday_of_september(YEAR)
# Week 1 begins two Mondays before New Zealand's change; five Tuesdays at 19:30.
FIRST_MONDAY = NZ_CHANGE - timedelta(days=6 + 7)
TUESDAYS = [FIRST_MONDAY + timedelta(days=1, weeks=n) for n in range(5)]
NZST, NZDT = timedelta(hours=12), timedelta(hours=13)


def at_1930(day: date, offset: timedelta) -> datetime:
    return (datetime(day.year, day.month, day.day, 19, 30) - offset).replace(tzinfo=UTC)


# Two Tuesdays before the change (NZST), three after (NZDT): 07:30Z then 06:30Z.
EXPECTED = [at_1930(day, NZST if day < NZ_CHANGE else NZDT) for day in TUESDAYS]
SITE = make_site()


def iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000Z")


def test_the_expected_instants_follow_new_zealand_law() -> None:
    auckland = ZoneInfo("Pacific/Auckland")
    for day, expected in zip(TUESDAYS, EXPECTED, strict=True):
        assert expected.astimezone(auckland).strftime("%Y-%m-%d %H:%M") == f"{day} 19:30"
    assert [e.strftime("%H:%M") for e in EXPECTED] == ["07:30", "07:30", "06:30", "06:30",
                                                      "06:30"]


def published_group(session: Session, programme: Programme) -> BookDiscussion:
    discussion = make_discussion(session, programme, first_week_on=FIRST_MONDAY, weeks=5,
                                 slots=["Tuesday 19:30"], threads=["Craft"])
    for n in range(6):
        sign_up(session, discussion.id, f"Reader {n}", f"reader{n}@example.org",
                Wishes([discussion.slots[0].id],
                       timezone="Australia/Sydney" if n == 0 else ""))
    session.commit()
    planning.offer_groups_for_every_thread_and_slot(session, discussion)
    [group] = forming.candidate_groups(session, discussion)
    planning.save_group(session, discussion, planning.GroupPlan(
        group.thread_id, group.slot_id, "Kate Wilson", "kate@example.org"), group)
    forming.form(session, discussion, forming.ConcessionsPlan())
    membership.publish(session, discussion)
    session.commit()
    return discussion


def member_series(member: GroupMember, method: str | None = "REQUEST") -> bytes:
    return meeting_calendar.series(member, SITE, join_url="https://mingle.example.org/j",
                                   page_url="https://mingle.example.org/p",
                                   now=datetime.now(UTC), method=method).to_ical()


def vobject_instants(ics: bytes) -> list[datetime]:
    parsed = vobject.readOne(ics.decode())
    return sorted(moment.astimezone(UTC) for moment in parsed.vevent.getrruleset(addRDate=True))


def first_member(session: Session) -> GroupMember:
    member = session.scalars(select(GroupMember).order_by(GroupMember.id)).first()
    assert member is not None
    return member


def test_the_series_keeps_1930_in_auckland_across_the_change_in_every_parser(
        session: Session, programme: Programme) -> None:
    published_group(session, programme)
    ics = member_series(first_member(session))
    [entry] = expand(ics)["events"]
    assert entry["occurrences"] == [iso(moment) for moment in EXPECTED]
    assert vobject_instants(ics) == EXPECTED
    [vevent] = Calendar.from_ical(ics).walk("VEVENT")
    start = vevent.decoded("dtstart")
    assert (start.tzinfo.key, start.strftime("%a %H:%M")) == ("Pacific/Auckland", "Tue 19:30")
    assert vevent["rrule"]["FREQ"] == ["WEEKLY"] and vevent["rrule"]["COUNT"] == [5]
    assert "BEGIN:VTIMEZONE" in ics.decode() and "TZID:Pacific/Auckland" in ics.decode()


def test_a_skipped_week_leaves_every_parser_and_its_cancel_names_that_occurrence(
        session: Session, programme: Programme) -> None:
    discussion = published_group(session, programme)
    [group] = attendance.running_groups(session, discussion)
    meetings.skip_week(session, group, 3)
    session.commit()
    member = first_member(session)
    ics = member_series(member)
    kept = [moment for n, moment in enumerate(EXPECTED, start=1) if n != 3]
    assert expand(ics)["events"][0]["occurrences"] == [iso(moment) for moment in kept]
    assert vobject_instants(ics) == kept
    exdates = [d.dt for prop in [Calendar.from_ical(ics).walk("VEVENT")[0]["exdate"]]
               for d in (prop.dts if hasattr(prop, "dts") else [])]
    assert [d.astimezone(UTC) for d in exdates] == [EXPECTED[2]]
    cancel = meeting_calendar.skipped_occurrence(
        member, SITE, 3, join_url="https://mingle.example.org/j", now=datetime.now(UTC),
        sequence=member.sequence).to_ical()
    [instance] = expand(cancel)["events"]
    assert expand(cancel)["method"] == "CANCEL"
    assert instance["recurrenceId"] == iso(EXPECTED[2])
    assert instance["recurrenceTzid"] == "Pacific/Auckland"
    assert instance["uid"] == expand(ics)["events"][0]["uid"]
    assert instance["status"] == "CANCELLED"
    parsed = vobject.readOne(cancel.decode()).vevent
    assert parsed.recurrence_id.value.astimezone(UTC) == EXPECTED[2]


def test_each_member_sees_the_meetings_in_their_own_zone(session: Session,
                                                         programme: Programme) -> None:
    published_group(session, programme)
    members = session.scalars(select(GroupMember).order_by(GroupMember.id)).all()
    sydney = group_page.group_view(session, SITE, members[0].sign_up)
    auckland = group_page.group_view(session, SITE, members[1].sign_up)
    assert [m.starts_at.strftime("%H:%M") for m in auckland.meetings] == ["19:30"] * 5
    # New South Wales changes a week after New Zealand: one week at 16:30.
    assert [m.starts_at.strftime("%H:%M %Z") for m in sydney.meetings] == [
        "17:30 AEST", "17:30 AEST", "16:30 AEST", "17:30 AEDT", "17:30 AEDT"]


def text_of(message: Any) -> str:
    return message.get_body(preferencelist=("plain",)).get_content()


def calendar_part(message: Any) -> Any:
    return next(part for part in message.walk() if part.get_content_type() == "text/calendar")


def test_each_member_gets_one_email_with_their_group_and_every_meeting_for_their_calendar(
        mail_app: tuple[Flask, SmtpInbox], session: Session, programme: Programme) -> None:
    _, inbox = mail_app
    discussion = published_group(session, programme)
    while mailer.drain_once() != (0, 0):
        pass
    placed = [m for m in inbox.wait_for(12) if "book discussion group" in m["Subject"]]
    assert len(placed) == 6
    assert {m["To"].addresses[0].addr_spec for m in placed} == {
        f"reader{n}@example.org" for n in range(6)}
    message = next(m for m in placed if m["To"].addresses[0].addr_spec == "reader1@example.org")
    text = text_of(message)
    for expected in ("Thread: Craft", "Facilitator: Kate", "Week 1: Chapters 1-4",
                     "What does a library owe its town?", "/groups/join/"):
        assert expected in text, expected
    assert "Wilson" not in text  # the facilitator's first name only
    part = calendar_part(message)
    assert part.get_param("method") == "REQUEST"
    ics = part.get_content().encode() if isinstance(part.get_content(), str) \
        else part.get_content()
    [entry] = expand(ics)["events"]
    assert entry["occurrences"] == [iso(moment) for moment in EXPECTED]
    sydney = next(m for m in placed if m["To"].addresses[0].addr_spec == "reader0@example.org")
    assert "(times in Australia/Sydney)" in text_of(sydney)
    # Leaving sends a CANCEL of the same series.
    member = first_member(session)
    membership.leave(session, member)
    session.commit()
    while mailer.drain_once() != (0, 0):
        pass
    left = [m for m in inbox.wait_for(len(inbox.envelopes) + 1) if "You have left" in m["Subject"]]
    assert len(left) == 1
    cancel = calendar_part(left[0])
    assert cancel.get_param("method") == "CANCEL"
    assert discussion.book_title in text_of(left[0])



def invitation_of(message: Any) -> bytes:
    content = calendar_part(message).get_content()
    return content.encode() if isinstance(content, str) else content


def test_the_private_feed_carries_the_invitations_series_and_drops_a_skipped_week(
        mail_app: tuple[Flask, SmtpInbox], client: FlaskClient, session: Session,
        programme: Programme) -> None:
    _, inbox = mail_app
    discussion = published_group(session, programme)
    while mailer.drain_once() != (0, 0):
        pass
    member = session.scalars(select(GroupMember).order_by(GroupMember.id)).all()[1]
    email = member.sign_up.person.email
    placed = next(m for m in inbox.wait_for(12) if "book discussion group" in m["Subject"]
                  and m["To"].addresses[0].addr_spec == email)
    invited = invitation_of(placed)
    [sent] = expand(invited)["events"]
    token = access.issue_manage_token(session, SITE, member.sign_up.person)
    session.commit()
    assert client.get(f"/me/{token}x/calendar.ics").status_code == 404

    def feed_entry() -> tuple[bytes, dict[str, Any]]:
        body = client.get(f"/me/{token}/calendar.ics").get_data()
        parsed = expand(body)
        assert parsed["method"] == "PUBLISH"
        return body, next(e for e in parsed["events"] if e["uid"] == sent["uid"])

    body, entry = feed_entry()
    # The same series: one UID, every week at 19:30 Auckland across the change, in
    # ical.js, and in icalendar and vobject too.
    assert entry["occurrences"] == sent["occurrences"] == [iso(m) for m in EXPECTED]
    assert entry["sequence"] == sent["sequence"]
    [feed_vevent] = [v for v in Calendar.from_ical(body).walk("VEVENT")
                     if str(v["uid"]) == sent["uid"]]
    [mail_vevent] = Calendar.from_ical(invited).walk("VEVENT")
    for name in ("dtstart", "dtend"):
        assert feed_vevent.decoded(name) == mail_vevent.decoded(name)
        assert feed_vevent.decoded(name).tzinfo.key == "Pacific/Auckland"
    assert feed_vevent["rrule"] == mail_vevent["rrule"]
    assert "ATTENDEE" not in body.decode() and body.count(b"TZID:Pacific/Auckland") == 1
    # A skipped week leaves the feed too (EXDATE), as it leaves the invitation.
    [group] = attendance.running_groups(session, discussion)
    meetings.skip_week(session, group, 3)
    session.commit()
    body, entry = feed_entry()
    kept = [moment for n, moment in enumerate(EXPECTED, start=1) if n != 3]
    assert entry["occurrences"] == [iso(moment) for moment in kept]
    assert entry["sequence"] > sent["sequence"]
    only = Calendar.new()
    for component in Calendar.from_ical(body).subcomponents:
        if component.name == "VTIMEZONE" or str(component.get("uid")) == sent["uid"]:
            only.add_component(component)
    assert vobject_instants(only.to_ical()) == kept
