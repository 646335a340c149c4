"""What a group member's e-mails carry besides their words: their group as they see it
and, for a change of their meetings, the series' invitation or cancellation."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from events import access
from events.discussions import group_page, meeting_calendar
from events.discussions.models import GroupMember
from events.models import OutboxMessage
from events.site import Site


def member_of(session: Session, message: OutboxMessage) -> GroupMember | None:
    """The membership an e-mail is about, if it is a discussion group's e-mail."""
    member_id = (message.context or {}).get("member_id")
    return session.get(GroupMember, member_id) if member_id is not None else None


def details(session: Session, site: Site, member: GroupMember,
            now: datetime | None = None) -> dict[str, Any]:
    """The variables a member's e-mail shows: their group's view, join link and page."""
    sign_up = member.sign_up
    token = access.manage_token(site, sign_up.person)
    return dict(member=member, group=member.group, discussion=sign_up.discussion,
                view=group_page.group_view(session, site, sign_up, now),
                group_join_url=group_page.join_url(site, member),
                group_page_url=site.links.my_discussion(token, sign_up.discussion_id))


def invitation(member: GroupMember, site: Site, context: dict[str, Any], *, join_url: str,
               page_url: str, now: datetime) -> bytes:
    """The iTIP part of a member's e-mail: the whole series, or one skipped week's CANCEL."""
    method, sequence, week = context["method"], context["sequence"], context.get("week")
    if week is not None:
        calendar = meeting_calendar.skipped_occurrence(member, site, week, join_url=join_url,
                                                       now=now, sequence=sequence)
    else:
        calendar = meeting_calendar.series(member, site, join_url=join_url, page_url=page_url,
                                           now=now, method=method, sequence=sequence)
    return calendar.to_ical()
