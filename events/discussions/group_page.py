"""What a member sees of their group (from their own ``/me/<token>`` page and their
e-mails), and their group join link.

Times are shown in the member's own zone when they gave one, else in the
programme's: a group that spans New Zealand and Australia meets at 7:30 pm
in Auckland every week, which is 5:30 pm in Sydney, but 4:30 pm in the week
between the two countries' clock changes.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from events import limits, signed_links
from events.discussions import meetings
from events.discussions.models import (
    BookDiscussion,
    GroupMeeting,
    GroupMember,
    GroupStatus,
    MeetingAttendance,
    SignUp,
)
from events.errors import NotFound, NotOpen
from events.models import Person, RegistrationStatus, utcnow
from events.resources import Resource
from events.site import Site


def join_token(site: Site, member: GroupMember) -> str:
    """The member's personal group join token (an HMAC after the membership's id, signing
    the person's manage nonce too, so that replacing their links ends this one)."""
    return f"{member.id}-{_join_mac(site, member)}"


def _join_mac(site: Site, member: GroupMember) -> str:
    return signed_links.mac(site.secret_key, "group-join", member.id,
                            member.sign_up.person.manage_nonce)


def join_url(site: Site, member: GroupMember) -> str:
    return site.links.group_join(join_token(site, member))


def member_for_join_token(session: Session, site: Site, token: str) -> GroupMember:
    """The membership a group join token belongs to, or ``NotFound``."""
    parts = signed_links.split_token(token)
    member = session.get(GroupMember, parts[0]) if parts else None
    if (parts is None or member is None
            or not signed_links.same_mac(parts[1], _join_mac(site, member))):
        raise NotFound("This join link is not valid.")
    return member


@dataclass(frozen=True)
class Meeting:
    """One week's meeting as a member sees it."""

    week: int
    starts_at: datetime  # in the member's zone
    ends_at: datetime
    skipped: bool
    # The reading plan's resources for the week (what to read, a question).
    reading: list[Resource]


@dataclass(frozen=True)
class GroupView:
    """A member's group: everything their group page and e-mails show."""

    sign_up: SignUp
    member: GroupMember | None
    zone: str
    meetings: list[Meeting]
    this_week: Meeting | None
    join_url: str | None
    # First names of the other members who agreed to show theirs.
    others: list[str]
    # The reading plan, week by week, for someone with a place (``Resource.shown``).
    reading_plan: list[Resource]

    @property
    def state(self) -> str:
        """"placed", "left", "waiting" (for the groups), "waitlisted" or "cancelled"."""
        if self.member is not None:
            return "placed" if self.member.is_active else "left"
        status = self.sign_up.registration.status
        if status == RegistrationStatus.waitlisted:
            return "waitlisted"
        if status == RegistrationStatus.cancelled:
            return "cancelled"
        return "waiting"


def sign_up_of(session: Session, person: Person, discussion_id: int) -> SignUp:
    """The person's sign-up for the discussion; anyone else's is ``NotFound``."""
    sign_up = session.execute(
        select(SignUp).where(SignUp.person_id == person.id,
                             SignUp.discussion_id == discussion_id)).scalar_one_or_none()
    if sign_up is None:
        raise NotFound("You have not signed up for this book discussion.")
    return sign_up


def group_view(session: Session, site: Site, sign_up: SignUp,
               now: datetime | None = None) -> GroupView:
    """Everything the member's group page shows, in a fixed number of queries."""
    now = now or utcnow()
    discussion: BookDiscussion = sign_up.discussion
    zone = sign_up.person.timezone or discussion.programme.timezone
    # Shown before the event as before-resources are: the plan is for reading ahead.
    plan = [item for item in discussion.reading_plan
            if item.shown(sign_up.registration.holds_seat, event_started=False)]
    member = session.execute(
        select(GroupMember).where(GroupMember.sign_up_id == sign_up.id)).scalar_one_or_none()
    if member is None or member.group.status == GroupStatus.candidate:
        return GroupView(sign_up, None, zone, [], None, None, [], plan)
    group = member.group
    shown = [_meeting(meeting, ZoneInfo(zone), plan) for meeting in group.meetings]
    this_week = next((m for m in shown if m.ends_at > now and not m.skipped), None)
    others = [] if not member.is_active else [
        other.sign_up.first_name for other in meetings.active_members(session, group)
        if other.id != member.id and other.sign_up.shares_first_name]
    return GroupView(sign_up, member, zone, shown, this_week,
                     join_url(site, member) if member.is_active else None, others, plan)


def _meeting(meeting: GroupMeeting, zone: ZoneInfo, plan: list[Resource]) -> Meeting:
    event = meeting.event
    return Meeting(meeting.week, event.starts_at.astimezone(zone), event.ends_at.astimezone(zone),
                   meeting.skipped, [item for item in plan if item.week == meeting.week])


def meeting_room_for(session: Session, member: GroupMember,
                     now: datetime | None = None) -> str:
    """The room a member may enter at ``now`` (their group's, around a meeting's time),
    noting that they came; otherwise a refusal that says when."""
    now = now or utcnow()
    if not member.is_active or member.group.status != GroupStatus.running:
        raise NotOpen("You are not in this group any more.")
    group = member.group
    for meeting in group.meetings:
        event = meeting.event
        opens = event.starts_at - limits.JOIN_OPENS_BEFORE
        if meeting.skipped or not opens <= now <= event.ends_at + limits.JOIN_CLOSES_AFTER_END:
            continue
        if not group.meeting_url:
            raise NotOpen("The organisers have not set the group's meeting room yet.")
        record_attendance(session, meeting, member.id, now)
        return group.meeting_url
    minutes = int(limits.JOIN_OPENS_BEFORE.total_seconds() // 60)
    raise NotOpen(f"The room opens {minutes} minutes before each meeting.")


def record_attendance(session: Session, meeting: GroupMeeting, member_id: int,
                      now: datetime | None = None) -> None:
    """Note that a member was at a meeting; noting it again changes nothing."""
    insert = pg_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    session.execute(insert(MeetingAttendance).values(
        meeting_id=meeting.id, member_id=member_id, recorded_at=now or utcnow())
        .on_conflict_do_nothing(index_elements=["meeting_id", "member_id"]))
