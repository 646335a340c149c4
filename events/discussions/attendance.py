"""Who came, week by week: the organisers' heatmap, marking attendance by hand, and the
week-2 check of groups running dry.

A member's first click on their group join link around a meeting marks them
present; an organiser may mark or correct it. The figures are plain numbers;
the page decides how they look.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, selectinload

from events import limits
from events.discussions.group_page import record_attendance
from events.discussions.models import (
    BookDiscussion,
    DiscussionGroup,
    GroupMeeting,
    GroupMember,
    GroupStatus,
    MeetingAttendance,
    SignUp,
)
from events.errors import InvalidInput, NotFound
from events.models import Registration, RegistrationStatus, utcnow


@dataclass(frozen=True)
class Cell:
    """One group's meeting of one week: how many came of how many members."""

    week: int
    attended: int
    members: int
    skipped: bool
    held: bool  # the meeting has started

    @property
    def share(self) -> float:
        return self.attended / self.members if self.members else 0.0


@dataclass(frozen=True)
class Row:
    group: DiscussionGroup
    members: int
    cells: list[Cell]


def running_groups(session: Session, discussion: BookDiscussion) -> list[DiscussionGroup]:
    """The discussion's published groups (running or closed), in the order they were made."""
    return list(session.execute(
        select(DiscussionGroup)
        .where(DiscussionGroup.discussion_id == discussion.id,
               DiscussionGroup.status != GroupStatus.candidate)
        .options(selectinload(DiscussionGroup.meetings))
        .order_by(DiscussionGroup.id)).scalars())


def member_counts(session: Session, groups: Iterable[DiscussionGroup]) -> dict[int, int]:
    """Active members per group id, in one query."""
    ids = [group.id for group in groups]
    counts = dict.fromkeys(ids, 0)
    if ids:
        counts.update(session.execute(
            select(GroupMember.group_id, func.count())
            .where(GroupMember.group_id.in_(ids), GroupMember.is_active)
            .group_by(GroupMember.group_id)).all())
    return counts


def heatmap(session: Session, discussion: BookDiscussion,
            now: datetime | None = None) -> list[Row]:
    """Each published group's attendance week by week, in a fixed number of queries."""
    now = now or utcnow()
    groups = running_groups(session, discussion)
    counts = member_counts(session, groups)
    came = Counter(dict(session.execute(
        select(MeetingAttendance.meeting_id, func.count())
        .join(GroupMeeting, MeetingAttendance.meeting_id == GroupMeeting.id)
        .join(DiscussionGroup, GroupMeeting.group_id == DiscussionGroup.id)
        .where(DiscussionGroup.discussion_id == discussion.id)
        .group_by(MeetingAttendance.meeting_id)).all()))
    return [Row(group, counts[group.id], [
        Cell(meeting.week, came[meeting.id], counts[group.id], meeting.skipped,
             meeting.event.starts_at <= now)
        for meeting in group.meetings]) for group in groups]


def present(session: Session, group: DiscussionGroup, week: int) -> set[int]:
    """Member ids marked present at the group's meeting of ``week``."""
    meeting = _meeting(group, week)
    return set(session.execute(select(MeetingAttendance.member_id)
                               .where(MeetingAttendance.meeting_id == meeting.id)).scalars())


def mark(session: Session, group: DiscussionGroup, week: int, member_ids: Iterable[int],
         now: datetime | None = None) -> int:
    """Set who was at the group's meeting of ``week`` to exactly ``member_ids``; returns
    how many were there."""
    meeting = _meeting(group, week)
    wanted = set(member_ids)
    members = set(session.execute(select(GroupMember.id)
                                  .where(GroupMember.group_id == group.id)).scalars())
    if not wanted <= members:
        raise InvalidInput("Mark only the group's own members.", field="present")
    stale = delete(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id)
    if wanted:
        stale = stale.where(MeetingAttendance.member_id.not_in(wanted))
    session.execute(stale)
    for member_id in sorted(wanted):
        record_attendance(session, meeting, member_id, now)
    return len(wanted)


def _meeting(group: DiscussionGroup, week: int) -> GroupMeeting:
    meeting = next((m for m in group.meetings if m.week == week), None)
    if meeting is None:
        raise NotFound("This group has no meeting that week.")
    return meeting


@dataclass(frozen=True)
class Concern:
    """A group with fewer than ``limits.WEEK_TWO_LEAST_ATTENDING`` at its week-2 meeting, and
    what would help: groups to merge it with (same meeting time first), and how many
    confirmed people still without a group, or waiting, could top it up."""

    group: DiscussionGroup
    attended: int
    merge_with: list[DiscussionGroup]
    unplaced: int
    waitlisted: int


def week_two_check(session: Session, discussion: BookDiscussion,
                   now: datetime | None = None) -> list[Concern]:
    """The running groups whose week-2 meeting has been held with too few people."""
    rows = heatmap(session, discussion, now)
    running = [row for row in rows if row.group.status == GroupStatus.running]
    low = [(row, cell) for row in running for cell in row.cells
           if cell.week == limits.WEEK_TWO and cell.held and not cell.skipped
           and cell.attended < limits.WEEK_TWO_LEAST_ATTENDING]
    if not low:
        return []
    placed = select(GroupMember.sign_up_id).where(GroupMember.is_active).scalar_subquery()
    unplaced = session.execute(
        select(func.count()).select_from(SignUp)
        .join(Registration, SignUp.registration_id == Registration.id)
        .where(SignUp.discussion_id == discussion.id, Registration.holds_seat,
               SignUp.id.not_in(placed))).scalar_one()
    waitlisted = session.execute(
        select(func.count()).select_from(Registration)
        .where(Registration.event_id == discussion.kickoff_event_id,
               Registration.status == RegistrationStatus.waitlisted)).scalar_one()
    concerns = []
    for row, cell in low:
        others = [other for other in running if other.group.id != row.group.id
                  and other.members + row.members <= other.group.max_size]
        others.sort(key=lambda other: (other.group.slot_id != row.group.slot_id,
                                       other.group.thread_id != row.group.thread_id,
                                       other.group.id))
        concerns.append(Concern(row.group, cell.attended, [other.group for other in others],
                                unplaced, waitlisted))
    return concerns
