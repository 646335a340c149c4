"""A discussion member's weekly meetings as one recurring calendar entry.

One series per member (``calendar.group_series_uid``): ``DTSTART`` with the
programme's TZID at the slot's local time in week 1, ``RRULE:FREQ=WEEKLY;
COUNT=<weeks>`` and the zone's RRULE-based VTIMEZONE, so every client keeps
7:30 pm local through a clock change and each member's calendar shows it in
their own zone. A single e-mail can then carry every meeting: iTIP allows one
UID per message, and Outlook and Gmail act on no more.

The member's private feed (``/me/<token>/calendar.ics``) carries the same
series under the same UID (``personal_feed``), so a member who both took the
invitation and subscribed keeps one entry, and both show the same weeks.

A skipped week (RFC 5545 §3.8.5.1, RFC 5546 §3.2.5) is an ``EXDATE`` in the
series and, when it is skipped, a CANCEL of that one occurrence by its
``RECURRENCE-ID`` (its original local start, same TZID), so a client that
missed the CANCEL still drops the week at the next update, and one that
reads only CANCELs drops it at once.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from icalendar import Alarm, Calendar, vCalAddress, vText, vUri
from icalendar import Event as VEvent
from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from events import access
from events.calendar import PRODID, group_series_uid, organizer
from events.calendar_timezones import vtimezone
from events.discussions import group_page
from events.discussions.meetings import local_start
from events.discussions.models import (
    BookDiscussion,
    DiscussionGroup,
    GroupMeeting,
    GroupMember,
    GroupStatus,
    SignUp,
)
from events.models import Person
from events.site import Site

ITIP_METHODS = ("REQUEST", "CANCEL")


def _zoned(discussion: BookDiscussion, naive: datetime) -> datetime:
    return naive.replace(tzinfo=discussion.zone)


def _calendar(method: str | None) -> Calendar:
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    if method is not None:
        calendar.add("method", method)
    return calendar


def _timezone(discussion: BookDiscussion, group: DiscussionGroup) -> object:
    first = local_start(discussion, group.slot, 1)
    last = local_start(discussion, group.slot, discussion.weeks)
    return vtimezone(discussion.programme.timezone, first.year - 1, last.year + 1)


def _base(member: GroupMember, site: Site, join_url: str, now: datetime,
          sequence: int) -> VEvent:
    group, discussion = member.group, member.sign_up.discussion
    start = _zoned(discussion, local_start(discussion, group.slot, 1))
    vevent = VEvent()
    vevent.add("uid", group_series_uid(member.id, site))
    vevent.add("dtstamp", now)
    vevent.add("sequence", sequence)
    vevent.add("dtstart", start)
    vevent.add("dtend", start + timedelta(minutes=discussion.meeting_minutes))
    vevent.add("summary", f"{discussion.book_title}: {group.name}")
    vevent.add("location", join_url)
    vevent.add("conference", vUri(join_url),
               parameters={"VALUE": "URI", "FEATURE": "VIDEO", "LABEL": "Join"})
    vevent.add("transp", "OPAQUE")
    return vevent


def series(member: GroupMember, site: Site, *, join_url: str, page_url: str, now: datetime,
           method: str | None = None, sequence: int | None = None) -> Calendar:
    """The member's whole series: ``method`` REQUEST or CANCEL for an e-mail, None for a feed.

    The feed's entry has the invitation's UID, so a member who subscribes to
    their feed and took the invitation keeps one entry.
    """
    if method is not None and method not in ITIP_METHODS:
        raise ValueError(f"unsupported iTIP method {method!r}")
    group, discussion = member.group, member.sign_up.discussion
    vevent = _base(member, site, join_url, now,
                   member.sequence if sequence is None else sequence)
    vevent.add("rrule", {"freq": "WEEKLY", "count": discussion.weeks})
    skipped = [_zoned(discussion, local_start(discussion, group.slot, meeting.week))
               for meeting in group.meetings if meeting.skipped]
    for moment in skipped:
        # One EXDATE line per date: some readers take only the first of a list.
        vevent.add("exdate", moment)
    vevent.add("description", _description(member, join_url, page_url))
    cancelled = method == "CANCEL" or not member.is_active
    vevent.add("status", "CANCELLED" if cancelled else "CONFIRMED")
    if method is not None:
        _attend(vevent, member, site)
        if method == "REQUEST":
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", f"{group.name} meets in 15 minutes")
            alarm.add("trigger", timedelta(minutes=-15))
            vevent.add_component(alarm)
    calendar = _calendar(method)
    calendar.add_component(_timezone(discussion, group))
    calendar.add_component(vevent)
    return calendar


def skipped_occurrence(member: GroupMember, site: Site, week: int, *, join_url: str,
                       now: datetime, sequence: int) -> Calendar:
    """The CANCEL of one week's meeting of the member's series (by its RECURRENCE-ID)."""
    group, discussion = member.group, member.sign_up.discussion
    start = _zoned(discussion, local_start(discussion, group.slot, week))
    vevent = _base(member, site, join_url, now, sequence)
    vevent["dtstart"].dt = start  # the occurrence itself, not the series' first
    del vevent["dtend"]
    vevent.add("dtend", start + timedelta(minutes=discussion.meeting_minutes))
    vevent.add("recurrence-id", start)
    vevent.add("status", "CANCELLED")
    _attend(vevent, member, site)
    calendar = _calendar("CANCEL")
    calendar.add_component(_timezone(discussion, group))
    calendar.add_component(vevent)
    return calendar


def _attend(vevent: VEvent, member: GroupMember, site: Site) -> None:
    programme = member.sign_up.discussion.programme
    vevent.add("organizer", organizer(programme, site))
    # RFC 6047 §3: the recipient finds themselves as an ATTENDEE; they said yes already.
    person = member.sign_up.person
    attendee = vCalAddress(f"mailto:{person.email}")
    attendee.params["cn"] = vText(person.name)
    attendee.params["role"] = "REQ-PARTICIPANT"
    attendee.params["partstat"] = "ACCEPTED"
    attendee.params["rsvp"] = "FALSE"
    vevent.add("attendee", attendee)


def _description(member: GroupMember, join_url: str, page_url: str) -> str:
    group, discussion = member.group, member.sign_up.discussion
    lines = [f"{discussion.book_title}: {group.name}", "",
             f"Thread: {group.thread.name}"]
    if group.facilitator is not None:
        lines.append(f"Facilitator: {group.facilitator_first_name}")
    lines.append("")
    # The plan is for people with a place, as every member has.
    for item in discussion.reading_plan:
        lines.append(f"Week {item.week}: {item.title}"
                     + (f". Question: {item.description}" if item.description else ""))
    lines += ["", f"Join: {join_url}", f"Your group's page: {page_url}"]
    return "\n".join(lines)


def placed_memberships(session: Session, person: Person) -> list[GroupMember]:
    """The person's places in published groups (left ones too: their series stays in
    calendars as cancelled), with what their series needs, in a fixed number of queries."""
    return list(session.execute(
        select(GroupMember).join(GroupMember.sign_up).join(GroupMember.group)
        .where(SignUp.person_id == person.id, DiscussionGroup.status != GroupStatus.candidate)
        .options(selectinload(GroupMember.group).selectinload(DiscussionGroup.meetings)
                 .selectinload(GroupMeeting.event),
                 selectinload(GroupMember.sign_up).selectinload(SignUp.discussion)
                 .selectinload(BookDiscussion.reading_plan),
                 selectinload(GroupMember.sign_up).selectinload(SignUp.discussion)
                 .selectinload(BookDiscussion.programme))
        .order_by(GroupMember.id)).scalars())


def _changed_at(member: GroupMember) -> datetime:
    return max([member.placed_at, *(meeting.event.updated_at
                                    for meeting in member.group.meetings)])


def personal_feed(session: Session, site: Site, person: Person) -> bytes:
    """The person's private calendar (``access.personal_feed``) with each discussion
    group's meetings as the series their invitation carried: same UID, RRULE, VTIMEZONE
    and EXDATEs, with a SEQUENCE no lower than the last e-mail's.

    DTSTAMP follows the last change, so an unchanged feed stays byte-identical.
    """
    members = placed_memberships(session, person)
    token = access.manage_token(site, person)
    entries = [series(member, site, join_url=group_page.join_url(site, member),
                      page_url=site.links.my_discussion(token, member.sign_up.discussion_id),
                      now=_changed_at(member))
               for member in members]
    changed = max((_changed_at(member) for member in members), default=None)
    return access.personal_feed(session, site, person, series=entries,
                                series_changed_at=changed)
