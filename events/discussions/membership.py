"""Who is in which group: publishing the draft, and every change after it.

Publishing is the moment people hear: each member gets one e-mail with their
group and the invitation that puts every meeting in their calendar. After
it, an organiser moves a member (their calendar entry is updated in place:
one UID for their meetings, whatever the group), places someone who signed
up late, or closes a group into another; a member may leave. A sign-up has
one membership row, so nobody is ever in two groups of one discussion.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from events import limits
from events.discussions import forming, meetings
from events.discussions.models import (
    BookDiscussion,
    DiscussionGroup,
    GroupMember,
    GroupStatus,
    MemberStatus,
    SignUp,
)
from events.discussions.solving import form_in_child
from events.errors import InvalidInput, NotFound, NotOpen
from events.grouping import Infeasible
from events.locking import lock_event
from events.models import utcnow
from events.planning import _text


class DraftBreaksRules(NotOpen):
    """The draft, as moved by hand, breaks a rule: the obstacles say which and what helps."""

    def __init__(self, infeasible: Infeasible) -> None:
        super().__init__("The groups as they stand break a rule; nothing was published.")
        self.infeasible = infeasible


def publish(session: Session, discussion: BookDiscussion, now: datetime | None = None,
            solve: forming.Solve = form_in_child) -> list[DiscussionGroup]:
    """Publish the draft: open its groups (their weekly meetings), place everyone, and
    queue each member's e-mail with their series' invitation. Returns the groups opened.

    The draft is checked against every rule first; a draft that breaks one
    raises ``DraftBreaksRules`` and changes nothing.
    """
    if discussion.groups_published:
        raise NotOpen("The groups are already published.")
    placement, broken = forming.check_draft(session, discussion, solve)
    if broken is not None:
        raise DraftBreaksRules(broken)
    # From here on sign-ups and cancellations wait: the kick-off's lock serves them in turn.
    lock_event(session, discussion.kickoff_event_id)
    now = now or utcnow()
    opened: list[DiscussionGroup] = []
    for group in placement.values():
        if group not in opened:
            opened.append(group)
            meetings.open_group(session, discussion, group)
    sign_ups = {s.id: s for s in forming.confirmed_sign_ups(session, discussion)}
    for sign_up_id, group in placement.items():
        if sign_up_id in sign_ups:
            _place(session, sign_ups[sign_up_id], group, now)
    discussion.published_at = now
    session.flush()
    return opened


def membership_of(session: Session, sign_up: SignUp) -> GroupMember | None:
    """The sign-up's membership row (active or left), if it was ever placed."""
    return session.execute(
        select(GroupMember).where(GroupMember.sign_up_id == sign_up.id)).scalar_one_or_none()


def _place(session: Session, sign_up: SignUp, group: DiscussionGroup,
           now: datetime) -> GroupMember:
    member = membership_of(session, sign_up)
    if member is None:
        member = GroupMember(sign_up=sign_up, group=group, placed_at=now, sequence=0)
        session.add(member)
    member.group, member.group_id = group, group.id
    member.status, member.placed_at = MemberStatus.active, now
    meetings.tell(session, member, "group_placed", "REQUEST")
    return member


def move(session: Session, discussion: BookDiscussion, sign_up_id: int, group_id: int,
         now: datetime | None = None) -> GroupMember:
    """Put a confirmed person into a running group: moved from their group, or placed for the
    first time (a late sign-up). Their calendar entry is updated in place.

    Refused when the group is full, meets when they cannot, or is not running.
    """
    if not discussion.groups_published:
        raise NotOpen("The groups are not published yet: change the draft instead.")
    lock_event(session, discussion.kickoff_event_id)
    sign_up = next((s for s in forming.confirmed_sign_ups(session, discussion)
                    if s.id == sign_up_id), None)
    if sign_up is None:
        raise NotFound("There is no such confirmed sign-up in this discussion.")
    group = session.get(DiscussionGroup, group_id)
    if group is None or group.discussion_id != discussion.id:
        raise NotFound("There is no such group in this discussion.")
    if group.status != GroupStatus.running:
        raise NotOpen(f"{group.name} is not running.")
    if group.slot_id not in sign_up.slot_ids:
        raise InvalidInput(f"{sign_up.person.name} cannot make {group.slot.label}.",
                           field="group")
    member = membership_of(session, sign_up)
    if member is not None and member.is_active and member.group_id == group.id:
        return member
    if len(meetings.active_members(session, group)) >= group.max_size:
        raise NotOpen(f"{group.name} is full ({group.max_size}). Raise its largest size first.")
    now = now or utcnow()
    if member is None or not member.is_active:
        return _place(session, sign_up, group, now)
    member.group, member.group_id = group, group.id
    meetings.tell(session, member, "group_moved", "REQUEST")
    return member


def leave(session: Session, member: GroupMember) -> GroupMember:
    """The member leaves their group: their meetings leave their calendar. Leaving twice
    changes nothing."""
    if not member.is_active:
        return member
    lock_event(session, member.sign_up.discussion.kickoff_event_id)
    member.status = MemberStatus.left
    meetings.tell(session, member, "group_left", "CANCEL")
    return member


def close_group(session: Session, group: DiscussionGroup, into: DiscussionGroup | None,
                now: datetime | None = None) -> DiscussionGroup:
    """Close a running group, its members moved into ``into`` first (a merge).

    A group with members cannot close without somewhere for them to go.
    """
    now = now or utcnow()
    if group.status != GroupStatus.running:
        raise NotOpen("Only a running group can be closed.")
    members = meetings.active_members(session, group)
    if members and into is None:
        raise InvalidInput(f"{len(members)} people are still in {group.name}: choose the group "
                           "they move to.", field="into")
    if into is not None and into.id == group.id:
        raise InvalidInput("Choose another group to move them to.", field="into")
    for member in members:
        move(session, group.discussion, member.sign_up_id, into.id, now)  # type: ignore[union-attr]
    meetings.close_meetings(session, group, "This group has closed.", now)
    group.status = GroupStatus.closed
    session.flush()
    return group


@dataclass(frozen=True)
class Sent:
    recipients: int


def message(session: Session, discussion: BookDiscussion, group: DiscussionGroup | None,
            subject: object, body: object) -> Sent:
    """Queue a message from the organisers to one group's members, or to every member."""
    if not discussion.groups_published:
        raise NotOpen("There are no groups to message until they are published.")
    clean_subject = " ".join(_text(subject, "subject", "subject", limits.SUBJECT_MAX,
                                   required=True).split())
    clean_body = _text(body, "body", "message", limits.MESSAGE_MAX, required=True)
    query = (select(GroupMember).join(DiscussionGroup, GroupMember.group_id == DiscussionGroup.id)
             .where(DiscussionGroup.discussion_id == discussion.id, GroupMember.is_active)
             .order_by(GroupMember.id))
    if group is not None:
        query = query.where(GroupMember.group_id == group.id)
    members = list(session.execute(query).scalars())
    if not members:
        raise NotOpen("Nobody is in that group, so there is no one to message.")
    for member in members:
        meetings.tell(session, member, "group_message", subject=clean_subject, body=clean_body,
                      group_name=member.group.name)
    return Sent(len(members))
