"""Replacing a participant's links when one may have leaked ("Replace my link").

Every link Mingle gives a participant signs their manage nonce: the manage
link (``access.manage_token``), the private feed behind it, the join link of
each place (``access.join_token``) and of each discussion group
(``group_page.join_token``). Drawing a new nonce therefore ends them all at
once; the person then gets their new manage link by e-mail, and for each
place whose room they may still enter a fresh invitation with the new join
link, which also replaces the old link in their calendar.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from events import access, outbox
from events.discussions import meetings
from events.discussions.models import GroupMeeting, GroupMember, MemberStatus, SignUp
from events.models import Event, Person, utcnow


def replace_links(session: Session, person: Person, now: datetime | None = None) -> None:
    """End every link of the person (manage, feed, join) and send them new ones."""
    now = now or utcnow()
    access.revoke_manage_links(session, person)
    for registration in access.places_of(session, person):
        if access.has_join_link(registration) and registration.event.ends_at > now:
            # RFC 5546 §2.1.4: the new REQUEST must outrank the invitation it replaces.
            registration.sequence = (registration.sequence or 0) + 1
            session.flush()
            outbox.enqueue_invitation(session, registration, kind="join_link_replaced")
    for member in _members_still_meeting(session, person, now):
        meetings.tell(session, member, "group_join_link_replaced", "REQUEST")


def _members_still_meeting(session: Session, person: Person,
                           now: datetime) -> list[GroupMember]:
    still_to_meet = exists(
        select(GroupMeeting.id).join(GroupMeeting.event)
        .where(GroupMeeting.group_id == GroupMember.group_id, Event.starts_at > now))
    return list(session.execute(
        select(GroupMember).join(GroupMember.sign_up)
        .where(SignUp.person_id == person.id, GroupMember.status == MemberStatus.active,
               still_to_meet)
        .order_by(GroupMember.id)
    ).scalars())
