"""A running group's weekly meetings: one ``group_meeting`` event a week, at the slot's
local time in the programme's zone, and a week skipped when the group does not meet.

The rule is the local time (a weekday, 7:30 pm, the zone), never a UTC
instant: each week's start is worked out from it, so the clock change moves
the UTC instant and leaves the wall clock alone. Each meeting's event holds
the room and the facilitator's part (a plain ``Role``; the speaker-side
invitation joins here once facilitators are invited as speakers are).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import changes, limits, outbox
from events.discussions.models import (
    BookDiscussion,
    DiscussionGroup,
    GroupMeeting,
    GroupMember,
    GroupStatus,
    MeetingSlot,
)
from events.errors import NotFound, NotOpen
from events.models import Event, EventKind, EventStatus, Role, RoleKind, utcnow
from events.scheduling import to_utc

SKIPPED_REASON = "This group does not meet this week."


def local_start(discussion: BookDiscussion, slot: MeetingSlot, week: int) -> datetime:
    """The naive wall-clock start of ``slot``'s meeting in ``week`` (the rule itself)."""
    return datetime.combine(slot.date_in_week(discussion, week), slot.local_time)


def meeting_start(discussion: BookDiscussion, slot: MeetingSlot, week: int) -> datetime:
    """The UTC instant of that meeting, as the programme's zone has it that day."""
    return to_utc(local_start(discussion, slot, week), discussion.programme.timezone)


def open_group(session: Session, discussion: BookDiscussion, group: DiscussionGroup) -> None:
    """Make a candidate group running: a meeting event for every week of the discussion."""
    group.status = GroupStatus.running
    for week in range(1, discussion.weeks + 1):
        event = Event(
            programme_id=discussion.programme_id, kind=EventKind.group_meeting,
            title=f"{discussion.book_title}: {group.name}, week {week}"[:limits.TITLE_MAX],
            starts_at=meeting_start(discussion, group.slot, week),
            duration_minutes=discussion.meeting_minutes, timezone=discussion.programme.timezone,
            capacity=group.max_size + 1, waitlist_enabled=False, meeting_url=group.meeting_url,
            status=EventStatus.published, listed=False, book_title=discussion.book_title)
        if group.facilitator is not None:
            event.roles = [Role(person=group.facilitator, kind=RoleKind.facilitator)]
        session.add(GroupMeeting(group=group, week=week, event=event))
    session.flush()


def follow_group(session: Session, group: DiscussionGroup) -> None:
    """Carry a running group's room and facilitator to its meetings still to come."""
    for meeting in group.meetings:
        event = meeting.event
        if event.status != EventStatus.published:
            continue
        event.meeting_url = group.meeting_url
        kept = [role for role in event.roles if role.kind != RoleKind.facilitator
                or (group.facilitator is not None and role.person_id == group.facilitator.id)]
        if group.facilitator is not None and not any(
                role.kind == RoleKind.facilitator for role in kept):
            kept.append(Role(person=group.facilitator, kind=RoleKind.facilitator))
        event.roles = kept
    session.flush()


def active_members(session: Session, group: DiscussionGroup) -> list[GroupMember]:
    """The group's members who have not left, in the order they were placed."""
    return list(session.execute(
        select(GroupMember).where(GroupMember.group_id == group.id, GroupMember.is_active)
        .order_by(GroupMember.id)).scalars())


def skip_week(session: Session, group: DiscussionGroup, week: int,
              now: datetime | None = None) -> GroupMeeting:
    """The group does not meet in ``week`` (a public holiday): that one meeting is cancelled
    in every member's calendar, and the rest of the series stays.

    Members get a CANCEL for that occurrence (its RECURRENCE-ID); every later
    REQUEST of their series carries the week as an EXDATE, so a calendar that
    missed the CANCEL still drops it.
    """
    if group.status != GroupStatus.running:
        raise NotOpen("Only a running group's meetings can be skipped.")
    meeting = next((m for m in group.meetings if m.week == week), None)
    if meeting is None:
        raise NotFound("This group has no meeting that week.")
    if meeting.skipped:
        return meeting
    if meeting.event.has_started(now or utcnow()):
        raise NotOpen("That meeting has already started.")
    meeting.skipped = True
    changes.cancel_event(session, meeting.event_id, SKIPPED_REASON)
    for member in active_members(session, group):
        tell(session, member, "meeting_skipped", "CANCEL", week=week)
    session.flush()
    return meeting


def tell(session: Session, member: GroupMember, kind: str, method: str | None = None,
         **context: object) -> None:
    """Queue an e-mail of ``kind`` to a member; with ``method``, it carries their series'
    invitation (or cancellation) at a SEQUENCE higher than any before it."""
    person = member.sign_up.person
    if method is not None:
        # RFC 5546 §2.1.4: each REQUEST or CANCEL outranks the ones before it.
        member.sequence += 1
        context.update(method=method, sequence=member.sequence)
    session.flush()
    outbox.enqueue_to(session, kind, person.email, person.name, person_id=person.id,
                      event_id=member.sign_up.discussion.kickoff_event_id, member_id=member.id,
                      **context)


def close_meetings(session: Session, group: DiscussionGroup, reason: str,
                   now: datetime) -> None:
    """Cancel the group's meetings still to come (a closed group meets no more)."""
    for meeting in group.meetings:
        if meeting.event.status == EventStatus.published and not meeting.event.has_started(now):
            changes.cancel_event(session, meeting.event_id, reason)
