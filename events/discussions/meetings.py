"""A running group's weekly meetings: one ``group_meeting`` event a week, at the slot's
local time in the programme's zone, and a week skipped when the group does not meet.

The rule is the local time (a weekday, 7:30 pm, the zone), never a UTC
instant: each week's start is worked out from it, so the clock change moves
the UTC instant and leaves the wall clock alone. Each meeting's event holds
the room and the facilitator's part: a ``Role`` at each meeting, invited once
for the group (the first meeting's invitation; the later ones follow it).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import changes, invitations, limits, outbox
from events.discussions.models import (
    BookDiscussion,
    DiscussionGroup,
    GroupMeeting,
    GroupMember,
    GroupStatus,
    MeetingSlot,
)
from events.errors import NotFound, NotOpen
from events.models import (
    Answerer,
    Event,
    EventKind,
    EventStatus,
    InvitationStatus,
    Role,
    RoleKind,
    utcnow,
)
from events.scheduling import to_utc

SKIPPED_REASON = "This group does not meet this week."


def local_start(discussion: BookDiscussion, slot: MeetingSlot, week: int) -> datetime:
    """The naive wall-clock start of ``slot``'s meeting in ``week`` (the rule itself)."""
    return datetime.combine(slot.date_in_week(discussion, week), slot.local_time)


def meeting_start(discussion: BookDiscussion, slot: MeetingSlot, week: int) -> datetime:
    """The UTC instant of that meeting, as the programme's zone has it that day."""
    return to_utc(local_start(discussion, slot, week), discussion.programme.timezone)


def open_group(session: Session, discussion: BookDiscussion, group: DiscussionGroup,
               now: datetime | None = None) -> None:
    """Make a candidate group running: a meeting event for every week of the discussion,
    and its facilitator invited once for them all."""
    group.status = GroupStatus.running
    for week in range(1, discussion.weeks + 1):
        event = Event(
            programme_id=discussion.programme_id, kind=EventKind.group_meeting,
            title=f"{discussion.book_title}: {group.name}, week {week}"[:limits.TITLE_MAX],
            starts_at=meeting_start(discussion, group.slot, week),
            duration_minutes=discussion.meeting_minutes, timezone=discussion.programme.timezone,
            capacity=group.max_size + 1, waitlist_enabled=False, meeting_url=group.meeting_url,
            status=EventStatus.published, listed=False, book_title=discussion.book_title)
        session.add(GroupMeeting(group=group, week=week, event=event))
    session.flush()
    invite_facilitator(session, group, now or utcnow())


def follow_group(session: Session, group: DiscussionGroup, now: datetime | None = None) -> None:
    """Carry a running group's room and facilitator to its meetings still to come: a new
    facilitator is invited (once), the one replaced is told the invitation is withdrawn."""
    now = now or utcnow()
    for meeting in group.meetings:
        if meeting.event.status == EventStatus.published:
            meeting.event.meeting_url = group.meeting_url
    kept = group.facilitator.id if group.facilitator is not None else None
    for role in _upcoming_facilitator_roles(group, now):
        if role.person_id != kept and role.engaged and role.lead_role_id is None:
            # Its followers are withdrawn with it: one e-mail, not one a week.
            invitations.withdraw(session, role, now)
    invite_facilitator(session, group, now)
    session.flush()


def _upcoming(group: DiscussionGroup, now: datetime) -> list[Event]:
    return [meeting.event for meeting in group.meetings
            if meeting.event.status == EventStatus.published
            and not meeting.event.has_started(now)]


def _upcoming_facilitator_roles(group: DiscussionGroup, now: datetime) -> list[Role]:
    return [role for event in _upcoming(group, now) for role in event.roles
            if role.kind == RoleKind.facilitator]


def invite_facilitator(session: Session, group: DiscussionGroup, now: datetime) -> None:
    """The speaker-side invitation of the group's facilitator, once for the group: a role
    at each meeting still to come, the first one's invitation sent (``invitations.move``)
    and the later ones following it (``Role.lead_role_id``), answered with it."""
    events = _upcoming(group, now)
    if group.facilitator is None or not events:
        return
    person = group.facilitator
    roles = {role.event_id: role for role in _upcoming_facilitator_roles(group, now)
             if role.person_id == person.id}
    lead = roles.get(events[0].id) or Role(event=events[0], person=person,
                                           kind=RoleKind.facilitator)
    lead.lead_role_id = None
    # A no stands until the organisers invite again from the meeting's page; an
    # invitation withdrawn when someone else took the group is renewed on their return.
    if lead.id is None or lead.status == InvitationStatus.withdrawn:
        lead.message = (f"You facilitate the {group.name} group of {group.discussion.title}: "
                        f"{len(events)} weekly meetings. One answer covers them all.")
        invitations.move(session, lead, InvitationStatus.invited, Answerer.organiser, now)
    for event in events[1:]:
        role = roles.get(event.id) or Role(event=event, person=person, kind=RoleKind.facilitator)
        role.lead_role_id = lead.id
        was = role.status if role.id is not None else None
        if was != lead.status and (was, lead.status) in invitations.MOVES:
            invitations.move(session, role, lead.status, Answerer.organiser, now, quiet=True)
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
    """Cancel the group's meetings still to come (a closed group meets no more); its
    facilitator hears it once, as their invitation for the group is withdrawn, rather
    than once a meeting."""
    for role in _upcoming_facilitator_roles(group, now):
        if role.engaged and role.lead_role_id is None:
            invitations.withdraw(session, role, now)
    for meeting in group.meetings:
        if meeting.event.status == EventStatus.published and not meeting.event.has_started(now):
            changes.cancel_event(session, meeting.event_id, reason)
